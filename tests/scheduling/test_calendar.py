"""Researchers' iCalendar feeds, read back by an independent parser (vobject)."""

import datetime as dt
import zoneinfo

import pytest
import vobject
from django.urls import reverse

from studies.scheduling import services
from studies.scheduling.models import CalendarFeed, VisitStatus
from tests.factories import RoundFactory, VisitFactory

UTC = dt.UTC


def read_feed(client, feed: CalendarFeed):
    response = client.get(reverse("calendar-feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return vobject.readOne(response.content.decode())


@pytest.fixture
def feed(team):
    return services.calendar_feed_get_or_create(researcher=team.researcher)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # Clocks go forward in London on 28 March 2027 and back on 31 October 2027.
        (
            "Europe/London",
            dt.datetime(2027, 3, 26, 9, tzinfo=UTC),
            dt.datetime(2027, 3, 29, 8, tzinfo=UTC),
        ),
        (
            "Europe/London",
            dt.datetime(2027, 10, 29, 8, tzinfo=UTC),
            dt.datetime(2027, 11, 1, 9, tzinfo=UTC),
        ),
        # New York moves on 14 March 2027.
        (
            "America/New_York",
            dt.datetime(2027, 3, 12, 14, tzinfo=UTC),
            dt.datetime(2027, 3, 15, 13, tzinfo=UTC),
        ),
    ],
)
def test_visit_times_survive_a_dst_change_in_the_feed(client, team, feed, zone, before, after):
    team.study.time_zone = zone
    team.study.save()
    round_ = RoundFactory(
        study=team.study, window_start=dt.date(2027, 1, 1), window_end=dt.date(2027, 12, 31)
    )
    for start in (before, after):
        VisitFactory(round=round_, researcher=team.researcher, scheduled_start=start)

    calendar = read_feed(client, feed)

    events = sorted(calendar.vevent_list, key=lambda e: e.dtstart.value)
    assert [e.dtstart.value for e in events] == [before, after]
    assert [e.dtend.value - e.dtstart.value for e in events] == [dt.timedelta(minutes=90)] * 2
    # A phone in the study's zone shows the same wall-clock time on both sides.
    local = zoneinfo.ZoneInfo(zone)
    assert len({e.dtstart.value.astimezone(local).time() for e in events}) == 1


def test_the_feed_holds_only_its_researchers_visits_with_pseudonyms(client, team, feed):
    mine = VisitFactory(
        round__study=team.study,
        researcher=team.researcher,
        scheduled_start=dt.datetime(2027, 1, 12, 9, tzinfo=UTC),
    )
    VisitFactory(round__study=team.study, researcher=team.researcher2)

    calendar = read_feed(client, feed)

    [event] = calendar.vevent_list
    assert event.uid.value == f"{mine.pk}@researchhub"
    assert event.summary.value == f"Visit {mine.household.code} — {team.study.title}"
    text = calendar.serialize()
    contact = mine.household.contact
    for personal in (contact.name, contact.phone, contact.email, contact.address.splitlines()[0]):
        assert personal not in text


def test_cancelled_visits_are_marked_cancelled_and_moves_raise_the_sequence(client, team, feed):
    round_ = RoundFactory(study=team.study)
    cancelled = VisitFactory(round=round_, researcher=team.researcher)
    services.visit_transition(visit=cancelled, actor=team.lead, to_status=VisitStatus.CANCELLED)
    moved = VisitFactory(
        round=round_,
        researcher=team.researcher,
        scheduled_start=dt.datetime(2027, 2, 2, 10, tzinfo=UTC),
    )
    moved.household.enrolments.create(study=team.study)
    services.visit_reschedule(
        visit=moved, actor=team.lead, start=dt.datetime(2027, 2, 3, 10, tzinfo=UTC)
    )

    events = {e.uid.value: e for e in read_feed(client, feed).vevent_list}

    assert events[f"{cancelled.pk}@researchhub"].status.value == "CANCELLED"
    assert events[f"{moved.pk}@researchhub"].sequence.value == "1"
    assert events[f"{moved.pk}@researchhub"].dtstart.value.astimezone(UTC) == dt.datetime(
        2027, 2, 3, 10, tzinfo=UTC
    )


def test_getting_the_feed_twice_returns_the_same_url(team, feed):
    assert services.calendar_feed_get_or_create(researcher=team.researcher) == feed


def test_a_revoked_feed_stops_working_and_a_new_one_is_issued(client, team, feed):
    services.calendar_feed_revoke(researcher=team.researcher)
    fresh = services.calendar_feed_get_or_create(researcher=team.researcher)

    old = client.get(reverse("calendar-feed", args=[feed.token]))

    assert old.status_code == 404
    assert fresh.token != feed.token
    assert read_feed(client, fresh) is not None


def test_unknown_tokens_and_inactive_researchers_get_404(client, team, feed):
    team.researcher.is_active = False
    team.researcher.save()

    assert client.get(reverse("calendar-feed", args=[feed.token])).status_code == 404
    assert client.get(reverse("calendar-feed", args=["not-a-token"])).status_code == 404


def test_the_feed_url_is_absolute_and_secret(team, feed, settings):
    settings.RESEARCHHUB_SITE_URL = "https://research.example.org"

    url = services.calendar_feed_url(feed)

    assert url == f"https://research.example.org/calendar/{feed.token}.ics"
    assert len(feed.token) >= 40


def test_the_feed_costs_the_same_queries_however_many_visits(
    client, team, feed, django_assert_num_queries
):
    round_ = RoundFactory(study=team.study)
    for day in range(1, 6):
        VisitFactory(
            round=round_,
            researcher=team.researcher,
            scheduled_start=dt.datetime(2027, 1, day + 10, 9, tzinfo=UTC),
        )

    # The feed by its token (with its researcher), then the visits with their round,
    # study, household and change count, then the visits that left her (none here).
    with django_assert_num_queries(3):
        calendar = read_feed(client, feed)

    assert len(calendar.vevent_list) == 5
