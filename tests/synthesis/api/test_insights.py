"""/api/v1/insights/: insights made from evidence across households and rounds, with
everything behind them, edited, given and relieved of evidence, and commented on."""

import datetime as dt

import pytest

from studies.synthesis.models import BoardCard, Column, Comment, Evidence, Insight
from studies.synthesis.services import boards, insights, quotes
from tests.factories import ObservationFactory, TagFactory, VisitFactory
from tests.synthesis.api.conftest import iso, make_insight, photo_urls, ready_photo, tag_chip

pytestmark = pytest.mark.django_db

INSIGHTS = "/api/v1/insights/"


def insight_url(insight, suffix: str = "") -> str:
    return f"{INSIGHTS}{insight.pk}/{suffix}"


def round_ref(round_) -> dict[str, str]:
    return {"id": str(round_.pk), "label": round_.label}


def filled(message: str, stand_ins: dict[str, str]) -> str:
    for name, value in stand_ins.items():
        message = message.replace("{" + name + "}", value)
    return message


def evidence_row(evidence: Evidence) -> dict:
    item = evidence.observation or evidence.photo
    household = item.visit.household
    if evidence.observation:
        photos = [
            {"id": str(p.pk), "caption": p.caption, "urls": photo_urls(p)}
            for p in evidence.observation.photos.all()
        ]
    else:
        photos = [{"id": str(item.pk), "caption": item.caption, "urls": photo_urls(item)}]
    return {
        "id": str(evidence.pk),
        "observation": str(evidence.observation_id) if evidence.observation_id else None,
        "photo": str(evidence.photo_id) if evidence.photo_id else None,
        "kind": evidence.observation.kind if evidence.observation else "photo",
        "text": evidence.observation.text if evidence.observation else item.caption,
        "speaker": evidence.observation.speaker if evidence.observation else "",
        "question": question_of(evidence.observation),
        "cleared_for_marketing": cleared(evidence.observation),
        "household": {"id": str(household.pk), "code": household.code},
        "round": round_ref(item.visit.round),
        "captured_at": iso(item.captured_at),
        "photos": photos,
        "added_by": "researcher",
        "added_at": iso(evidence.created_at),
    }


def cleared(observation) -> bool | None:
    if observation is None or observation.kind != "quote":
        return None
    household = observation.visit.household
    return household.consents.in_force().filter(kind="marketing").exists()


def question_of(observation) -> dict | None:
    if observation is None or not observation.question:
        return None
    return {
        "id": str(observation.guide_question_id),
        "key": str(observation.guide_question.key),
        "text": observation.question,
    }


def evidence_rows(insight) -> list[dict]:
    return [
        evidence_row(e)
        for e in Evidence.objects.filter(insight=insight).order_by("created_at", "pk")
    ]


