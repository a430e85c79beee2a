"""Writes to visits and researchers' availability: booking, moving, reassigning, status."""

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.common.roles import Capability, role_can
from studies.scheduling import policies
from studies.scheduling.access import study_role
from studies.scheduling.models import (
    BOOKED_STATUSES,
    Availability,
    Household,
    Round,
    StudyMembership,
    Visit,
    VisitChange,
    VisitStatus,
)
from studies.scheduling.planner import Interval, ResearcherCalendar
from studies.scheduling.services.calendar import (
    calendar_departure_withdraw,
    calendar_departures_record,
)

# Which status may follow which; anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    VisitStatus.SCHEDULED: frozenset(
        {VisitStatus.IN_PROGRESS, VisitStatus.CANCELLED, VisitStatus.NO_SHOW}
    ),
    VisitStatus.IN_PROGRESS: frozenset({VisitStatus.COMPLETED}),
    # Reopening a visit finished by mistake: see policies.may_reopen_visit.
    VisitStatus.COMPLETED: frozenset({VisitStatus.IN_PROGRESS}),
    VisitStatus.CANCELLED: frozenset(),
    VisitStatus.NO_SHOW: frozenset(),
}


def lock_researchers(researcher_ids: Iterable[int]) -> None:
    """Serialise bookings per researcher so two requests cannot double-book one person.

    Rows are locked in id order so concurrent planners never deadlock each other.
    """
    ids = sorted(set(researcher_ids))
    if ids:
        list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def researcher_calendars(
    *, researchers: Sequence[User], start: dt.datetime, end: dt.datetime
) -> list[ResearcherCalendar]:
    """Each researcher's availability and booked time between two instants."""
    ids = [user.pk for user in researchers]
    availability: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {}
    for row in Availability.objects.filter(researcher_id__in=ids):
        availability.setdefault(row.researcher_id, {}).setdefault(row.weekday, []).append(
            (row.start_time, row.end_time)
        )
    busy: dict[int, list[Interval]] = {pk: [] for pk in ids}
    for researcher_id, visit_start, visit_end in Visit.objects.filter(
        researcher_id__in=ids,
        status__in=BOOKED_STATUSES,
        scheduled_start__lt=end,
        scheduled_end__gt=start,
    ).values_list("researcher_id", "scheduled_start", "scheduled_end"):
        busy[researcher_id].append(Interval(visit_start, visit_end))
    return [
        ResearcherCalendar(
            researcher_id=user.pk,
            sort_key=user.username,
            availability=availability.get(user.pk),
            busy=busy[user.pk],
        )
        for user in researchers
    ]


