"""Spreading a round's visits over its window: the slot allocator behind round planning.

Pure code, no database: the service gathers who is busy when, this module decides who
goes where. Times are built as local wall-clock times in the study's zone and only then
made aware, so a 09:00 visit stays at 09:00 on both sides of a daylight-saving change.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

WORKING_WEEKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday to Friday


@dataclass(frozen=True)
class Interval:
    start: dt.datetime  # aware
    end: dt.datetime  # aware

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class WorkingHours:
    day_start: dt.time
    day_end: dt.time
    visit_minutes: int
    gap_minutes: int
    time_zone: str


@dataclass
class ResearcherCalendar:
    """What the planner knows of one researcher: when they work and when they are busy."""

    researcher_id: int
    sort_key: str
    # weekday -> list of (start, end) local times; None means "the whole working day".
    availability: dict[int, list[tuple[dt.time, dt.time]]] | None
    busy: list[Interval] = field(default_factory=list)
    load: int = 0

    def is_available(self, slot: Interval, zone: zoneinfo.ZoneInfo) -> bool:
        if self.availability is None:
            return True
        local_start = slot.start.astimezone(zone)
        local_end = slot.end.astimezone(zone)
        if local_start.date() != local_end.date():
            return False
        windows = self.availability.get(local_start.weekday(), [])
        return any(
            begin <= local_start.time() and local_end.time() <= end for begin, end in windows
        )

    def is_free(self, slot: Interval) -> bool:
        return not any(slot.overlaps(busy) for busy in self.busy)


@dataclass(frozen=True)
class Assignment:
    household_id: object
    researcher_id: int
    slot: Interval


@dataclass(frozen=True)
class PlanResult:
    assignments: list[Assignment]
    unplaced: list[object]  # household ids for which no researcher had a free slot


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() in WORKING_WEEKDAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def day_slots(day: dt.date, hours: WorkingHours) -> list[Interval]:
    """The visit slots of one day, as aware datetimes, in wall-clock order."""
    zone = zoneinfo.ZoneInfo(hours.time_zone)
    length = dt.timedelta(minutes=hours.visit_minutes)
    step = length + dt.timedelta(minutes=hours.gap_minutes)
    slots = []
    local = dt.datetime.combine(day, hours.day_start)
    day_end = dt.datetime.combine(day, hours.day_end)
    while local + length <= day_end:
        start = local.replace(tzinfo=zone)
        end = (local + length).replace(tzinfo=zone)
        # A wall-clock time skipped by a daylight-saving jump does not exist: no slot there.
        if start.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == local:
            slots.append(Interval(start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
        local += step
    return slots


def _days_nearest(target: int, count: int) -> Iterable[int]:
    """Day indexes ordered by distance from the target, later days first on ties."""
    yield target
    for distance in range(1, count):
        for index in (target + distance, target - distance):
            if 0 <= index < count:
                yield index


def plan_visits(
    *,
    household_ids: Sequence[object],
    researchers: Sequence[ResearcherCalendar],
    window_start: dt.date,
    window_end: dt.date,
    hours: WorkingHours,
    earliest: dt.datetime | None = None,
) -> PlanResult:
    """Give each household one visit, spread evenly over the window, balancing load.

    Households are spaced across the window's working days in order; each goes to the
    least-loaded researcher who has an available, free slot nearest its target day. A
    researcher is never double-booked and never booked outside their availability.
    """
    zone = zoneinfo.ZoneInfo(hours.time_zone)
    days = working_days(window_start, window_end)
    slots_by_day = [
        [slot for slot in day_slots(day, hours) if earliest is None or slot.start >= earliest]
        for day in days
    ]
    assignments: list[Assignment] = []
    unplaced: list[object] = []
    if not days:
        return PlanResult(assignments=[], unplaced=list(household_ids))

    total = len(household_ids)
    for position, household_id in enumerate(household_ids):
        # Centre each household in its share of the window: 12 households over 60 days
        # land on days 2, 7, 12, ... rather than bunching at the start.
        target = int((position + 0.5) * len(days) / total)
        placed = False
        for calendar in sorted(researchers, key=lambda c: (c.load, c.sort_key)):
            slot = _nearest_slot(calendar, slots_by_day, target, zone)
            if slot is not None:
                calendar.busy.append(slot)
                calendar.load += 1
                assignments.append(Assignment(household_id, calendar.researcher_id, slot))
                placed = True
                break
        if not placed:
            unplaced.append(household_id)
    return PlanResult(assignments=assignments, unplaced=unplaced)


def _nearest_slot(
    calendar: ResearcherCalendar,
    slots_by_day: list[list[Interval]],
    target: int,
    zone: zoneinfo.ZoneInfo,
) -> Interval | None:
    for day_index in _days_nearest(target, len(slots_by_day)):
        for slot in slots_by_day[day_index]:
            if calendar.is_available(slot, zone) and calendar.is_free(slot):
                return slot
    return None
