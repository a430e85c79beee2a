"""Staffing a round before it goes out: move, reassign, skip or add a household's visit,
and hand all of one researcher's visits in a date range to another (holiday, illness).

Every write here goes through the booking services of services/visits.py, so the
double-booking and availability checks, the closed-study refusal and the visit's history
are theirs; what this module adds is the skip's note, who may join a round, and the
all-or-nothing hand-over.
"""

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.scheduling import policies, selectors
from studies.scheduling.models import Household, Round, Study, Visit, VisitStatus
from studies.scheduling.services.rounds import households_to_visit, study_today
from studies.scheduling.services.visits import (
    lock_researchers,
    validate_booking,
    visit_create,
    visit_reschedule,
    visit_transition,
)

# --- Reads the staffing page and endpoint share -------------------------------------------


def round_to_staff(
    *, study: Study, round_id: uuid.UUID | None = None, now: dt.datetime | None = None
) -> Round | None:
    """The round a lead staffs: the one named (None when it is not this study's), else the
    study's next round, the earliest whose window ends today or later in the study's zone
    (None when none is planned)."""
    rounds = Round.objects.filter(study=study).select_related("study")
    if round_id is not None:
        return rounds.filter(pk=round_id).first()
    today = study_today(study, now)
    return rounds.filter(window_end__gte=today).order_by("window_start", "pk").first()


def households_to_add(*, round_: Round, now: dt.datetime | None = None) -> list[Household]:
    """Households that may join the round: the same rule planning uses (enrolled, with
    participation consent in force, no live visit in the round yet)."""
    return households_to_visit(round_.study, round_, now or timezone.now())


# --- Writes ----------------------------------------------------------------------------------


def staffing_visit_move(
    *,
    visit: Visit,
    actor: User,
    start: dt.datetime | None = None,
    researcher: User | None = None,
    note: str = "",
) -> Visit:
    """Move a visit to a new start (its length kept) and/or hand it to another researcher.
    (visit_reschedule refuses a closed study, for the API's moves too.)"""
    return visit_reschedule(visit=visit, actor=actor, start=start, researcher=researcher, note=note)


def staffing_visit_skip(*, visit: Visit, actor: User) -> Visit:
    """Leave a household out of this round: its visit is cancelled, saying why in the
    history. Adding the household again books a new visit."""
    policies.refuse_if_closed(visit.round.study)
    return visit_transition(
        visit=visit,
        actor=actor,
        to_status=VisitStatus.CANCELLED,
        note=_("Skipped for this round."),
    )


def staffing_household_add(
    *,
    round_: Round,
    household: Household,
    researcher: User,
    start: dt.datetime,
    actor: User,
    now: dt.datetime | None = None,
) -> Visit:
    """Book a household into the round, for the study's visit length."""
    study = round_.study
    # Before the household check, so a closed study says it is closed.
    policies.refuse_if_closed(study)
    if household not in households_to_add(round_=round_, now=now):
        raise ValidationError(
            {
                "household": [
                    _(
                        "%(code)s cannot join this round: it is not in the panel, has no "
                        "participation consent in force, or already has a visit in it."
                    )
                    % {"code": household.code}
                ]
            }
        )
    return visit_create(
        round_=round_,
        household=household,
        researcher=researcher,
        start=start,
        end=start + dt.timedelta(minutes=study.visit_minutes),
        actor=actor,
    )


@dataclass(frozen=True)
class Handover:
    round: Round
    visits: list[Visit]


def _visits_in_range(
    round_: Round, researcher: User, start_date: dt.date, end_date: dt.date
) -> list[Visit]:
    zone = zoneinfo.ZoneInfo(round_.study.time_zone)
    opens = dt.datetime.combine(start_date, dt.time.min, tzinfo=zone)
    closes = dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return list(
        Visit.objects.filter(
            round=round_,
            researcher=researcher,
            status=VisitStatus.SCHEDULED,
            scheduled_start__gte=opens,
            scheduled_start__lt=closes,
        )
        .select_related("household", "round__study", "researcher")
        .order_by("scheduled_start", "pk")
    )


@transaction.atomic
def staffing_reassign(
    *,
    round_: Round,
    from_researcher: User,
    to_researcher: User,
    start_date: dt.date,
    end_date: dt.date,
    actor: User,
) -> Handover:
    """Hand every scheduled visit of one researcher in the round, starting between two
    dates (inclusive, in the study's zone), to another researcher at the same times.

    All or nothing: when any visit cannot go to her (a clash, or outside her
    availability), none moves, and the refusal lists each visit that cannot, with why.
    """
    study = round_.study
    policies.refuse_if_closed(study)
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors["end_date"] = [_("The last day must not be before the first.")]
    if from_researcher.pk == to_researcher.pk:
        errors["to_researcher"] = [_("Choose someone else to hand the visits to.")]
    elif not selectors.researcher_list(study=study).filter(pk=to_researcher.pk).exists():
        errors["to_researcher"] = [
            _("%(name)s is not a researcher on this study.") % {"name": to_researcher}
        ]
    if errors:
        raise ValidationError(errors)
    lock_researchers([from_researcher.pk, to_researcher.pk])
    visits = _visits_in_range(round_, from_researcher, start_date, end_date)
    if not visits:
        raise ValidationError(
            {
                "from_researcher": [
                    _("%(name)s has no scheduled visits in %(round)s from %(start)s to %(end)s.")
                    % {
                        "name": from_researcher,
                        "round": round_.label,
                        "start": date_format(start_date, "j M Y"),
                        "end": date_format(end_date, "j M Y"),
                    }
                ]
            }
        )
    zone = zoneinfo.ZoneInfo(study.time_zone)
    refusals: list[str] = []
    for visit in visits:
        try:
            validate_booking(
                round_=round_,
                household=visit.household,
                researcher=to_researcher,
                start=visit.scheduled_start,
                end=visit.scheduled_end,
                exclude_visit=visit,
            )
        except ValidationError as error:
            refusals.append(
                _("%(code)s on %(when)s: %(why)s")
                % {
                    "code": visit.household.code,
                    "when": date_format(visit.scheduled_start.astimezone(zone), "D j M, H:i"),
                    "why": " ".join(error.messages),
                }
            )
    if refusals:
        raise ConflictError(
            {
                "to_researcher": [
                    ngettext(
                        "No visit was moved: %(count)d visit cannot go to %(name)s.",
                        "No visit was moved: %(count)d visits cannot go to %(name)s.",
                        len(refusals),
                    )
                    % {"count": len(refusals), "name": to_researcher},
                    *refusals,
                ]
            }
        )
    note = _("Handed over from %(name)s for %(start)s to %(end)s.") % {
        "name": from_researcher,
        "start": date_format(start_date, "j M Y"),
        "end": date_format(end_date, "j M Y"),
    }
    moved = [
        visit_reschedule(visit=visit, actor=actor, researcher=to_researcher, note=note)
        for visit in visits
    ]
    return Handover(round=round_, visits=moved)