def _local(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    # Visit times read as a clock on the wall: day, then 24-hour time.
    return date_format(moment.astimezone(zone), "j M Y, H:i")


def validate_booking(
    *,
    round_: Round,
    household: Household,
    researcher: User,
    start: dt.datetime,
    end: dt.datetime,
    exclude_visit: Visit | None = None,
) -> None:
    """Refuse a booking that breaks a rule, with a message naming the field at fault."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"scheduled_start": [_("Times must include a time zone.")]})
    if end <= start:
        raise ValidationError({"scheduled_end": [_("A visit must end after it starts.")]})
    study = round_.study
    zone = zoneinfo.ZoneInfo(study.time_zone)
    if not (
        round_.window_start <= start.astimezone(zone).date()
        and end.astimezone(zone).date() <= round_.window_end
    ):
        raise ValidationError(
            {
                "scheduled_start": [
                    _("The visit must fall within the round's window, %(start)s to %(end)s.")
                    % {"start": round_.window_start, "end": round_.window_end}
                ]
            }
        )
    if not household.enrolments.filter(study=study, left_at__isnull=True).exists():
        raise ValidationError(
            {
                "household": [
                    _("Household %(code)s is not in this study's panel.") % {"code": household.code}
                ]
            }
        )
    role = (
        StudyMembership.objects.filter(study=study, user=researcher)
        .values_list("role", flat=True)
        .first()
    )
    if not role_can(role, Capability.CONDUCT_VISITS):
        raise ValidationError(
            {
                "researcher": [
                    _("%(name)s is not a researcher on this study.") % {"name": researcher}
                ]
            }
        )
    calendar = researcher_calendars(researchers=[researcher], start=start, end=end)[0]
    if not calendar.is_available(Interval(start, end), zone):
        raise ConflictError(
            {
                "scheduled_start": [
                    _("%(name)s is not available at that time.") % {"name": researcher}
                ]
            }
        )
    clash = (
        Visit.objects.filter(
            researcher=researcher,
            status__in=BOOKED_STATUSES,
            scheduled_start__lt=end,
            scheduled_end__gt=start,
        )
        .exclude(pk=exclude_visit.pk if exclude_visit else None)
        .select_related("household", "round")
        .first()
    )
    if clash is not None:
        when = {
            "name": researcher,
            "start": _local(clash.scheduled_start, zone),
            "end": time_format(clash.scheduled_end.astimezone(zone), "H:i"),
        }
        if clash.round.study_id == study.pk:
            message = _("%(name)s is already visiting %(code)s then (%(start)s to %(end)s).") % {
                **when,
                "code": clash.household.code,
            }
        else:
            # The person booking may not be in that study: say when, never whom.
            message = (
                _("%(name)s is already on a visit for another study then (%(start)s to %(end)s).")
                % when
            )
        raise ConflictError({"scheduled_start": [message]})


@transaction.atomic
def visit_create(
    *,
    round_: Round,
    household: Household,
    researcher: User,
    start: dt.datetime,
    end: dt.datetime,
    actor: User | None,
) -> Visit:
    policies.refuse_if_closed(round_.study)
    lock_researchers([researcher.pk])
    validate_booking(
        round_=round_, household=household, researcher=researcher, start=start, end=end
    )
    if (
        Visit.objects.filter(round=round_, household=household)
        .exclude(status__in=[VisitStatus.CANCELLED, VisitStatus.NO_SHOW])
        .exists()
    ):
        raise ConflictError(
            {
                "household": [
                    _("%(code)s already has a visit in this round.") % {"code": household.code}
                ]
            }
        )
    visit = Visit.objects.create(
        round=round_,
        household=household,
        researcher=researcher,
        scheduled_start=start,
        scheduled_end=end,
    )
    VisitChange.objects.create(
        visit=visit,
        kind=VisitChange.Kind.CREATED,
        actor=actor,
        to_status=visit.status,
        to_start=start,
        to_end=end,
        to_researcher=researcher,
    )
    return visit


@transaction.atomic
def visit_reschedule(
    *,
    visit: Visit,
    actor: User | None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    researcher: User | None = None,
    note: str = "",
) -> Visit:
    """Move a visit and/or hand it to another researcher, keeping the old slot in history."""
    new_researcher = researcher or visit.researcher
    lock_researchers([visit.researcher_id, new_researcher.pk])
    visit = (
        Visit.objects.select_for_update()
        .select_related("round__study", "household")
        .get(pk=visit.pk)
    )
    policies.refuse_if_closed(visit.round.study)
    if visit.status != VisitStatus.SCHEDULED:
        raise ConflictError(
            {
                "status": [
                    _("Only a scheduled visit can be moved; this one is %(status)s.")
                    % {"status": visit.get_status_display()}
                ]
            }
        )
    new_start = start or visit.scheduled_start
    new_end = end or (new_start + (visit.scheduled_end - visit.scheduled_start))
    validate_booking(
        round_=visit.round,
        household=visit.household,
        researcher=new_researcher,
        start=new_start,
        end=new_end,
        exclude_visit=visit,
    )
    if new_researcher.pk != visit.researcher_id:
        # Before the change is written: her feed lists the visit cancelled, as it showed it.
        calendar_departures_record(visits=Visit.objects.filter(pk=visit.pk))
        calendar_departure_withdraw(visit_id=visit.pk, researcher_id=new_researcher.pk)
    change = VisitChange(
        visit=visit,
        kind=VisitChange.Kind.MOVED,
        actor=actor,
        note=note,
        from_start=visit.scheduled_start,
        from_end=visit.scheduled_end,
        to_start=new_start,
        to_end=new_end,
        from_researcher_id=visit.researcher_id,
        to_researcher=new_researcher,
    )
    visit.scheduled_start, visit.scheduled_end = new_start, new_end
    visit.researcher = new_researcher
    # A moved visit deserves a fresh reminder.
    visit.reminder_sent_at = None
    visit.save(
        update_fields=[
            "scheduled_start",
            "scheduled_end",
            "researcher",
            "reminder_sent_at",
            "updated_at",
        ]
    )
    change.save()
    return visit


@transaction.atomic
def visit_transition(*, visit: Visit, actor: User | None, to_status: str, note: str = "") -> Visit:
    """Move a visit to another status, as TRANSITIONS allows; `note` goes in its history.

    Reopening (completed → in progress) is for a research lead at any time and for the
    visit's researcher within policies.REOPEN_GRACE of finishing; the callers have checked
    that the actor may conduct the visit at all.
    """
    visit = Visit.objects.select_for_update().select_related("round").get(pk=visit.pk)
    if to_status not in VisitStatus.values:
        raise ValidationError({"status": [_("Unknown status %(status)s.") % {"status": to_status}]})
    if to_status not in TRANSITIONS[visit.status]:
        raise ConflictError(
            {
                "status": [
                    _("A %(current)s visit cannot become %(target)s.")
                    % {
                        "current": visit.get_status_display().lower(),
                        "target": VisitStatus(to_status).label.lower(),
                    }
                ]
            }
        )
    now = timezone.now()
    reopening = visit.status == VisitStatus.COMPLETED
    if reopening and actor is not None:
        role = study_role(actor, visit.round.study_id)
        if not policies.may_reopen_visit(role=role, visit=visit, user_id=actor.pk, now=now):
            raise ConflictError(
                {
                    "status": [
                        _(
                            "This visit was finished more than %(hours)d hours ago: ask a "
                            "research lead to reopen it."
                        )
                        % {"hours": int(policies.REOPEN_GRACE.total_seconds() // 3600)}
                    ]
                }
            )
    change = VisitChange(
        visit=visit,
        kind=VisitChange.Kind.STATUS,
        actor=actor,
        from_status=visit.status,
        to_status=to_status,
        note=note or (_("Reopened.") if reopening else ""),
    )
    visit.status = to_status
    fields = ["status", "updated_at"]
    if reopening:
        # It is open again: items captured from now on belong to it until it finishes.
        visit.finished_at = None
        fields.append("finished_at")
    elif to_status == VisitStatus.IN_PROGRESS:
        visit.started_at = now
        fields.append("started_at")
    elif to_status in (VisitStatus.COMPLETED, VisitStatus.CANCELLED, VisitStatus.NO_SHOW):
        visit.finished_at = now
        fields.append("finished_at")
    visit.save(update_fields=fields)
    change.save()
    return visit


def visits_start_by_capture(*, first_capture: dict[uuid.UUID, dt.datetime], actor: User) -> int:
    """Start the scheduled visits that just took their first item, each at the moment that
    item was captured on the device (never later than now). Returns how many it started.

    A household is visited once something is captured there: reports, trends and loop
    health count visits by status, so a researcher who captured without tapping "Start"
    must not leave the household uncounted.
    """
    if not first_capture:
        return 0
    with transaction.atomic():
        return _start_by_capture(first_capture, actor)


def _start_by_capture(first_capture: dict[uuid.UUID, dt.datetime], actor: User) -> int:
    now = timezone.now()
    visits = list(
        Visit.objects.select_for_update()
        .filter(pk__in=list(first_capture), status=VisitStatus.SCHEDULED)
        .order_by("pk")
    )
    for visit in visits:
        visit.status = VisitStatus.IN_PROGRESS
        visit.started_at = min(first_capture[visit.pk], now)
        visit.save(update_fields=["status", "started_at", "updated_at"])
    VisitChange.objects.bulk_create(
        VisitChange(
            visit=visit,
            kind=VisitChange.Kind.STATUS,
            actor=actor,
            from_status=VisitStatus.SCHEDULED,
            to_status=VisitStatus.IN_PROGRESS,
            note=_("Started by the first item captured."),
        )
        for visit in visits
    )
    return len(visits)


@transaction.atomic
def availability_set(
    *, researcher: User, windows: Sequence[tuple[int, dt.time, dt.time]]
) -> list[Availability]:
    """Replace a researcher's weekly availability. An empty list means "any working hour"."""
    rows = [
        Availability(researcher=researcher, weekday=weekday, start_time=begin, end_time=end)
        for weekday, begin, end in windows
    ]
    for index, row in enumerate(rows):
        try:
            row.full_clean(exclude=["researcher"])
        except ValidationError as exc:
            raise ValidationError({f"windows[{index}]": exc.messages}) from exc
    Availability.objects.filter(researcher=researcher).delete()
    return Availability.objects.bulk_create(rows)