def test_a_researcher_makes_an_insight_from_evidence_across_households_and_rounds(
    client_for, field
):
    photo = ready_photo(field.quotes[2].visit, caption="Tubs without labels")
    team = field.team

    response = client_for(team.researcher).post(
        INSIGHTS,
        {
            "study": str(team.study.pk),
            "statement": "  People lose track of   what is in the freezer. ",
            "description": "Seen in every home.",
            "tags": [str(field.pain.pk), str(field.quotable.pk)],
            "observations": [str(field.notes[0].pk), str(field.quotes[1].pk)],
            "photos": [str(photo.pk)],
            "research_question": str(field.question.pk),
        },
    )

    assert response.status_code == 201, response.json()
    insight = Insight.objects.get()
    cards = {card.board.slug: card for card in BoardCard.objects.filter(insight=insight)}
    assert response.json() == {
        "id": str(insight.pk),
        "study": str(team.study.pk),
        "statement": "People lose track of what is in the freezer.",
        "description": "Seen in every home.",
        "research_question": {"id": str(field.question.pk), "text": field.question.text},
        "tags": [tag_chip(field.pain), tag_chip(field.quotable)],
        "evidence_count": 3,
        "household_count": 3,
        "latest_round": round_ref(field.rounds[1]),
        "cover_photo": {
            "id": str(photo.pk),
            "caption": "Tubs without labels",
            "urls": photo_urls(photo),
        },
        "first_observed_at": iso(field.notes[0].captured_at),
        "created_at": iso(insight.created_at),
        "updated_at": iso(insight.updated_at),
        "created_by": "researcher",
        "rounds": [round_ref(field.rounds[0]), round_ref(field.rounds[1])],
        "evidence": evidence_rows(insight),
        "boards": [
            {
                "card": str(cards[slug].pk),
                "board": {
                    "id": str(board.pk),
                    "slug": slug,
                    "name": board.name,
                    "kind": slug,
                },
                "column": "new",
                "moved_at": iso(cards[slug].moved_at),
                "moved_by": None,
                "decision": None,
            }
            for slug, board in [("marketing", field.marketing), ("product", field.product)]
        ],
        "comments": [],
        "quote_uses": [],
    }
    assert len(response.json()["evidence"]) == 3


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"observations": ["elsewhere"]},
            {"observations": ["{elsewhere} is not part of this study."]},
        ),
        ({"tags": ["elsewhere tag"]}, {"tags": ["{elsewhere tag} is not part of this study."]}),
        ({"statement": "   "}, {"statement": ["Say in one sentence what was learned."]}),
        (
            {"observations": [], "photos": []},
            {"observations": ["An insight needs evidence: choose at least one observation."]},
        ),
        ({"observations": ["not-a-uuid"]}, {"observations[0]": ["Must be a valid UUID."]}),
        ({"study": "other study"}, {"study": ["Not found, or not in a study of yours."]}),
    ],
)
def test_bad_insights_are_refused_and_nothing_is_saved(client_for, field, change, errors):
    other_study = field.team.outsider.memberships.get().study
    stand_ins = {
        "elsewhere": str(ObservationFactory(visit=VisitFactory()).pk),
        "elsewhere tag": str(TagFactory(study=other_study).pk),
        "other study": str(other_study.pk),
    }
    body = {
        "study": str(field.team.study.pk),
        "statement": "Freezers are black holes.",
        "observations": [str(field.quotes[0].pk)],
    }
    for key, value in change.items():
        body[key] = (
            [stand_ins.get(item, item) for item in value]
            if isinstance(value, list)
            else stand_ins.get(value, value)
        )
    expected = {key: [filled(m, stand_ins) for m in messages] for key, messages in errors.items()}

    response = client_for(field.team.lead).post(INSIGHTS, body)

    assert response.status_code == 400
    assert response.json() == {"errors": expected}
    assert not Insight.objects.exists()
    assert not BoardCard.objects.exists()


def test_product_and_marketing_cannot_make_insights(client_for, api_client, field):
    body = {
        "study": str(field.team.study.pk),
        "statement": "Freezers are black holes.",
        "observations": [str(field.quotes[0].pk)],
    }

    assert api_client.post(INSIGHTS, body).status_code == 401
    assert client_for(field.team.product).post(INSIGHTS, body).status_code == 403
    assert client_for(field.team.marketing).post(INSIGHTS, body).status_code == 403
    assert not Insight.objects.exists()


@pytest.fixture
def three_insights(field):
    return [
        make_insight(field, field.pain, statement="Freezers are black holes."),
        make_insight(field, field.quotable, statement="Labels get lost."),
        make_insight(field, statement="Nobody plans leftovers.", evidence=field.notes[:1]),
    ]


