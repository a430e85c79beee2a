"""Rules of capture that answer a question about a visit or a tag, each written once.

Pure functions of what they are given, no queries: the sync, uploads, photo edits, the
capture page, the offline bundle and the API all ask these rather than restate them.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.utils.translation import gettext as _

from studies.fieldwork.models import TagGroup
from studies.scheduling.models import Visit, VisitStatus

# Phone clocks drift by minutes: an item captured just before "Finish" on a phone that runs
# a little fast must not be refused as captured after the visit.
CLOCK_GRACE = dt.timedelta(minutes=10)


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
