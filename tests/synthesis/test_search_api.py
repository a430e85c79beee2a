"""GET /api/v1/search/: the search service over HTTP, for every persona."""

import pytest
from django.urls import reverse

from studies.fieldwork.models import ObservationKind
from studies.scheduling.models import GuideQuestion
from studies.synthesis.services import insights
from tests.factories import ObservationFactory, PhotoFactory, UserFactory
from tests.synthesis.api.conftest import iso

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"


@pytest.fixture
def quote(field):
    return ObservationFactory(
        visit=field.quotes[0].visit,
        kind=ObservationKind.QUOTE,
        text="The <b>leftovers</b> always win, whatever else is in the fridge that week.",
        speaker="father, 50s",
    )


@pytest.fixture
def insight(field):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="Leftovers are forgotten.",
        description="Nobody looks behind the milk.",
        observation_ids=[field.notes[0].pk],
    )


def test_anonymous_requests_are_refused(client_for, field):
    response = client_for(None).get(SEARCH, {"q": "freezer"})

    assert response.status_code == 401
    assert response.json() == {
        "errors": {"detail": ["Authentication credentials were not provided."]}
    }


def test_it_answers_one_page_of_hits(client_for, field, quote, insight):
    response = client_for(field.team.marketing).get(SEARCH, {"q": "leftovers"})

    assert response.status_code == 200
    study = {"id": str(field.team.study.pk), "title": field.team.study.title}
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "kind": "insight",
                "id": str(insight.pk),
                "title": "Leftovers are forgotten.",
                "title_html": "<mark>Leftovers</mark> are forgotten.",
                "text": "Nobody looks behind the milk.",
                "snippet": "Nobody looks behind the milk.",
                "rank": response.json()["results"][0]["rank"],
                "study": study,
                "round": "2026-Q3",
                "household": "",
                "speaker": "",
                "url": f"/insights/{insight.pk}/",
                "at": iso(insight.updated_at),
                "question": None,
                "cleared_for_marketing": None,
                "tags": [],
                "thumbnail": None,
            },
            {
                "kind": "quote",
                "id": str(quote.pk),
                "title": "",
                "title_html": "",
                "text": quote.text,
                "snippet": (
                    "The &lt;b&gt;<mark>leftovers</mark>&lt;/b&gt; always win, whatever else "
                    "is in the fridge that week."
                ),
                "rank": response.json()["results"][1]["rank"],
                "study": study,
                "round": "2026-Q4",
                "household": field.households[0].code,
                "speaker": "father, 50s",
                "url": f"/visits/{quote.visit_id}/#obs-{quote.pk}",
                "at": iso(quote.captured_at),
                "question": None,
                "cleared_for_marketing": True,
                "tags": [],
                "thumbnail": None,
            },
        ],
    }
    first, second = (hit["rank"] for hit in response.json()["results"])
    assert first > second > 0


def test_a_photo_hit_carries_its_thumbnail_and_tags(client_for, field):
    photo = PhotoFactory(visit=field.notes[1].visit, caption="Chest freezer with <dividers>")
    photo.tags.add(field.pain, field.loose)

    response = client_for(field.team.sales).get(SEARCH, {"q": "blindness", "kind": "photo"})

    assert response.status_code == 200
    (hit,) = response.json()["results"]
    assert hit == {
        "kind": "photo",
        "id": str(photo.pk),
        "title": "",
        "title_html": "",
        "text": "Chest freezer with <dividers>",
        "snippet": "Chest freezer with &lt;dividers&gt;",
        "rank": hit["rank"],
        "study": {"id": str(field.team.study.pk), "title": field.team.study.title},
        "round": "2026-Q3",
        "household": field.households[1].code,
        "speaker": "",
        "url": f"/visits/{photo.visit_id}/#photo-{photo.pk}",
        "at": iso(photo.captured_at),
        "question": None,
        "cleared_for_marketing": None,
        "tags": [
            {"name": "Freezer blindness", "name_html": "Freezer <mark>blindness</mark>"},
            {"name": "Misc", "name_html": "Misc"},
        ],
        "thumbnail": reverse("photo-file", args=[photo.pk, "thumb", "jpg"]),
    }
    assert hit["rank"] > 0


def test_an_answer_hit_names_its_question(client_for, field):
    question = GuideQuestion.objects.create(
        round=field.rounds[0], position=0, text="What is in the bottom drawer?"
    )
    answer = ObservationFactory(
        visit=field.notes[0].visit,
        kind=ObservationKind.ANSWER,
        text="Bread, mostly, and one lonely pizza.",
        guide_question=question,
        question_text=question.text,
    )

    response = client_for(field.team.product).get(SEARCH, {"q": "pizza"})

    (hit,) = response.json()["results"]
    assert (hit["kind"], hit["id"]) == ("observation", str(answer.pk))
    assert hit["question"] == {
        "id": str(question.pk),
        "key": str(question.key),
        "text": "What is in the bottom drawer?",
    }
    assert hit["cleared_for_marketing"] is None


