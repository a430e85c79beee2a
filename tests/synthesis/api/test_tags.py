"""/api/v1/studies/{id}/tag-counts/ and /api/v1/tags/: the study's taxonomy, counted,
created, renamed and merged without losing a link."""

import pytest
from django.utils import timezone

from studies.fieldwork.models import ObservationTag, Tag
from studies.synthesis.models import BoardCard, InsightTag, RoutingRule
from studies.synthesis.services import boards
from tests.factories import ObservationFactory, TagFactory
from tests.synthesis.api.conftest import make_insight

pytestmark = pytest.mark.django_db

TAGS = "/api/v1/tags/"


def counts_url(study) -> str:
    return f"/api/v1/studies/{study.pk}/tag-counts/"


def tag_url(tag, suffix: str = "") -> str:
    return f"{TAGS}{tag.pk}/{suffix}"


def tagged(field):
    """Pain on two notes of the first round, quotable on two quotes of the latest, one
    insight carrying both, and a deleted note that no longer counts."""
    for note in field.notes[:2]:
        note.tags.add(field.pain)
    for quote in field.quotes[:2]:
        quote.tags.add(field.quotable)
    ObservationFactory(visit=field.notes[2].visit, deleted_at=timezone.now()).tags.add(field.pain)
    return make_insight(field, field.pain, field.quotable)


def links(tag) -> tuple[int, int, int]:
    return (
        ObservationTag.objects.filter(tag=tag).count(),
        InsightTag.objects.filter(tag=tag).count(),
        RoutingRule.objects.filter(tag=tag).count(),
    )


def test_tag_counts_give_each_tag_its_observations_and_insights_per_round(client_for, field):
    tagged(field)
    first, latest = field.rounds

    response = client_for(field.team.product).get(counts_url(field.team.study))

    assert response.status_code == 200

    def row(tag, observations, insights, by_round):
        return {
            "id": str(tag.pk),
            "name": tag.name,
            "group": tag.group,
            "colour": "#5b6b7f",
            "description": "",
            "observations": observations,
            "insights": insights,
            "by_round": [
                {"round": str(first.pk), "observations": by_round[0]},
                {"round": str(latest.pk), "observations": by_round[1]},
            ],
        }

    assert response.json() == {
        "rounds": [
            {"id": str(first.pk), "label": "2026-Q3"},
            {"id": str(latest.pk), "label": "2026-Q4"},
        ],
        "tags": [
            row(field.pain, 2, 1, (2, 0)),
            row(field.delight, 0, 0, (0, 0)),
            row(field.loose, 0, 0, (0, 0)),
            row(field.quotable, 2, 1, (0, 2)),
        ],
    }


def test_tag_counts_cost_the_same_queries_however_many_tags(
    client_for, field, django_assert_num_queries
):
    tagged(field)
    client = client_for(field.team.lead)
    # the study, the user's role in it, its rounds, its tags with insight counts, and the
    # observation counts per tag and round
    with django_assert_num_queries(5):
        client.get(counts_url(field.team.study))
    for index in range(6):
        field.quotes[2].tags.add(TagFactory(study=field.team.study, name=f"More {index}"))

    with django_assert_num_queries(5):
        response = client.get(counts_url(field.team.study))

    assert len(response.json()["tags"]) == 10


def test_tag_counts_are_hidden_from_outsiders_and_anonymous(client_for, api_client, field):
    assert api_client.get(counts_url(field.team.study)).status_code == 401
    assert client_for(field.team.outsider).get(counts_url(field.team.study)).status_code == 404


def test_the_lead_adds_a_tag_with_group_colour_and_description(client_for, field):
    response = client_for(field.team.lead).post(
        TAGS,
        {
            "study": str(field.team.study.pk),
            "name": "  Leftover   roulette ",
            "group": "workaround",
            "colour": "#2f7d4f",
            "description": "Guessing what a tub holds.",
        },
    )

    assert response.status_code == 201
    tag = Tag.objects.get(name="Leftover roulette")
    assert response.json() == {
        "id": str(tag.pk),
        "study": str(field.team.study.pk),
        "name": "Leftover roulette",
        "group": "workaround",
        "colour": "#2f7d4f",
        "description": "Guessing what a tub holds.",
    }


@pytest.mark.parametrize(
    ("persona", "code"), [("researcher", 403), ("product", 403), ("outsider", 400)]
)
def test_only_the_lead_adds_tags(client_for, field, persona, code):
    before = Tag.objects.count()

    response = client_for(getattr(field.team, persona)).post(
        TAGS, {"study": str(field.team.study.pk), "name": "Mine"}
    )

    assert response.status_code == code
    if code == 400:
        assert response.json() == {"errors": {"study": ["Not found, or not in a study of yours."]}}
    assert Tag.objects.count() == before


