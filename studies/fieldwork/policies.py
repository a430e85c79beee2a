"""Rules of capture that answer a question about a visit or a tag, each written once.

Pure functions of what they are given, no queries: the sync, uploads, photo edits, the
capture page, the offline bundle and the API all ask these rather than restate them.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.fieldwork.models import TagGroup
from studies.scheduling.models import Visit, VisitStatus
from studies.scheduling.selectors import local_day_bounds, zone_or_utc

# Phone clocks drift by minutes: an item captured just before "Finish" on a phone that runs
# a little fast must not be refused as captured after the visit. It is also as far as a
# device's time may run ahead of the server's and still be taken as it is.
CLOCK_GRACE = dt.timedelta(minutes=10)
# How many days either side of its visit's days an item may say it was captured. An item
# refused on one visit is moved, keeping its capture time, to another visit the phone holds
# (those of the next OFFLINE_BUNDLE_MAX_DAYS, 7), and a visit is sometimes held a few days
# off the day it was booked for. A time further off is a wrong device date, not fieldwork.
CAPTURE_DAYS_AROUND_VISIT = 7
# A device clock this far ahead of the server's is a wrong date setting, not a drifting
# clock or a zone: what it stamps is refused, so that the date gets fixed.
WRONG_DATE_AHEAD = dt.timedelta(days=1)


def capture_refusal(
    visit: Visit, captured_at: dt.datetime, *, grace: dt.timedelta = CLOCK_GRACE
) -> str | None:
    """Why the visit takes no item captured (or changed) at `captured_at`; None if it does.

    A visit takes what was captured while it was open, whenever that arrives: an item
    captured offline before the visit was finished is accepted after the finish too. It
    refuses what was captured after it finished (by more than `grace`, for a device's
    clock), anything for a cancelled or no-show visit, and anything for an erased
    household, even items captured before the erasure: the household asked for all of it
    to go. Expects `visit.household` loaded.
    """
    if visit.household.erased_at is not None:
        return _("This household's data was erased: nothing more can be captured for it.")
    if visit.status == VisitStatus.CANCELLED:
        return _("This visit was cancelled: nothing can be captured for it.")
    if visit.status == VisitStatus.NO_SHOW:
        return _("Nobody was home for this visit (no-show): nothing can be captured for it.")
    if (
        visit.status == VisitStatus.COMPLETED
        and visit.finished_at is not None
        and captured_at > visit.finished_at + grace
    ):
        return _(
            "This visit was finished before this was captured. Move the item to another "
            "of your visits, or delete it."
        )
    return None


def captured_at_refusal(visit: Visit, captured_at: dt.datetime, *, now: dt.datetime) -> str | None:
    """Why no item of this visit can have been captured at `captured_at`; None if it can.

    A capture time sent by a device is believed within bounds: never more than CLOCK_GRACE
    ahead of the server's clock, and within CAPTURE_DAYS_AROUND_VISIT days of the visit's
    days, in its study's time zone. Those run from the earlier of the day it was booked
    for and the day it started to the later of the day it was booked to end and the day it
    finished; while it is under way, to now. Expects `visit.round.study` loaded.

    Unlike capture_refusal this is not asked of "now" (takes_captures_now): the capture
    screen and the offline bundle offer a visit booked for next week, and what is captured
    there on its day is taken.
    """
    if captured_at > now + CLOCK_GRACE:
        return _("This is ahead of the server's clock; check the device's date and time.")
    zone = zone_or_utc(visit.round.study.time_zone)
    moments = [visit.scheduled_start, visit.scheduled_end, visit.started_at, visit.finished_at]
    days = sorted(moment.astimezone(zone).date() for moment in moments if moment is not None)
    around = dt.timedelta(days=CAPTURE_DAYS_AROUND_VISIT)
    earliest = local_day_bounds(days[0] - around, zone)[0]
    if captured_at < earliest:
        message = ngettext(
            "This was captured on %(day)s, more than %(count)d day before this visit "
            "(%(visit_day)s): check the device's date, or move the item to its own visit.",
            "This was captured on %(day)s, more than %(count)d days before this visit "
            "(%(visit_day)s): check the device's date, or move the item to its own visit.",
            CAPTURE_DAYS_AROUND_VISIT,
        )
        return message % _day_words(captured_at, days[0], zone)
    if visit.status == VisitStatus.IN_PROGRESS:
        return None
    latest = local_day_bounds(days[-1] + around, zone)[1]
    if captured_at >= latest:
        message = ngettext(
            "This was captured on %(day)s, more than %(count)d day after this visit "
            "(%(visit_day)s): check the device's date, or move the item to its own visit.",
            "This was captured on %(day)s, more than %(count)d days after this visit "
            "(%(visit_day)s): check the device's date, or move the item to its own visit.",
            CAPTURE_DAYS_AROUND_VISIT,
        )
        return message % _day_words(captured_at, days[-1], zone)
    return None


def _day_words(captured_at: dt.datetime, visit_day: dt.date, zone: dt.tzinfo) -> dict[str, object]:
    return {
        "day": captured_at.astimezone(zone).date().isoformat(),
        "count": CAPTURE_DAYS_AROUND_VISIT,
        "visit_day": visit_day.isoformat(),
    }


def edit_time_refusal(edited_at: dt.datetime, *, now: dt.datetime) -> str | None:
    """Why a change a device stamped `edited_at` is refused: its clock is a day ahead."""
    if edited_at > now + WRONG_DATE_AHEAD:
        return _("This is more than a day ahead of the server's clock; check the device's date.")
    return None


def edit_time_kept(edited_at: dt.datetime, *, now: dt.datetime) -> dt.datetime:
    """The time a change is recorded at, which last-write-wins compares: the device's own,
    unless it runs more than CLOCK_GRACE ahead of the server's clock. Then it is the
    server's, or a phone set hours fast would have its version win over every real edit
    made in those hours."""
    return now if edited_at > now + CLOCK_GRACE else edited_at


def takes_captures_now(visit: Visit, now: dt.datetime) -> bool:
    """Whether the capture screen offers its form: the visit takes an item captured now,
    by the server's own clock (no grace: a finished visit is closed at once)."""
    return capture_refusal(visit, now, grace=dt.timedelta(0)) is None


def capture_starts_visit(visit: Visit) -> bool:
    """The first item captured on a scheduled visit starts it: the household was visited."""
    return visit.status == VisitStatus.SCHEDULED


class _ChipTag(Protocol):
    name: str
    group: str
    last_used_at: dt.datetime | None


_GROUP_RANK = {group: rank for rank, group in enumerate(TagGroup.values)}


def tag_chip_key(tag: _ChipTag) -> tuple:
    """The order of the tag chips offered at capture: the ones this researcher used most
    recently first (newest use first), then the default groups in their order (pain point,
    workaround, …), then the rest, each by name."""
    used = tag.last_used_at
    return (
        used is None,
        -used.timestamp() if used is not None else 0.0,
        _GROUP_RANK.get(tag.group, len(_GROUP_RANK)),
        tag.name.casefold(),
    )


def tag_chip_order[T: _ChipTag](tags: Iterable[T]) -> list[T]:
    return sorted(tags, key=tag_chip_key)