def test_the_list_shows_your_studies_insights_filtered_by_study_and_text(
    client_for, field, three_insights
):
    other = make_insight(field, statement="Hidden")
    other.study = field.team.outsider.memberships.get().study
    other.save(update_fields=["study"])
    client = client_for(field.team.product)

    everything = client.get(INSIGHTS).json()
    in_study = client.get(INSIGHTS, {"study": str(field.team.study.pk), "text": "LABEL"}).json()

    assert [row["statement"] for row in everything["results"]] == [
        "Nobody plans leftovers.",
        "Labels get lost.",
        "Freezers are black holes.",
    ]
    insight = three_insights[1]
    insight.refresh_from_db()
    assert in_study["results"] == [
        {
            "id": str(insight.pk),
            "study": str(field.team.study.pk),
            "statement": "Labels get lost.",
            "description": "",
            "research_question": None,
            "tags": [tag_chip(field.quotable)],
            "evidence_count": 3,
            "household_count": 3,
            "latest_round": round_ref(field.rounds[1]),
            "cover_photo": None,
            "first_observed_at": iso(insight.first_observed_at),
            "created_at": iso(insight.created_at),
            "updated_at": iso(insight.updated_at),
        }
    ]
    assert client_for(field.team.outsider).get(INSIGHTS).json()["results"][0]["statement"] == (
        "Hidden"
    )


def test_the_list_costs_the_same_queries_for_more_insights(
    client_for, field, three_insights, django_assert_num_queries
):
    client = client_for(field.team.lead)
    # the count, the page joined to study, latest round, cover photo and research
    # question, then the page's tags
    with django_assert_num_queries(3):
        client.get(INSIGHTS)
    for index in range(5):
        photo = ready_photo(field.notes[index % 3].visit)
        insights.insight_create(
            study=field.team.study,
            actor=field.team.lead,
            statement=f"More {index}",
            photo_ids=[photo.pk],
            tag_ids=[field.delight.pk, field.loose.pk],
            research_question_id=field.question.pk,
        )

    with django_assert_num_queries(3):
        response = client.get(INSIGHTS)

    assert response.json()["count"] == 8


def test_the_list_refuses_a_malformed_study(client_for, field):
    response = client_for(field.team.lead).get(INSIGHTS, {"study": "Study 1"})

    assert response.status_code == 400
    assert response.json() == {"errors": {"study": ["Must be a valid UUID."]}}


def test_the_detail_shows_decisions_comments_and_quote_uses(client_for, field):
    insight = make_insight(field, field.pain, field.quotable)
    product_card = BoardCard.objects.get(insight=insight, board=field.product)
    boards.card_move(card=product_card, column=Column.EXPLORING, actor=field.team.product)
    boards.card_move(card=product_card, column=Column.PLANNED, actor=field.team.lead)
    boards.card_move(card=product_card, column=Column.PARKED, actor=field.team.product)
    comment = insights.comment_create(insight=insight, author=field.team.marketing, text="Love it")
    use = quotes.quote_use_record(
        quote=field.quotes[0],
        actor=field.team.marketing,
        campaign="Spring mailer",
        link="https://example.org/spring",
        used_on=dt.date(2027, 3, 1),
    )
    planned = product_card.events.get(to_column=Column.PLANNED)

    body = client_for(field.team.researcher2).get(insight_url(insight)).json()

    product_card.refresh_from_db()
    assert body["boards"][1] == {
        "card": str(product_card.pk),
        "board": {
            "id": str(field.product.pk),
            "slug": "product",
            "name": "Product board",
            "kind": "product",
        },
        "column": "parked",
        "moved_at": iso(product_card.moved_at),
        "moved_by": "product",
        "decision": {
            "column": "planned",
            "by": "lead",
            "at": iso(planned.created_at),
            "campaign": "",
        },
    }
    # The use of one of its quotes decided the marketing card, and moved it to Used in copy.
    assert (body["boards"][0]["column"], body["boards"][0]["decision"]) == (
        "used",
        {
            "column": "used",
            "by": "marketing",
            "at": iso(use.created_at),
            "campaign": "Spring mailer",
        },
    )
    assert body["comments"] == [
        {
            "id": str(comment.pk),
            "author": "marketing",
            "text": "Love it",
            "created_at": iso(comment.created_at),
        }
    ]
    assert body["quote_uses"] == [
        {
            "id": str(use.pk),
            "quote": str(field.quotes[0].pk),
            "campaign": "Spring mailer",
            "link": "https://example.org/spring",
            "used_on": "2027-03-01",
            "recorded_by": "marketing",
            "created_at": iso(use.created_at),
        }
    ]
    assert body["evidence"] == evidence_rows(insight)


