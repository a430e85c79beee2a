"""/api/v1/quotes/: the marketing quote bank, gated by marketing consent, its streamed
exports, and recording where a quote was used."""

import datetime as dt

import pytest
from django.utils import timezone

from studies.fieldwork.models import ObservationKind
from studies.scheduling.models import Consent, ConsentKind
from studies.synthesis import exports
from studies.synthesis.models import QuoteUse
from studies.synthesis.services import quotes as quote_services
from tests.conftest import enrol_consenting
from tests.factories import ConsentFactory, ObservationFactory, VisitFactory
from tests.synthesis.api.conftest import iso, make_insight, tag_chip

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes/"
CSV = "/api/v1/quotes/export.csv"
MARKDOWN = "/api/v1/quotes/export.md"


def uses_url(quote) -> str:
    return f"{QUOTES}{quote.pk}/uses/"


@pytest.fixture
def bank(field):
    """All three quotes back a quote-worthy insight on the marketing board; households 0
    and 1 consent to marketing use, household 2 does not. Quote 0 also carries a tag and
    has been used once; a product-only insight and a note stay out of the bank."""
    field.quotes[0].tags.add(field.quotable)
    insight = make_insight(
        field, field.quotable, statement="Freezers are black holes.", evidence=field.quotes
    )
    make_insight(field, field.pain, statement="Product only.", evidence=field.quotes[1:])
    make_insight(field, field.quotable, statement="Notes never count.", evidence=field.notes)
    use = quote_services.quote_use_record(
        quote=field.quotes[0],
        actor=field.team.marketing,
        campaign="Spring mailer",
        link="https://example.org/spring",
        used_on=dt.date(2027, 3, 1),
    )
    return insight, use


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["text"] for row in response.json()["results"]]


def test_the_bank_lists_consented_quotes_with_attribution_and_uses(client_for, field, bank):
    insight, use = bank
    first, second = field.households[:2]

    response = client_for(field.team.marketing).get(QUOTES)

    assert response.status_code == 200
    study = {"id": str(field.team.study.pk), "title": field.team.study.title}
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(field.quotes[1].pk),
                "text": "I never know what is in the freezer until it is too late (1).",
                "speaker": "mother, 40s",
                "attribution": f"{second.code}, household size 4, region north",
                "household_code": second.code,
                "segment_phrase": "",
                "study": study,
                "round_label": "2026-Q4",
                "captured_at": iso(field.quotes[1].captured_at),
                "tags": [],
                "insights": [
                    {"id": str(insight.pk), "statement": "Freezers are black holes."},
                    {
                        "id": str(
                            field.quotes[1]
                            .evidence.get(insight__statement="Product only.")
                            .insight_id
                        ),
                        "statement": "Product only.",
                    },
                ],
                "uses": [],
            },
            {
                "id": str(field.quotes[0].pk),
                "text": "I never know what is in the freezer until it is too late (0).",
                "speaker": "mother, 40s",
                "attribution": f"{first.code}, parent of three, suburban",
                "household_code": first.code,
                "segment_phrase": "parent of three, suburban",
                "study": study,
                "round_label": "2026-Q4",
                "captured_at": iso(field.quotes[0].captured_at),
                "tags": [tag_chip(field.quotable)],
                "insights": [{"id": str(insight.pk), "statement": "Freezers are black holes."}],
                "uses": [
                    {
                        "id": str(use.pk),
                        "campaign": "Spring mailer",
                        "link": "https://example.org/spring",
                        "used_on": "2027-03-01",
                    }
                ],
            },
        ],
    }


def test_withdrawn_or_missing_marketing_consent_keeps_quotes_out_everywhere(
    client_for, field, bank
):
    Consent.objects.filter(household=field.households[1], kind=ConsentKind.MARKETING).update(
        withdrawn_at=timezone.now()
    )
    ConsentFactory(
        household=field.households[2],
        kind=ConsentKind.MARKETING,
        given_at=timezone.now() + dt.timedelta(days=1),
    )
    client = client_for(field.team.marketing)

    listed = texts(client.get(QUOTES))
    exported_csv = b"".join(client.get(CSV).streaming_content).decode()
    exported_md = b"".join(client.get(MARKDOWN).streaming_content).decode()

    assert listed == ["I never know what is in the freezer until it is too late (0)."]
    for text in (exported_csv, exported_md):
        assert "too late (0)" in text
        assert "too late (1)" not in text
        assert "too late (2)" not in text


