"""A visit that leaves a researcher (handed to someone else, cancelled or deleted) stays in
her calendar feed, cancelled, for thirty days: calendar apps that missed the change take it
off her calendar rather than keep it. Feeds are read back with the icalendar parser."""

import datetime as dt
import uuid

import icalendar
import pytest
import time_machine
from django.urls import reverse

from studies.common.models import User
from studies.scheduling import services, tasks
from studies.scheduling.models import CalendarDeparture, CalendarFeed, Visit, VisitStatus
from studies.scheduling.services import staffing
from tests.conftest import Team, enrol_consenting
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2027, 1, 4, 8, tzinfo=UTC)  # a Monday; the visits are the next week


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booked(team: Team) -> list[Visit]:
    """The researcher's visits on Tuesday, Wednesday and Thursday, 10:00 to 11:30."""
    round_ = RoundFactory(study=team.study, label="2027-Q1")
    households = enrol_consenting(team.study, 3)
    return [
        services.visit_create(
            round_=round_,
            household=household,
            researcher=team.researcher,
            start=dt.datetime(2027, 1, 12 + index, 10, tzinfo=UTC),
            end=dt.datetime(2027, 1, 12 + index, 11, 30, tzinfo=UTC),
            actor=team.lead,
        )
        for index, household in enumerate(households)
    ]


def read_feed(client, feed: CalendarFeed) -> list[icalendar.Event]:
    response = client.get(reverse("calendar-feed", args=[feed.token]))
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def events_of(client, researcher: User) -> dict[uuid.UUID, icalendar.Event]:
    """The researcher's feed by visit; a visit is never listed twice."""
    events = read_feed(client, services.calendar_feed_get_or_create(researcher=researcher))
    by_visit = {
        uuid.UUID(str(event["UID"]).removesuffix("@researchhub")): event for event in events
    }
    assert len(by_visit) == len(events)
    return by_visit


def status(event: icalendar.Event) -> str:
    return str(event["STATUS"])


def sequence(event: icalendar.Event) -> int:
    return event.decoded("SEQUENCE")


def test_it_lists_a_visit_handed_to_someone_else_cancelled_in_the_feed_she_had(
    client, team, booked
):
    visit = booked[0]
    before = events_of(client, team.researcher)[visit.pk]

    services.visit_reschedule(visit=visit, actor=team.lead, researcher=team.researcher2)

    left = events_of(client, team.researcher)[visit.pk]
    arrived = events_of(client, team.researcher2)[visit.pk]
    assert (status(before), sequence(before)) == ("CONFIRMED", 1)
    # Same UID, cancelled, a newer version of the event she had, at the time she had it.
    assert (status(left), sequence(left)) == ("CANCELLED", 2)
    assert left.decoded("DTSTART") == dt.datetime(2027, 1, 12, 10, tzinfo=UTC)
    assert left.decoded("DTEND") == dt.datetime(2027, 1, 12, 11, 30, tzinfo=UTC)
    assert str(left["SUMMARY"]) == str(before["SUMMARY"])
    assert (status(arrived), sequence(arrived)) == ("CONFIRMED", 2)


def test_it_lists_a_visit_moved_and_handed_over_at_the_time_she_had_it(client, team, booked):
    visit = booked[0]

    services.visit_reschedule(
        visit=visit,
        actor=team.lead,
        start=dt.datetime(2027, 1, 12, 14, tzinfo=UTC),
        researcher=team.researcher2,
    )

    left = events_of(client, team.researcher)[visit.pk]
    arrived = events_of(client, team.researcher2)[visit.pk]
    assert (status(left), left.decoded("DTSTART")) == (
        "CANCELLED",
        dt.datetime(2027, 1, 12, 10, tzinfo=UTC),
    )
    assert (status(arrived), arrived.decoded("DTSTART")) == (
        "CONFIRMED",
        dt.datetime(2027, 1, 12, 14, tzinfo=UTC),
    )


def test_it_lists_a_cancelled_visit_cancelled_for_thirty_days(client, team, booked, clock):
    visit = booked[0]

    services.visit_transition(visit=visit, actor=team.lead, to_status=VisitStatus.CANCELLED)

    event = events_of(client, team.researcher)[visit.pk]
    assert (status(event), sequence(event)) == ("CANCELLED", 2)
    clock.shift(dt.timedelta(days=29))
    assert status(events_of(client, team.researcher)[visit.pk]) == "CANCELLED"
    clock.shift(dt.timedelta(days=2))
    assert visit.pk not in events_of(client, team.researcher)
    # The visit's other events are still listed: only the reach of a cancelled one ended.
    assert set(events_of(client, team.researcher)) == {booked[1].pk, booked[2].pk}