def test_a_card_taken_off_its_board_is_not_listed_on_the_insight(client_for, field):
    insight = make_insight(field, field.pain, field.quotable)
    insights.insight_update(insight=insight, actor=field.team.lead, tag_ids=[field.pain.pk])

    body = client_for(field.team.lead).get(insight_url(insight)).json()

    assert [board["board"]["slug"] for board in body["boards"]] == ["product"]


def test_the_detail_is_hidden_from_outsiders_and_anonymous(client_for, api_client, field):
    insight = make_insight(field)

    assert api_client.get(insight_url(insight)).status_code == 401
    assert client_for(field.team.outsider).get(insight_url(insight)).status_code == 404
    missing = f"{INSIGHTS}00000000-0000-0000-0000-000000000000/"
    assert client_for(field.team.lead).get(missing).status_code == 404


def test_editing_an_insight_retags_and_routes_it_again(client_for, field):
    insight = make_insight(field, field.pain)
    insight.research_question = field.question
    insight.save(update_fields=["research_question"])

    response = client_for(field.team.researcher2).patch(
        insight_url(insight),
        {
            "statement": "Freezers hide food.",
            "tags": [str(field.delight.pk)],
            "research_question": None,
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["statement"], body["tags"], body["research_question"]) == (
        "Freezers hide food.",
        [tag_chip(field.delight)],
        None,
    )
    assert [board["board"]["slug"] for board in body["boards"]] == ["marketing"]


def test_editing_leaves_out_fields_alone(client_for, field):
    insight = make_insight(field, field.pain)
    insight.research_question = field.question
    insight.save(update_fields=["research_question"])

    response = client_for(field.team.lead).patch(insight_url(insight), {"description": "More."})

    insight.refresh_from_db()
    assert response.status_code == 200
    assert (insight.statement, insight.description, insight.research_question) == (
        "People lose track of what is in the freezer.",
        "More.",
        field.question,
    )
    assert list(insight.tags.all()) == [field.pain]


def test_a_bad_edit_changes_nothing(client_for, field):
    insight = make_insight(field, field.pain)
    elsewhere = TagFactory(study=field.team.outsider.memberships.get().study)

    response = client_for(field.team.lead).patch(
        insight_url(insight), {"statement": "New", "tags": [str(elsewhere.pk)]}
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"tags": [f"{elsewhere.pk} is not part of this study."]}}
    insight.refresh_from_db()
    assert insight.statement == "People lose track of what is in the freezer."
    assert list(insight.tags.all()) == [field.pain]


@pytest.mark.parametrize(("persona", "code"), [("product", 403), ("outsider", 404)])
def test_only_researchers_and_leads_edit_insights(client_for, field, persona, code):
    insight = make_insight(field)

    response = client_for(getattr(field.team, persona)).patch(
        insight_url(insight), {"statement": "Mine now"}
    )

    assert response.status_code == code
    insight.refresh_from_db()
    assert insight.statement == "People lose track of what is in the freezer."


def test_evidence_is_added_from_other_households_and_rounds(client_for, field):
    insight = make_insight(field, evidence=field.quotes[:1])
    photo = ready_photo(field.notes[2].visit, caption="Frost")

    response = client_for(field.team.researcher).post(
        insight_url(insight, "evidence/"),
        {
            "observations": [str(field.notes[1].pk), str(field.quotes[0].pk)],
            "photos": [str(photo.pk)],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["evidence_count"], body["household_count"]) == (3, 3)
    assert body["rounds"] == [round_ref(field.rounds[0]), round_ref(field.rounds[1])]
    assert body["cover_photo"]["id"] == str(photo.pk)
    assert body["evidence"] == evidence_rows(insight)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"observations": ["elsewhere"]},
            {"observations": ["{elsewhere} is not part of this study."]},
        ),
        (
            {"photos": ["elsewhere photo"]},
            {"photos": ["{elsewhere photo} is not part of this study."]},
        ),
        ({}, {"observations": ["Choose at least one observation or photo to add."]}),
    ],
)
def test_evidence_from_another_study_is_refused(client_for, field, body, errors):
    insight = make_insight(field, evidence=field.quotes[:1])
    elsewhere_visit = VisitFactory()
    stand_ins = {
        "elsewhere": str(ObservationFactory(visit=elsewhere_visit).pk),
        "elsewhere photo": str(ready_photo(elsewhere_visit).pk),
    }
    body = {key: [stand_ins[item] for item in value] for key, value in body.items()}

    response = client_for(field.team.lead).post(insight_url(insight, "evidence/"), body)

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            key: [filled(m, stand_ins) for m in messages] for key, messages in errors.items()
        }
    }
    assert Evidence.objects.filter(insight=insight).count() == 1