def test_names_never_reach_the_bank_or_its_exports(client_for, field, bank):
    names = [household.contact.name for household in field.households]
    client = client_for(field.team.marketing)

    payloads = [
        client.get(QUOTES).content.decode(),
        b"".join(client.get(CSV).streaming_content).decode(),
        b"".join(client.get(MARKDOWN).streaming_content).decode(),
    ]

    assert all(name and name not in payload for name in names for payload in payloads)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"study": "own"}, [1, 0]),
        ({"study": "other"}, []),
        ({"round": "latest"}, [1, 0]),
        ({"round": "first"}, []),
        ({"tag": "quotable"}, [1, 0]),
        ({"tag": "pain"}, [1]),
        ({"segment": "suburban"}, [0]),
        ({"text": "LATE (1)"}, [1]),
    ],
)
def test_the_bank_is_filtered_by_study_round_tag_segment_and_text(
    client_for, field, bank, params, expected
):
    stand_ins = {
        "own": str(field.team.study.pk),
        "other": str(field.team.outsider.memberships.get().study.pk),
        "latest": str(field.rounds[1].pk),
        "first": str(field.rounds[0].pk),
        "quotable": str(field.quotable.pk),
        "pain": str(field.pain.pk),
    }
    params = {key: stand_ins.get(value, value) for key, value in params.items()}

    response = client_for(field.team.marketing).get(QUOTES, params)

    assert texts(response) == [field.quotes[index].text for index in expected]


def test_outsiders_see_an_empty_bank(client_for, api_client, field, bank):
    assert api_client.get(QUOTES).status_code == 401
    assert client_for(field.team.outsider).get(QUOTES).json()["results"] == []


def test_the_bank_costs_the_same_queries_for_more_quotes(
    client_for, field, bank, django_assert_num_queries
):
    insight, _use = bank
    client = client_for(field.team.marketing)
    # the page (no count: a cursor says where the next one starts) joined to visit,
    # household, round and study, then the page's tags, uses, and evidence with insights
    with django_assert_num_queries(4):
        client.get(QUOTES)
    for index, household in enumerate(enrol_consenting(field.team.study, 6, prefix="Q")):
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
        quote = ObservationFactory(
            visit=VisitFactory(round=field.rounds[1], household=household),
            kind=ObservationKind.QUOTE,
            text=f"More {index}",
        )
        quote.tags.add(field.quotable, field.delight)
        quote_services.quote_use_record(quote=quote, actor=field.team.lead, campaign="Summer")
        client_for(field.team.lead).post(
            f"/api/v1/insights/{insight.pk}/evidence/", {"observations": [str(quote.pk)]}
        )
    client = client_for(field.team.marketing)

    with django_assert_num_queries(4):
        response = client.get(QUOTES, {"page_size": 5})

    assert len(response.json()["results"]) == 5
    following = client.get(response.json()["next"])
    assert len(following.json()["results"]) == 3
    assert following.json()["next"] is None


def test_the_csv_export_streams_every_quote_with_attribution(client_for, field, bank):
    first, second = field.households[:2]
    field.quotes[1].text = '=HYPERLINK("x"), she said, "always"'
    field.quotes[1].save(update_fields=["text"])

    response = client_for(field.team.marketing).get(CSV)

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="quote-bank-{timezone.localdate().isoformat()}.csv"'
    )
    study = field.team.study.title
    captured = [
        iso(quote.captured_at).replace("Z", "+00:00")[:19] + "+00:00" for quote in field.quotes
    ]
    assert b"".join(response.streaming_content).decode() == (
        "\ufeffquote,speaker,attribution,household,segment,study,round,captured at,tags,"
        "insights,used in\r\n"
        f'"\'=HYPERLINK(""x""), she said, ""always""","mother, 40s",'
        f'"{second.code}, household size 4, region north",{second.code},,{study},2026-Q4,'
        f"{captured[1]},,Freezers are black holes.; Product only.,\r\n"
        f'I never know what is in the freezer until it is too late (0).,"mother, 40s",'
        f'"{first.code}, parent of three, suburban",{first.code},'
        f'"parent of three, suburban",{study},2026-Q4,{captured[0]},Say it like this,'
        'Freezers are black holes.,"Spring mailer (2027-03-01, https://example.org/spring)"\r\n'
    )


def test_the_markdown_export_streams_block_quotes_with_attribution(client_for, field, bank):
    first, second = field.households[:2]
    field.quotes[0].text = "I *never* know.\n\nUntil it is too late."
    field.quotes[0].save(update_fields=["text"])

    response = client_for(field.team.marketing).get(MARKDOWN, {"study": str(field.team.study.pk)})

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    study = field.team.study.title
    day = field.quotes[0].captured_at.astimezone(dt.UTC).date().isoformat()
    assert b"".join(response.streaming_content).decode() == (
        "# Quote bank\n"
        "\n"
        "> I never know what is in the freezer until it is too late (1).\n"
        "\n"
        f"— mother, 40s · {second.code}, household size 4, region north  \n"
        f"{study} · 2026-Q4 · {day}  \n"
        "Insights: Freezers are black holes.; Product only.\n"
        "\n"
        "> I \\*never\\* know.\n"
        ">\n"
        "> Until it is too late.\n"
        "\n"
        f"— mother, 40s · {first.code}, parent of three, suburban  \n"
        f"{study} · 2026-Q4 · {day}  \n"
        "Tags: Say it like this  \n"
        "Insights: Freezers are black holes.  \n"
        "Used in: Spring mailer (2027-03-01, https://example.org/spring)\n"
    )