def test_it_lists_a_handed_over_visit_in_the_feed_she_had_for_thirty_days(
    client, team, booked, clock
):
    visit = booked[0]

    services.visit_reschedule(visit=visit, actor=team.lead, researcher=team.researcher2)

    clock.shift(dt.timedelta(days=29))
    assert status(events_of(client, team.researcher)[visit.pk]) == "CANCELLED"
    clock.shift(dt.timedelta(days=2))
    assert visit.pk not in events_of(client, team.researcher)
    assert status(events_of(client, team.researcher2)[visit.pk]) == "CONFIRMED"


def test_the_daily_job_forgets_departures_feeds_no_longer_list(team, booked, clock):
    services.visit_reschedule(visit=booked[0], actor=team.lead, researcher=team.researcher2)
    clock.shift(dt.timedelta(days=20))
    services.visit_reschedule(visit=booked[1], actor=team.lead, researcher=team.researcher2)
    clock.shift(dt.timedelta(days=11))

    forgotten = tasks.forget_calendar_departures()

    assert forgotten == 1
    assert list(CalendarDeparture.objects.values_list("visit_uuid", flat=True)) == [booked[1].pk]


def test_it_lists_a_visit_handed_back_live_with_a_higher_sequence(client, team, booked):
    visit = booked[0]
    services.visit_reschedule(visit=visit, actor=team.lead, researcher=team.researcher2)
    left = events_of(client, team.researcher)[visit.pk]

    services.visit_reschedule(visit=visit, actor=team.lead, researcher=team.researcher)

    back = events_of(client, team.researcher)[visit.pk]
    left_again = events_of(client, team.researcher2)[visit.pk]
    assert (status(left), sequence(left)) == ("CANCELLED", 2)
    assert (status(back), sequence(back)) == ("CONFIRMED", 3)
    assert (status(left_again), sequence(left_again)) == ("CANCELLED", 3)
    assert not CalendarDeparture.objects.filter(researcher=team.researcher).exists()


def test_it_lists_visits_handed_over_in_bulk_cancelled_in_the_feed_they_left(client, team, booked):
    staffing.staffing_reassign(
        round_=booked[0].round,
        from_researcher=team.researcher,
        to_researcher=team.researcher2,
        start_date=dt.date(2027, 1, 12),
        end_date=dt.date(2027, 1, 13),
        actor=team.lead,
    )

    left = events_of(client, team.researcher)
    arrived = events_of(client, team.researcher2)
    assert {pk: (status(e), sequence(e)) for pk, e in left.items()} == {
        booked[0].pk: ("CANCELLED", 2),
        booked[1].pk: ("CANCELLED", 2),
        booked[2].pk: ("CONFIRMED", 1),
    }
    assert {pk: (status(e), sequence(e)) for pk, e in arrived.items()} == {
        booked[0].pk: ("CONFIRMED", 2),
        booked[1].pk: ("CONFIRMED", 2),
    }


def test_a_visit_that_left_stays_cancelled_in_her_feed_once_deleted(client, team, booked):
    visit = booked[0]
    services.visit_reschedule(visit=visit, actor=team.lead, researcher=team.researcher2)

    Visit.objects.filter(pk=visit.pk).delete()

    event = events_of(client, team.researcher)[visit.pk]
    assert (status(event), sequence(event)) == ("CANCELLED", 2)
    assert visit.pk not in events_of(client, team.researcher2)


def test_the_feed_costs_the_same_queries_however_many_visits_left(
    client, team, booked, django_assert_num_queries
):
    staffing.staffing_reassign(
        round_=booked[0].round,
        from_researcher=team.researcher,
        to_researcher=team.researcher2,
        start_date=dt.date(2027, 1, 12),
        end_date=dt.date(2027, 1, 13),
        actor=team.lead,
    )
    services.visit_transition(visit=booked[2], actor=team.lead, to_status=VisitStatus.CANCELLED)
    feed = services.calendar_feed_get_or_create(researcher=team.researcher)

    # The feed by its token (with its researcher), her visits with their round, study,
    # household and change count, and the visits that left her.
    with django_assert_num_queries(3):
        events = read_feed(client, feed)

    assert sorted((status(event), sequence(event)) for event in events) == [("CANCELLED", 2)] * 3