def test_evidence_is_removed_but_the_last_piece_stays(client_for, field):
    insight = make_insight(field, evidence=field.quotes[:2])
    first, second = Evidence.objects.filter(insight=insight).order_by("created_at", "pk")
    client = client_for(field.team.researcher)

    response = client.post(insight_url(insight, "evidence/remove/"), {"evidence": [str(first.pk)]})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["evidence"]] == [str(second.pk)]
    assert response.json()["household_count"] == 1

    response = client.post(insight_url(insight, "evidence/remove/"), {"evidence": [str(second.pk)]})

    assert response.status_code == 409
    assert response.json() == {
        "errors": {
            "evidence": ["An insight keeps at least one piece of evidence; add another first."]
        }
    }
    assert list(Evidence.objects.filter(insight=insight)) == [second]


def test_removing_evidence_of_another_insight_changes_nothing(client_for, field):
    insight = make_insight(field, evidence=field.quotes[:2])
    other = Evidence.objects.filter(insight=make_insight(field)).first()

    response = client_for(field.team.lead).post(
        insight_url(insight, "evidence/remove/"), {"evidence": [str(other.pk)]}
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"evidence": [f"{other.pk} is not evidence of this insight."]}
    }
    assert Evidence.objects.filter(insight=insight).count() == 2
    assert Evidence.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(("persona", "code"), [("marketing", 403), ("outsider", 404)])
def test_only_researchers_and_leads_change_evidence(client_for, field, persona, code):
    insight = make_insight(field, evidence=field.quotes[:2])
    evidence = Evidence.objects.filter(insight=insight).first()
    client = client_for(getattr(field.team, persona))

    added = client.post(
        insight_url(insight, "evidence/"), {"observations": [str(field.notes[0].pk)]}
    )
    removed = client.post(
        insight_url(insight, "evidence/remove/"), {"evidence": [str(evidence.pk)]}
    )

    assert (added.status_code, removed.status_code) == (code, code)
    assert Evidence.objects.filter(insight=insight).count() == 2


def test_anyone_on_the_team_comments_and_reads_comments(client_for, field):
    insight = make_insight(field)
    client = client_for(field.team.product)

    created = client.post(insight_url(insight, "comments/"), {"text": "  Could we test a label? "})
    listed = client.get(insight_url(insight, "comments/"))

    comment = Comment.objects.get()
    expected = {
        "id": str(comment.pk),
        "author": "product",
        "text": "Could we test a label?",
        "created_at": iso(comment.created_at),
    }
    assert (created.status_code, created.json()) == (201, expected)
    assert (listed.status_code, listed.json()) == (200, [expected])


def test_comments_need_text_and_a_place_on_the_team(client_for, api_client, field):
    insight = make_insight(field)
    url = insight_url(insight, "comments/")
    assert api_client.post(url, {"text": "Hi"}).status_code == 401

    blank = client_for(field.team.lead).post(url, {"text": "   "})

    assert blank.status_code == 400
    assert blank.json() == {"errors": {"text": ["Write something to comment."]}}
    assert client_for(field.team.outsider).post(url, {"text": "Hi"}).status_code == 404
    assert client_for(field.team.outsider).get(url).status_code == 404
    assert not Comment.objects.exists()
