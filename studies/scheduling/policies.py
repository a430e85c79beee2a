"""Rules of the field that answer a question about a visit, each written once.

Pure functions of what they are given: no queries. Access functions, services, selectors,
pages and the API call these rather than restating them.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.common.roles import Capability, role_can
from studies.scheduling.models import Study, StudyStatus, Visit, VisitStatus

# A researcher who finished a visit by mistake may reopen it herself for this long; a
# research lead may reopen one at any time.
REOPEN_GRACE = dt.timedelta(hours=24)

# The visits of the field window a phone keeps and Today lists: the day's finished visits
# stay, so a researcher sees her day and can reopen one finished by mistake; cancelled and
# no-show visits go.
FIELD_STATUSES = (VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED)


def may_conduct_visit(*, role: str | None, researcher_id: int, user_id: int | None) -> bool:
    """Who may conduct a visit (start, finish and capture on it): its own researcher, when
    her role conducts visits, or anyone who manages the study (a research lead)."""
    if not role_can(role, Capability.CONDUCT_VISITS):
        return False
    return researcher_id == user_id or role_can(role, Capability.MANAGE_STUDY)


def may_reopen_visit(
    *, role: str | None, visit: Visit, user_id: int | None, now: dt.datetime
) -> bool:
    """A finished visit goes back to in progress: for a research lead at any time, for the
    researcher who may conduct it within REOPEN_GRACE of finishing."""
    if visit.status != VisitStatus.COMPLETED:
        return False
    if role_can(role, Capability.MANAGE_STUDY):
        return True
    if not may_conduct_visit(role=role, researcher_id=visit.researcher_id, user_id=user_id):
        return False
    return visit.finished_at is not None and now - visit.finished_at <= REOPEN_GRACE


@dataclass(frozen=True)
class FieldWindow:
    """The visits a researcher's phone holds, and Today lists: those starting between
    `start` and `end`, plus any visit still in progress, whenever it started."""

    first_day: dt.date
    last_day: dt.date
    start: dt.datetime
    end: dt.datetime
    time_zone: str


def field_window(*, now: dt.datetime, zone: zoneinfo.ZoneInfo, days: int) -> FieldWindow:
    """`days` calendar days in the researcher's own zone, today included."""
    first_day = now.astimezone(zone).date()
    last_day = first_day + dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return FieldWindow(
        first_day=first_day, last_day=last_day, start=start, end=end, time_zone=zone.key
    )


def in_field_window(visit: Visit, window: FieldWindow) -> bool:
    """The same test as selectors.field_visit_list, for one visit already loaded."""
    if visit.status == VisitStatus.IN_PROGRESS:
        return True
    return visit.status in FIELD_STATUSES and window.start <= visit.scheduled_start < window.end


def study_is_closed(study: Study) -> bool:
    """A closed study keeps its data and its pages but changes no more: no planning, no
    set-up, no staffing, no invitations."""
    return study.status == StudyStatus.CLOSED


def refuse_if_closed(study: Study) -> None:
    """What every write to a study's set-up calls first: a 409 for a closed study."""
    if study_is_closed(study):
        raise ConflictError(
            {
                "study": [
                    _("%(title)s is closed: its data stays, and nothing in it changes.")
                    % {"title": study.title}
                ]
            }
        )