def test_a_quote_without_marketing_consent_is_marked_for_everyone_but_marketing(client_for, field):
    unconsented = field.quotes[2]

    for_product = client_for(field.team.product).get(SEARCH, {"q": "late", "kind": "quote"})
    for_marketing = client_for(field.team.marketing).get(SEARCH, {"q": "late", "kind": "quote"})

    cleared = {hit["id"]: hit["cleared_for_marketing"] for hit in for_product.json()["results"]}
    assert cleared == {
        str(field.quotes[0].pk): True,
        str(field.quotes[1].pk): True,
        str(unconsented.pk): False,
    }
    assert str(unconsented.pk) not in {hit["id"] for hit in for_marketing.json()["results"]}
    assert for_marketing.json()["count"] == 2


@pytest.mark.parametrize("persona", ["lead", "researcher", "researcher2", "product", "marketing"])
def test_every_member_finds_the_same(client_for, field, quote, insight, persona):
    response = client_for(getattr(field.team, persona)).get(SEARCH, {"q": "leftovers"})

    assert response.status_code == 200
    assert {hit["id"] for hit in response.json()["results"]} == {str(quote.pk), str(insight.pk)}


def test_a_superuser_finds_what_a_lead_finds(client_for, field, quote, insight):
    # Found by the API fuzz run: a superuser's search was a 500 (an empty queryset in the SQL).
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)

    response = client_for(admin).get(SEARCH, {"q": "leftovers"})

    assert response.status_code == 200
    assert {hit["id"] for hit in response.json()["results"]} == {str(quote.pk), str(insight.pk)}


def test_an_outsider_finds_nothing_of_the_study(client_for, field, quote, insight):
    client = client_for(field.team.outsider)

    anywhere = client.get(SEARCH, {"q": "leftovers"})
    named = client.get(SEARCH, {"q": "leftovers", "study": str(field.team.study.pk)})

    assert anywhere.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert named.json() == anywhere.json()


def test_filters_narrow_the_hits(client_for, field, quote, insight):
    client = client_for(field.team.lead)

    quotes = client.get(SEARCH, {"q": "leftovers", "kind": "quote"})
    both = client.get(SEARCH + "?q=leftovers&kind=quote&kind=insight")
    first_round = client.get(SEARCH, {"q": "leftovers", "round": str(field.rounds[0].pk)})
    study = client.get(SEARCH, {"q": "leftovers", "study": str(field.team.study.pk)})
    tag = client.get(SEARCH, {"q": "leftovers", "tag": str(field.pain.pk)})

    assert [hit["id"] for hit in quotes.json()["results"]] == [str(quote.pk)]
    assert both.json()["count"] == 2
    assert [hit["id"] for hit in first_round.json()["results"]] == [str(insight.pk)]
    assert study.json()["count"] == 2
    assert tag.json()["count"] == 0


def test_it_links_the_next_and_previous_pages(client_for, field):
    client = client_for(field.team.lead)

    first = client.get(SEARCH, {"q": "freezer", "page_size": 4})
    second = client.get(first.json()["next"])

    assert first.json()["count"] == second.json()["count"] == 6
    assert first.json()["next"] == "http://testserver/api/v1/search/?page=2&page_size=4&q=freezer"
    assert second.json()["previous"] == "http://testserver/api/v1/search/?page_size=4&q=freezer"
    assert second.json()["next"] is None
    assert len(first.json()["results"]) == 4
    assert len(second.json()["results"]) == 2


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"q": "x", "kind": "video"}, {"kind": ['"video" is not a valid choice.']}),
        ({"q": "x", "study": "not-a-uuid"}, {"study": ["Must be a valid UUID."]}),
        ({"q": "x", "round": "12"}, {"round": ["Must be a valid UUID."]}),
        ({"q": "x", "tag": "'; --"}, {"tag": ["Must be a valid UUID."]}),
        ({"q": "x", "page": "0"}, {"page": ["Ensure this value is greater than or equal to 1."]}),
        ({"q": "x", "page": "two"}, {"page": ["A valid integer is required."]}),
        (
            {"q": "x", "page": "9" * 30},
            {"page": ["Ensure this value is less than or equal to 1000."]},
        ),
        (
            {"q": "x", "page_size": "51"},
            {"page_size": ["Ensure this value is less than or equal to 50."]},
        ),
        (
            {"q": "x" * 201},
            {"q": ["Ensure this field has no more than 200 characters."]},
        ),
    ],
)
def test_bad_parameters_are_refused_by_name(client_for, field, params, errors):
    response = client_for(field.team.lead).get(SEARCH, params)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


@pytest.mark.parametrize("q", ["", '"', "AND OR NOT", "*", "x'y", "😀", "-freezer", "the"])
def test_odd_queries_find_nothing_without_error(client_for, field, q):
    response = client_for(field.team.lead).get(SEARCH, {"q": q})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_search_costs_the_same_queries_for_many_hits(
    client_for, field, quote, insight, django_assert_num_queries
):
    client = client_for(field.team.product)
    PhotoFactory(visit=field.notes[0].visit, caption="Leftovers in a tub").tags.add(field.pain)
    # The ranked page with its highlights, the page's observations, its insights, its photos.
    with django_assert_num_queries(4):
        client.get(SEARCH, {"q": "leftovers"})
    for index in range(10):
        ObservationFactory(visit=field.notes[1].visit, text="Leftovers again.")
        if index % 2:
            PhotoFactory(visit=field.notes[1].visit, caption="Leftovers").tags.add(field.pain)

    with django_assert_num_queries(4):
        response = client.get(SEARCH, {"q": "leftovers"})

    assert response.json()["count"] == len(response.json()["results"]) == 18