def test_exports_apply_the_filters(client_for, field, bank):
    client = client_for(field.team.marketing)

    csv_rows = b"".join(client.get(CSV, {"text": "(1)"}).streaming_content).decode()
    markdown = b"".join(client.get(MARKDOWN, {"segment": "suburban"}).streaming_content).decode()

    assert len(csv_rows.splitlines()) == 2
    assert "too late (1)" in csv_rows
    assert markdown.count("\n> ") == 1
    assert "too late (0)" in markdown


@pytest.mark.parametrize("url", [CSV, MARKDOWN])
def test_export_errors_are_json_whatever_the_client_accepts(client_for, api_client, field, url):
    anonymous = api_client.get(url, HTTP_ACCEPT="text/csv, text/markdown")
    malformed = client_for(field.team.marketing).get(
        url, {"round": "Q4"}, HTTP_ACCEPT="text/csv, text/markdown"
    )

    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "errors": {"detail": ["Authentication credentials were not provided."]}
    }
    assert malformed.status_code == 400
    assert malformed.json() == {"errors": {"round": ["Must be a valid UUID."]}}


def test_marketing_records_where_a_quote_was_used(client_for, field, bank):
    response = client_for(field.team.marketing).post(
        uses_url(field.quotes[1]),
        {
            "campaign": "  Summer   site ",
            "link": "https://example.org/summer",
            "used_on": "2027-06-01",
        },
    )

    assert response.status_code == 201
    use = QuoteUse.objects.get(observation=field.quotes[1])
    assert response.json() == {
        "id": str(use.pk),
        "quote": str(field.quotes[1].pk),
        "campaign": "Summer site",
        "link": "https://example.org/summer",
        "used_on": "2027-06-01",
        "recorded_by": "marketing",
        "created_at": iso(use.created_at),
    }


def test_a_use_without_a_date_is_recorded_today(client_for, field, bank):
    response = client_for(field.team.lead).post(uses_url(field.quotes[1]), {"campaign": "Blog"})

    assert response.status_code == 201
    assert response.json()["used_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("persona", "quote", "code"),
    [
        ("researcher", 1, 403),
        ("product", 1, 403),
        ("outsider", 1, 404),
        ("marketing", 2, 404),  # no marketing consent: not in the bank
    ],
)
def test_only_marketing_and_leads_record_uses_of_banked_quotes(
    client_for, field, bank, persona, quote, code
):
    before = QuoteUse.objects.count()

    response = client_for(getattr(field.team, persona)).post(
        uses_url(field.quotes[quote]), {"campaign": "Sneaky"}
    )

    assert response.status_code == code
    assert QuoteUse.objects.count() == before


def test_a_note_is_not_a_quote_to_use(client_for, api_client, field, bank):
    assert api_client.post(uses_url(field.quotes[0]), {"campaign": "X"}).status_code == 401
    response = client_for(field.team.marketing).post(uses_url(field.notes[0]), {"campaign": "X"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"campaign": " ", "link": "ftp://example.org/x"},
            {
                "campaign": ["Name the campaign or piece of copy."],
                "link": ["Give the link as a full http(s) address."],
            },
        ),
        (
            {"campaign": "X", "used_on": "2099-01-01"},
            {"used_on": ["That date is more than a year away."]},
        ),
        (
            {"campaign": "X", "used_on": "March"},
            {"used_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
    ],
)
def test_a_bad_use_is_refused_and_nothing_is_recorded(client_for, field, bank, body, errors):
    before = QuoteUse.objects.count()

    response = client_for(field.team.marketing).post(uses_url(field.quotes[1]), body)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert QuoteUse.objects.count() == before


def test_exports_read_the_bank_chunk_by_chunk(
    client_for, field, bank, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    response = client_for(field.team.marketing).get(CSV)

    # one query streams the rows; each chunk of one quote then fetches its tags, uses and
    # insights: memory holds a chunk at a time, never the whole bank
    with django_assert_num_queries(1 + 2 * 3):
        body = b"".join(response.streaming_content).decode()

    assert len(body.splitlines()) == 3
