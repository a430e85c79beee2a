"""GET /api/v1/studies/<id>/trends/: personas, the answer's shape, 409 and bad input."""

import uuid

import pytest
from django.urls import reverse

from studies.scheduling.models import VisitStatus
from tests.loop.trend_support import Panel, trend_study

pytestmark = pytest.mark.django_db


def url(study_id, **query: str) -> str:
    path = reverse("api-study-trends", args=[study_id])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_anonymous_is_asked_to_sign_in(team, client_for):
    trend_study(team)

    response = client_for(None).get(url(team.study.pk))

    assert response.status_code == 401
    assert response.json() == {
        "errors": {"detail": ["Authentication credentials were not provided."]}
    }


def test_an_outsider_and_a_missing_study_are_not_found(team, client_for):
    trend_study(team)

    assert client_for(team.outsider).get(url(team.study.pk)).status_code == 404
    assert client_for(team.lead).get(url(uuid.uuid4())).status_code == 404


@pytest.mark.parametrize(
    "persona", ["lead", "researcher", "researcher2", "product", "marketing", "sales"]
)
def test_every_member_reads_the_trends(team, client_for, persona):
    study = trend_study(team)

    response = client_for(getattr(team, persona)).get(url(team.study.pk))

    assert response.status_code == 200
    first, latest = study.rounds
    body = response.json()
    assert body["rounds"] == [
        {"id": str(first.pk), "label": "2026-Q1", "households_visited": 8},
        {"id": str(latest.pk), "label": "2026-Q2", "households_visited": 8},
    ]
    assert body["not_visited"] == [{"id": str(study.upcoming.pk), "label": "2026-Q3"}]
    assert body["tags"] == [
        {
            "id": str(study.leftovers.pk),
            "label": "Leftovers in tubs",
            "cells": [
                {"round": str(first.pk), "households": 2, "share": 0.25, "change": "new"},
                {"round": str(latest.pk), "households": 5, "share": 0.625, "change": "growing"},
            ],
            "shipped": [],
        },
        {
            "id": str(study.labels.pk),
            "label": "Hand-written labels",
            "cells": [
                {"round": str(first.pk), "households": 0, "share": 0.0, "change": None},
                {"round": str(latest.pk), "households": 2, "share": 0.25, "change": "new"},
            ],
            "shipped": [],
        },
        {
            "id": str(study.freezer.pk),
            "label": "Freezer blindness",
            "cells": [
                {"round": str(first.pk), "households": 3, "share": 0.375, "change": "new"},
                {"round": str(latest.pk), "households": 0, "share": 0.0, "change": "gone"},
            ],
            "shipped": [str(study.shipped.pk)],
        },
    ]
    assert [(row["id"], row["shipped"]) for row in body["insights"]] == [
        (str(study.growing.pk), []),
        (str(study.shipped.pk), [str(study.shipped.pk)]),
    ]


def test_a_segment_narrows_the_households(team, client_for):
    trend_study(team)

    body = client_for(team.product).get(url(team.study.pk, segment="region=south")).json()

    assert [r["households_visited"] for r in body["rounds"]] == [4, 4]
    assert {row["label"]: [c["households"] for c in row["cells"]] for row in body["tags"]} == {
        "Leftovers in tubs": [1, 2],
        "Hand-written labels": [0, 1],
    }


def test_fewer_than_two_visited_rounds_is_a_conflict(team, client_for):
    panel = Panel.of(team, 2)
    spring, summer = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    panel.visit_all(spring)
    panel.visit(summer, panel.households[0], VisitStatus.SCHEDULED)

    response = client_for(team.lead).get(url(team.study.pk))

    assert response.status_code == 409
    assert response.json() == {
        "errors": {
            "study": [
                "Trends compare rounds: this study has 1 round with visits so far. Come back "
                "after the next round's visits."
            ]
        }
    }


def test_a_segment_nobody_is_in_is_a_conflict_that_names_it(team, client_for):
    trend_study(team)

    response = client_for(team.lead).get(url(team.study.pk, segment="region=west"))

    assert response.status_code == 409
    assert response.json()["errors"]["study"] == [
        "Trends compare rounds: in the segment “region=west” 0 rounds have visits so far. "
        "Choose another segment, or come back after the next round."
    ]


def test_a_segment_too_long_is_refused(team, client_for):
    trend_study(team)

    response = client_for(team.lead).get(url(team.study.pk, segment="x" * 201))

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"segment": ["Ensure this field has no more than 200 characters."]}
    }


def test_it_answers_in_a_bounded_number_of_queries(team, client_for, django_assert_num_queries):
    trend_study(team)
    client = client_for(team.product)

    # Queries: the study; the viewer's role; then study_trends's eight (rounds, visited
    # households, tag counts, insight counts, tags, insights, shipped insights, their tags).
    with django_assert_num_queries(10):
        response = client.get(url(team.study.pk))

    assert response.status_code == 200


def test_a_tagged_photo_counts_its_household_in_the_api_too(team, client_for):
    study = trend_study(team)
    first, latest = study.rounds
    # Household 7 showed the freezer tag on a photo only, in the latest round: no longer gone.
    study.panel.photo(latest, study.panel.households[7]).tags.add(study.freezer)

    body = client_for(team.sales).get(url(team.study.pk)).json()

    (freezer,) = [row for row in body["tags"] if row["id"] == str(study.freezer.pk)]
    assert freezer["cells"] == [
        {"round": str(first.pk), "households": 3, "share": 0.375, "change": "new"},
        {"round": str(latest.pk), "households": 1, "share": 0.125, "change": "fading"},
    ]
    assert freezer["shipped"] == []
