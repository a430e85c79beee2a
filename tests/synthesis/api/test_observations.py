"""/api/v1/studies/{id}/observations/browse/: the observations synthesis starts from."""

import pytest

from studies.fieldwork.models import ObservationKind
from tests.factories import ObservationFactory, VisitFactory
from tests.synthesis.api.conftest import iso, photo_urls, ready_photo, tag_chip

pytestmark = pytest.mark.django_db


def browse_url(study) -> str:
    return f"/api/v1/studies/{study.pk}/observations/browse/"


@pytest.fixture
def browsing(field):
    field.households[1].segment = {"household size": "2", "region": "south"}
    field.households[1].save(update_fields=["segment"])
    field.quotes[0].tags.add(field.quotable, field.delight)
    field.notes[1].tags.add(field.pain)
    return field


def texts(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["text"] for row in response.json()["results"]]


def test_a_row_shows_the_household_by_pseudonym_with_round_tags_and_photos(client_for, browsing):
    field = browsing
    quote = field.quotes[0]
    photo = ready_photo(quote.visit, observation=quote, caption="The freezer drawer")
    household = field.households[0]

    response = client_for(field.team.product).get(
        browse_url(field.team.study), {"household": str(household.pk), "kind": "quote"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(quote.pk),
                "kind": "quote",
                "text": "I never know what is in the freezer until it is too late (0).",
                "speaker": "mother, 40s",
                "question": None,
                "household": {"id": str(household.pk), "code": household.code},
                "segment_phrase": "parent of three, suburban",
                "round": {"id": str(field.rounds[1].pk), "label": "2026-Q4"},
                "author": "researcher",
                "captured_at": iso(quote.captured_at),
                "tags": [tag_chip(field.delight), tag_chip(field.quotable)],
                "photos": [
                    {
                        "id": str(photo.pk),
                        "caption": "The freezer drawer",
                        "urls": photo_urls(photo),
                    }
                ],
            }
        ],
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["quote 2", "note 2", "quote 1", "note 1", "quote 0", "note 0"]),
        ({"round": "first"}, ["note 2", "note 1", "note 0"]),
        ({"segment": "region=south"}, ["quote 1", "note 1"]),
        ({"segment": "Suburban"}, ["quote 0", "note 0"]),
        ({"tag": "pain"}, ["note 1"]),
        ({"kind": "note", "text": "(2)"}, ["note 2"]),
    ],
)
def test_filters_narrow_the_study_observations_newest_first(client_for, browsing, params, expected):
    field = browsing
    names = {str(o.pk): f"note {i}" for i, o in enumerate(field.notes)} | {
        str(o.pk): f"quote {i}" for i, o in enumerate(field.quotes)
    }
    params = {
        key: {"first": field.rounds[0].pk, "pain": field.pain.pk}.get(value, value)
        for key, value in params.items()
    }

    response = client_for(field.team.researcher).get(browse_url(field.team.study), params)

    assert response.status_code == 200
    assert [names[row["id"]] for row in response.json()["results"]] == expected


def test_deleted_observations_and_other_studies_stay_out(client_for, browsing, team):
    field = browsing
    ObservationFactory(
        visit=field.notes[0].visit, text="Deleted", deleted_at=field.notes[0].captured_at
    )
    ObservationFactory(visit=VisitFactory(), text="Elsewhere")

    response = client_for(team.lead).get(browse_url(team.study), {"text": "e"})

    assert response.json()["count"] == 6


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"round": "2026-Q3"}, {"round": ["Must be a valid UUID."]}),
        ({"kind": "video"}, {"kind": ['"video" is not a valid choice.']}),
        (
            {"household": "H-1", "tag": "pain"},
            {
                "household": ["Must be a valid UUID."],
                "tag": ["Must be a valid UUID."],
            },
        ),
    ],
)
def test_malformed_filters_are_a_400_naming_them(client_for, browsing, params, errors):
    response = client_for(browsing.team.lead).get(browse_url(browsing.team.study), params)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


def test_browsing_needs_a_place_on_the_team(client_for, api_client, browsing):
    url = browse_url(browsing.team.study)

    assert api_client.get(url).status_code == 401
    assert client_for(browsing.team.outsider).get(url).status_code == 404
    assert client_for(browsing.team.marketing).get(url).status_code == 200


def test_browsing_costs_the_same_queries_for_more_observations(
    client_for, browsing, django_assert_num_queries
):
    field = browsing
    client = client_for(field.team.lead)
    url = browse_url(field.team.study)
    # the study, the user's role, the count, the page joined to visit, household, round and
    # author, then the tags and the photos of the page's observations
    with django_assert_num_queries(6):
        client.get(url)
    for quote in field.quotes:
        for index in range(3):
            extra = ObservationFactory(
                visit=quote.visit, kind=ObservationKind.QUOTE, text=f"More {index}"
            )
            extra.tags.add(field.quotable)
            ready_photo(quote.visit, observation=extra)

    with django_assert_num_queries(6):
        response = client.get(url)

    assert response.json()["count"] == 15


@pytest.mark.parametrize("segment", ["region__contains=north", "region__regex=((", 'x"y=1'])
def test_a_segment_key_is_taken_literally_never_as_a_lookup(client_for, browsing, segment):
    response = client_for(browsing.team.lead).get(
        browse_url(browsing.team.study), {"segment": segment}
    )

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_an_answer_comes_with_its_question_and_one_questions_answers_are_found_across_rounds(
    client_for, browsing
):
    field = browsing
    key_round = {
        round_: round_.guide.create(position=0, text=f"Asked in {round_.label}?")
        for round_ in field.rounds
    }
    first, second = (key_round[round_] for round_ in field.rounds[:2])
    second.key = first.key
    second.save()
    other = field.rounds[1].guide.create(position=1, text="Something else?")
    for question, round_ in (
        (first, field.rounds[0]),
        (second, field.rounds[1]),
        (other, field.rounds[1]),
    ):
        visit = VisitFactory(round=round_)
        ObservationFactory(
            visit=visit,
            kind=ObservationKind.ANSWER,
            text=f"Answer to {question.text}",
            guide_question=question,
            question_text=question.text,
        )

    response = client_for(field.team.product).get(
        browse_url(field.team.study), {"question": str(first.key)}
    )

    rows = response.json()["results"]
    assert sorted(row["text"] for row in rows) == [
        f"Answer to {first.text}",
        f"Answer to {second.text}",
    ]
    assert {row["question"]["key"] for row in rows} == {str(first.key)}
    assert sorted(row["question"]["text"] for row in rows) == sorted([first.text, second.text])
