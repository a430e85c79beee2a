"""GET /api/v1/visits/{id}/observations/: what was captured on a visit, tags included."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ObservationFactory, TagFactory
from tests.fieldwork import sync_support
from tests.fieldwork.sync_support import signed_in, sync, upsert

capture = sync_support.capture


def observations_url(visit) -> str:
    return f"/api/v1/visits/{visit.pk}/observations/"


def test_it_lists_live_observations_oldest_capture_first_with_tags(team, capture):
    now = timezone.now()
    later = upsert(capture.visit, text="Later.", captured_at=now - dt.timedelta(minutes=1))
    earlier = upsert(
        capture.visit,
        kind="quote",
        text="Earlier.",
        speaker="father, 50s",
        tags=["Waste", "Cold chain"],
        captured_at=now - dt.timedelta(minutes=9),
    )
    gone = upsert(capture.visit, text="Gone.", captured_at=now - dt.timedelta(minutes=5))
    client = signed_in(team.researcher)
    sync(client, later, earlier, gone, sync_support.delete(gone["device_id"], now))

    response = client.get(observations_url(capture.visit))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(o["text"], o["tags"], o["speaker"]) for o in results] == [
        ("Earlier.", ["Cold chain", "Waste"], "father, 50s"),
        ("Later.", [], ""),
    ]
    assert results[0]["device_id"] == earlier["device_id"]


@pytest.mark.parametrize("persona", ["lead", "researcher", "researcher2", "product", "marketing"])
def test_members_of_the_study_read_a_visits_observations(team, capture, persona):
    ObservationFactory(visit=capture.visit)

    response = signed_in(getattr(team, persona)).get(observations_url(capture.visit))

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_outsiders_and_anonymous_visitors_do_not(api_client, team, capture):
    ObservationFactory(visit=capture.visit)

    assert api_client.get(observations_url(capture.visit)).status_code == 401
    response = signed_in(team.outsider).get(observations_url(capture.visit))
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}


def test_the_list_costs_the_same_queries_for_many_observations(
    team, capture, django_assert_num_queries
):
    tag = TagFactory(study=team.study)
    ObservationFactory(visit=capture.visit).tags.add(tag)
    client = signed_in(team.researcher)
    # the visit, the user's role, the count, the page with authors, the page's tags
    with django_assert_num_queries(5):
        client.get(observations_url(capture.visit))
    for _ in range(20):
        ObservationFactory(visit=capture.visit).tags.add(tag)

    with django_assert_num_queries(5):
        response = client.get(observations_url(capture.visit))

    assert response.json()["count"] == 21
