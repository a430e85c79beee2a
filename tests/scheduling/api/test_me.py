"""/api/v1/me/: the signed-in user's availability and private calendar feed."""

import datetime as dt

import pytest

from studies.scheduling.models import Availability, CalendarFeed

AVAILABILITY = "/api/v1/me/availability/"
FEED = "/api/v1/me/calendar-feed/"


def test_it_refuses_anonymous_requests(api_client, db):
    assert api_client.get(AVAILABILITY).status_code == 401
    assert api_client.put(AVAILABILITY, []).status_code == 401
    assert api_client.get(FEED).status_code == 401
    assert api_client.delete(FEED).status_code == 401
    assert not CalendarFeed.objects.exists()


def test_a_researcher_replaces_and_reads_their_availability(client_for, team):
    Availability.objects.create(
        researcher=team.researcher2, weekday=4, start_time=dt.time(9), end_time=dt.time(17)
    )
    client = client_for(team.researcher)

    put = client.put(
        AVAILABILITY,
        [
            {"weekday": 2, "start_time": "13:00", "end_time": "17:00"},
            {"weekday": 0, "start_time": "09:00", "end_time": "12:30"},
        ],
    )
    got = client.get(AVAILABILITY)

    assert put.status_code == 200
    assert (
        got.json()
        == put.json()
        == [
            {"weekday": 0, "start_time": "09:00:00", "end_time": "12:30:00"},
            {"weekday": 2, "start_time": "13:00:00", "end_time": "17:00:00"},
        ]
    )
    # Someone else's hours are their own.
    assert team.researcher2.availability.count() == 1


def test_an_empty_list_clears_availability(client_for, team):
    Availability.objects.create(
        researcher=team.researcher, weekday=0, start_time=dt.time(9), end_time=dt.time(12)
    )

    response = client_for(team.researcher).put(AVAILABILITY, [])

    assert (response.status_code, response.json()) == (200, [])
    assert not team.researcher.availability.exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            [
                {"weekday": 0, "start_time": "09:00", "end_time": "12:00"},
                {"weekday": 1, "start_time": "12:00", "end_time": "09:00"},
            ],
            {"windows[1].end_time": ["Availability must end after it starts."]},
        ),
        (
            [{"weekday": 7, "start_time": "nine", "end_time": "12:00"}],
            {
                "windows[0].weekday": ['"7" is not a valid choice.'],
                "windows[0].start_time": [
                    "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."
                ],
            },
        ),
        (
            {"weekday": 0},
            {"windows": ['Expected a list of items but got type "dict".']},
        ),
    ],
)
def test_bad_availability_is_a_400_and_keeps_the_old_hours(client_for, team, payload, errors):
    Availability.objects.create(
        researcher=team.researcher, weekday=3, start_time=dt.time(9), end_time=dt.time(12)
    )

    response = client_for(team.researcher).put(AVAILABILITY, payload)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert list(team.researcher.availability.values_list("weekday", flat=True)) == [3]


def test_the_feed_url_is_issued_once_and_reused(client_for, team):
    client = client_for(team.researcher)

    first = client.get(FEED)
    second = client.get(FEED)

    assert first.status_code == 200
    feed = CalendarFeed.objects.get(researcher=team.researcher)
    assert (
        first.json() == second.json() == {"url": f"http://127.0.0.1:8000/calendar/{feed.token}.ics"}
    )


def test_renewing_the_feed_revokes_the_old_url(client, client_for, team):
    api = client_for(team.researcher)
    old_url = api.get(FEED).json()["url"]

    renewed = api.post(FEED)

    assert renewed.status_code == 201
    new_url = renewed.json()["url"]
    assert new_url != old_url
    path = "/" + new_url.split("/", 3)[3]
    assert client.get("/" + old_url.split("/", 3)[3]).status_code == 404
    assert client.get(path).status_code == 200


def test_deleting_the_feed_revokes_it(client_for, team):
    api = client_for(team.researcher)
    api.get(FEED)

    response = api.delete(FEED)

    assert response.status_code == 204
    assert not CalendarFeed.objects.filter(
        researcher=team.researcher, revoked_at__isnull=True
    ).exists()
