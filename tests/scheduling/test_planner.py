"""The slot allocator on its own: spreading, balancing, availability, DST."""

import datetime as dt
import zoneinfo
from collections import Counter

from studies.scheduling.planner import (
    Interval,
    ResearcherCalendar,
    WorkingHours,
    day_slots,
    plan_visits,
    working_days,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
HOURS = WorkingHours(
    day_start=dt.time(9),
    day_end=dt.time(18),
    visit_minutes=90,
    gap_minutes=30,
    time_zone="Europe/London",
)


def calendar(pk: int, availability=None, busy=None) -> ResearcherCalendar:
    return ResearcherCalendar(
        researcher_id=pk, sort_key=f"r{pk}", availability=availability, busy=list(busy or [])
    )


def test_a_day_has_slots_within_working_hours_only():
    slots = day_slots(dt.date(2027, 1, 12), HOURS)

    local = [(s.start.astimezone(LONDON).time(), s.end.astimezone(LONDON).time()) for s in slots]
    assert local == [
        (dt.time(9), dt.time(10, 30)),
        (dt.time(11), dt.time(12, 30)),
        (dt.time(13), dt.time(14, 30)),
        (dt.time(15), dt.time(16, 30)),
    ]


def test_slots_keep_their_wall_clock_time_across_the_spring_dst_change():
    before = day_slots(dt.date(2027, 3, 26), HOURS)[0]  # Friday, GMT
    after = day_slots(dt.date(2027, 3, 29), HOURS)[0]  # Monday, BST

    assert before.start.astimezone(LONDON).time() == dt.time(9)
    assert after.start.astimezone(LONDON).time() == dt.time(9)
    assert before.start.utcoffset() == after.start.utcoffset() == dt.timedelta(0)
    assert before.start.hour == 9
    assert after.start.hour == 8  # 09:00 BST is 08:00 UTC


def test_a_wall_clock_time_skipped_by_dst_gets_no_slot():
    night_shift = WorkingHours(
        day_start=dt.time(0, 30),
        day_end=dt.time(3, 30),
        visit_minutes=60,
        gap_minutes=0,
        time_zone="Europe/London",
    )

    slots = day_slots(dt.date(2027, 3, 28), night_shift)  # 01:00-02:00 does not exist

    assert [s.start.astimezone(LONDON).time() for s in slots] == [dt.time(0, 30), dt.time(2, 30)]


def test_working_days_skip_weekends():
    days = working_days(dt.date(2027, 1, 1), dt.date(2027, 1, 10))

    assert [d.isoformat() for d in days] == [
        "2027-01-01",
        "2027-01-04",
        "2027-01-05",
        "2027-01-06",
        "2027-01-07",
        "2027-01-08",
    ]


def test_visits_spread_over_the_window_and_balance_researchers():
    researchers = [calendar(1), calendar(2), calendar(3)]

    result = plan_visits(
        household_ids=list(range(12)),
        researchers=researchers,
        window_start=dt.date(2027, 1, 1),
        window_end=dt.date(2027, 3, 31),
        hours=HOURS,
    )

    assert result.unplaced == []
    assert Counter(a.researcher_id for a in result.assignments) == {1: 4, 2: 4, 3: 4}
    months = Counter(a.slot.start.month for a in result.assignments)
    assert months == {1: 4, 2: 4, 3: 4}


def test_no_researcher_is_double_booked_even_in_a_crowded_window():
    researchers = [calendar(1), calendar(2)]

    result = plan_visits(
        household_ids=list(range(30)),
        researchers=researchers,
        window_start=dt.date(2027, 1, 4),
        window_end=dt.date(2027, 1, 8),
        hours=HOURS,
    )

    assert len(result.assignments) == 30
    for pk in (1, 2):
        slots = sorted(a.slot.start for a in result.assignments if a.researcher_id == pk)
        assert len(slots) == len(set(slots))
        assert len(slots) == 15


def test_households_beyond_capacity_are_reported_unplaced():
    result = plan_visits(
        household_ids=list(range(10)),
        researchers=[calendar(1)],
        window_start=dt.date(2027, 1, 4),
        window_end=dt.date(2027, 1, 5),
        hours=HOURS,
    )

    assert len(result.assignments) == 8  # two days of four slots
    assert result.unplaced == [8, 9]


def test_existing_bookings_are_never_overlapped():
    taken = Interval(
        dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC), dt.datetime(2027, 1, 4, 17, tzinfo=dt.UTC)
    )

    result = plan_visits(
        household_ids=[1],
        researchers=[calendar(1, busy=[taken])],
        window_start=dt.date(2027, 1, 4),
        window_end=dt.date(2027, 1, 5),
        hours=HOURS,
    )

    assert result.assignments[0].slot.start.date() == dt.date(2027, 1, 5)


def test_visits_are_only_booked_within_stated_availability():
    tuesdays_afternoon = {1: [(dt.time(13), dt.time(17))]}
    researchers = [calendar(1, availability=tuesdays_afternoon)]

    result = plan_visits(
        household_ids=list(range(3)),
        researchers=researchers,
        window_start=dt.date(2027, 1, 4),
        window_end=dt.date(2027, 1, 15),
        hours=HOURS,
    )

    local = [a.slot.start.astimezone(LONDON) for a in result.assignments]
    assert all(moment.weekday() == 1 for moment in local)
    assert all(moment.time() >= dt.time(13) for moment in local)
    assert len(local) == 3  # two Tuesdays with two afternoon slots each


def test_load_goes_to_whoever_is_available_when_one_researcher_is_not():
    mondays_only = {0: [(dt.time(9), dt.time(18))]}
    researchers = [calendar(1, availability=mondays_only), calendar(2)]

    result = plan_visits(
        household_ids=list(range(6)),
        researchers=researchers,
        window_start=dt.date(2027, 1, 4),
        window_end=dt.date(2027, 1, 8),
        hours=HOURS,
    )

    assert len(result.assignments) == 6
    for assignment in result.assignments:
        if assignment.researcher_id == 1:
            assert assignment.slot.start.astimezone(LONDON).weekday() == 0


def test_a_window_without_working_days_places_nobody():
    result = plan_visits(
        household_ids=[1, 2],
        researchers=[calendar(1)],
        window_start=dt.date(2027, 1, 2),
        window_end=dt.date(2027, 1, 3),
        hours=HOURS,
    )

    assert result.assignments == []
    assert result.unplaced == [1, 2]