def test_a_clashing_or_badly_coloured_tag_is_refused(client_for, field):
    before = Tag.objects.count()

    response = client_for(field.team.lead).post(
        TAGS,
        {
            "study": str(field.team.study.pk),
            "name": "freezer BLINDNESS",
            "colour": "green",
            "group": "vibes",
        },
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"group": ['"vibes" is not a valid choice.']},
    }
    response = client_for(field.team.lead).post(
        TAGS, {"study": str(field.team.study.pk), "name": "freezer BLINDNESS", "colour": "green"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "name": [
                "This study already has a tag called “freezer BLINDNESS”; merge into it instead."
            ],
            "colour": ["Give the colour as #rrggbb, e.g. #2f7d4f."],
        }
    }
    assert Tag.objects.count() == before


def test_renaming_a_tag_keeps_every_link(client_for, field):
    insight = tagged(field)
    before = links(field.pain)

    response = client_for(field.team.lead).patch(
        tag_url(field.pain), {"name": "Freezer amnesia", "colour": "#aa3300"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": str(field.pain.pk),
        "study": str(field.team.study.pk),
        "name": "Freezer amnesia",
        "group": "pain_point",
        "colour": "#aa3300",
        "description": "",
    }
    assert links(field.pain) == before == (3, 1, 0)
    assert BoardCard.objects.filter(insight=insight, removed_at__isnull=True).count() == 2


def test_regrouping_a_tag_routes_its_insights_again(client_for, field):
    insight = make_insight(field, field.loose)

    response = client_for(field.team.lead).patch(tag_url(field.loose), {"group": "delight"})

    assert response.status_code == 200
    assert list(
        BoardCard.objects.filter(insight=insight, removed_at__isnull=True).values_list(
            "board__slug", flat=True
        )
    ) == ["marketing"]


@pytest.mark.parametrize(("persona", "code"), [("researcher", 403), ("outsider", 404)])
def test_only_the_lead_edits_tags(client_for, field, persona, code):
    response = client_for(getattr(field.team, persona)).patch(
        tag_url(field.pain), {"name": "Renamed"}
    )

    assert response.status_code == code
    field.pain.refresh_from_db()
    assert field.pain.name == "Freezer blindness"


def test_merging_moves_every_link_and_reports_the_counts(client_for, field):
    insight = tagged(field)
    field.notes[0].tags.add(field.loose)  # already carries pain: keeps one link
    field.notes[2].tags.add(field.loose)
    loose_only = make_insight(field, field.loose, statement="Nobody labels tubs.")
    boards.routing_rule_create(board_id=field.product.pk, tag_id=field.loose.pk)

    response = client_for(field.team.lead).post(
        tag_url(field.loose, "merge/"), {"into": str(field.pain.pk)}
    )

    assert response.status_code == 200
    assert response.json() == {
        "into": {
            "id": str(field.pain.pk),
            "study": str(field.team.study.pk),
            "name": "Freezer blindness",
            "group": "pain_point",
            "colour": "#5b6b7f",
            "description": "",
        },
        "observations_moved": 1,
        "insights_moved": 1,
        "rules_moved": 1,
    }
    assert not Tag.objects.filter(pk=field.loose.pk).exists()
    assert links(field.pain) == (4, 2, 1)
    assert set(InsightTag.objects.filter(tag=field.pain).values_list("insight_id", flat=True)) == {
        insight.pk,
        loose_only.pk,
    }


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("self", "A tag cannot be merged into itself."),
        ("other study", "There is no such tag in this study."),
        ("missing", "There is no such tag in this study."),
    ],
)
def test_a_bad_merge_is_refused_and_changes_nothing(client_for, field, into, message):
    tagged(field)
    target = {
        "self": field.pain.pk,
        "other study": TagFactory(study=field.team.outsider.memberships.get().study).pk,
        "missing": "00000000-0000-0000-0000-000000000000",
    }[into]
    before = links(field.pain)

    response = client_for(field.team.lead).post(
        tag_url(field.pain, "merge/"), {"into": str(target)}
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"into": [message]}}
    assert links(field.pain) == before
    assert Tag.objects.filter(pk=field.pain.pk).exists()


def test_merging_needs_the_lead(client_for, api_client, field):
    url = tag_url(field.loose, "merge/")
    body = {"into": str(field.pain.pk)}

    assert api_client.post(url, body).status_code == 401
    assert client_for(field.team.researcher).post(url, body).status_code == 403
    assert client_for(field.team.outsider).post(url, body).status_code == 404
    assert Tag.objects.filter(pk=field.loose.pk).exists()


def test_capture_still_lists_the_studys_tags(client_for, field):
    response = client_for(field.team.researcher).get(f"/api/v1/studies/{field.team.study.pk}/tags/")

    assert response.status_code == 200
    assert {tag["name"] for tag in response.json()["results"]} == {
        "Freezer blindness",
        "Say it like this",
        "Joy of a clear shelf",
        "Misc",
    }
