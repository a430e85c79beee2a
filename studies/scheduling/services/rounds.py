"""Writes to rounds: creating them by hand and planning them ahead of each period."""

import datetime as dt
import logging
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.common.roles import Role
from studies.scheduling import policies, selectors
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    GuideQuestion,
    Household,
    NextGuideQuestion,
    Round,
    Study,
    StudyStatus,
    Visit,
    VisitChange,
    VisitStatus,
)
from studies.scheduling.periods import Period, next_period, planning_due
from studies.scheduling.planner import WorkingHours, plan_visits
from studies.scheduling.services.visits import lock_researchers, researcher_calendars

logger = logging.getLogger(__name__)

LIVE_STATUSES = (VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED)


@dataclass
class PlanningOutcome:
    round: Round
    created: bool
    visits: list[Visit] = field(default_factory=list)
    unplaced: list[Household] = field(default_factory=list)


def study_today(study: Study, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(study.time_zone)).date()


@transaction.atomic
def round_create(
    *,
    study: Study,
    label: str,
    window_start: dt.date,
    window_end: dt.date,
    guide: Sequence[str] = (),
) -> Round:
    policies.refuse_if_closed(study)
    round_ = Round(
        study=study, label=label.strip(), window_start=window_start, window_end=window_end
    )
    try:
        round_.full_clean()
    except ValidationError as exc:
        # The model's unique constraint speaks of "study and label"; name the field instead.
        if Round.objects.filter(study=study, label=round_.label).exists():
            raise ValidationError(
                {
                    "label": [
                        _("This study already has a round called %(label)s.")
                        % {"label": round_.label}
                    ]
                }
            ) from exc
        raise
    round_.save()
    guide_replace(round_=round_, questions=guide)
    return round_


@transaction.atomic
def round_update(
    *,
    round_: Round,
    label: str | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
    guide: Sequence[str] | None = None,
) -> Round:
    """Change a round's label or window, or replace its guide.

    The window may not shrink past a booked visit, which would then sit outside its round.
    """
    round_ = Round.objects.select_for_update().select_related("study").get(pk=round_.pk)
    policies.refuse_if_closed(round_.study)
    changes = {
        name: value
        for name, value in {
            "label": label.strip() if label is not None else None,
            "window_start": window_start,
            "window_end": window_end,
        }.items()
        if value is not None
    }
    for name, value in changes.items():
        setattr(round_, name, value)
    if "window_start" in changes or "window_end" in changes:
        _refuse_stranded_visits(round_)
    try:
        round_.full_clean()
    except ValidationError as exc:
        taken = (
            Round.objects.filter(study=round_.study_id, label=round_.label)
            .exclude(pk=round_.pk)
            .exists()
        )
        if taken:
            raise ValidationError(
                {
                    "label": [
                        _("This study already has a round called %(label)s.")
                        % {"label": round_.label}
                    ]
                }
            ) from exc
        raise
    round_.save(update_fields=[*changes, "updated_at"])
    if guide is not None:
        guide_replace(round_=round_, questions=guide)
    return round_


def _refuse_stranded_visits(round_: Round) -> None:
    zone = zoneinfo.ZoneInfo(round_.study.time_zone)
    opens = dt.datetime.combine(round_.window_start, dt.time.min, tzinfo=zone)
    closes = dt.datetime.combine(round_.window_end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    stranded = (
        round_.visits.filter(status__in=LIVE_STATUSES)
        .filter(Q(scheduled_start__lt=opens) | Q(scheduled_end__gt=closes))
        .select_related("household")
        .order_by("scheduled_start")
        .first()
    )
    if stranded is not None:
        raise ConflictError(
            {
                "window_start": [
                    _(
                        "Visit to %(code)s on %(day)s would fall outside the window; "
                        "move or cancel it first."
                    )
                    % {
                        "code": stranded.household.code,
                        "day": stranded.scheduled_start.astimezone(zone).date(),
                    }
                ]
            }
        )


@dataclass(frozen=True)
class GuideItem:
    """A question of a guide being written: an existing one of the round (by id, or by
    key: its identity across rounds), with its wording perhaps changed, or a new one.

    `section` None keeps a question's section as it is (a new one gets none)."""

    text: str
    question_id: uuid.UUID | None = None
    key: uuid.UUID | None = None
    section: str | None = None


@transaction.atomic
def guide_replace(*, round_: Round, questions: Sequence[str | GuideItem]) -> None:
    """Make the round's guide these questions, in this order.

    A question keeps its identity (row and key) when it is named by id or key, or, given
    as plain text, when the round already asks it in those words; one named by a key the
    round does not hold yet joins it with that key. Questions left out are deleted,
    unless they have answers: those leave the guide but stay, with their answers.
    """
    items = [GuideItem(text=item) if isinstance(item, str) else item for item in questions]
    items = [replace(item, text=item.text.strip()) for item in items]
    if any(not item.text for item in items):
        raise ValidationError({"guide": [_("A guide question cannot be empty.")]})
    existing = list(GuideQuestion.objects.select_for_update().filter(round=round_))
    by_id = {question.pk: question for question in existing}
    by_key = {question.key: question for question in existing}
    by_text: dict[str, GuideQuestion] = {}
    for question in existing:
        by_text.setdefault(question.text, question)
    rows: list[GuideQuestion] = []
    used: set[uuid.UUID] = set()
    for item in items:
        if item.question_id is not None:
            row = by_id.get(item.question_id)
            if row is None or row.pk in used:
                raise ValidationError(
                    {
                        "guide": [
                            _("%(id)s is not a question of this round.") % {"id": item.question_id}
                        ]
                    }
                )
        elif item.key is not None:
            row = by_key.get(item.key)
            if row is None:
                row = GuideQuestion(round=round_, key=item.key, text=item.text)
            elif row.pk in used:
                raise ValidationError({"guide": [_("A question is in the guide twice.")]})
        else:
            row = by_text.get(item.text)
            if row is None or row.pk in used:
                row = GuideQuestion(round=round_, text=item.text)
        row.text = item.text
        if item.section is not None:
            row.section = item.section.strip()
        used.add(row.pk)
        rows.append(row)
    left_out = [question for question in existing if question.pk not in used]
    answered = set(
        GuideQuestion.objects.filter(pk__in=[q.pk for q in left_out], answers__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    GuideQuestion.objects.filter(pk__in=[q.pk for q in left_out if q.pk not in answered]).delete()
    # Positions are unique in a round: free them all before handing them out again.
    GuideQuestion.objects.filter(round=round_).update(position=None)
    for position, row in enumerate(rows):
        row.position = position
        if row._state.adding:
            row.save()
        else:
            row.save(update_fields=["position", "section", "text", "updated_at"])


def guide_carry(*, round_: Round, previous: Round) -> None:
    """The previous round's guide, as asked, becomes this round's: the same questions (the
    same keys) in the same order, so their answers can be read across rounds."""
    _guide_copy(round_=round_, questions=previous.guide.asked())


def _guide_copy(*, round_: Round, questions: Iterable[GuideQuestion | NextGuideQuestion]) -> None:
    GuideQuestion.objects.bulk_create(
        GuideQuestion(
            round=round_,
            key=question.key,
            position=position,
            section=question.section,
            text=question.text,
        )
        for position, question in enumerate(questions)
    )


def households_to_visit(study: Study, round_: Round, at: dt.datetime) -> list[Household]:
    """Enrolled households with participation consent in force and no live visit yet."""
    consenting = Consent.objects.in_force(at).filter(kind=ConsentKind.PARTICIPATION)
    return list(
        Household.objects.filter(
            enrolments__study=study,
            enrolments__left_at__isnull=True,
            consents__in=consenting,
        )
        .exclude(
            pk__in=Visit.objects.filter(round=round_, status__in=LIVE_STATUSES).values(
                "household_id"
            )
        )
        .distinct()
        .order_by("code")
    )


def round_propose_visits(
    *, round_: Round, now: dt.datetime | None = None, not_before: dt.datetime | None = None
) -> tuple[list[Visit], list[Household]]:
    """Book one visit per household still to visit, spread and balanced across researchers.

    Must run inside a transaction; it locks the study's researchers while it books.
    """
    study = round_.study
    now = now or timezone.now()
    households = households_to_visit(study, round_, now)
    researchers = list(
        User.objects.filter(
            memberships__study=study, memberships__role=Role.RESEARCHER, is_active=True
        ).order_by("username")
    )
    if not households or not researchers:
        return [], households
    lock_researchers(user.pk for user in researchers)
    zone = zoneinfo.ZoneInfo(study.time_zone)
    span_start = dt.datetime.combine(round_.window_start, dt.time.min, tzinfo=zone)
    span_end = dt.datetime.combine(round_.window_end, dt.time.max, tzinfo=zone)
    plan = plan_visits(
        household_ids=[household.pk for household in households],
        researchers=researcher_calendars(researchers=researchers, start=span_start, end=span_end),
        window_start=round_.window_start,
        window_end=round_.window_end,
        hours=WorkingHours(
            day_start=study.workday_start,
            day_end=study.workday_end,
            visit_minutes=study.visit_minutes,
            gap_minutes=study.travel_minutes,
            time_zone=study.time_zone,
        ),
        earliest=not_before,
    )
    visits = Visit.objects.bulk_create(
        Visit(
            round=round_,
            household_id=assignment.household_id,
            researcher_id=assignment.researcher_id,
            scheduled_start=assignment.slot.start,
            scheduled_end=assignment.slot.end,
        )
        for assignment in plan.assignments
    )
    VisitChange.objects.bulk_create(
        VisitChange(
            visit=visit,
            kind=VisitChange.Kind.CREATED,
            to_status=visit.status,
            to_start=visit.scheduled_start,
            to_end=visit.scheduled_end,
            to_researcher_id=visit.researcher_id,
            note=_("Proposed by round planning."),
        )
        for visit in visits
    )
    unplaced_ids = set(plan.unplaced)
    return visits, [household for household in households if household.pk in unplaced_ids]


def round_plan(
    *, study: Study, period: Period, automatic: bool, now: dt.datetime | None = None
) -> PlanningOutcome:
    """Create the round for a period with its guide and proposed visits, exactly once.

    Running it twice, or in two processes at once, plans the round once: the study row is
    locked for the duration and (study, label) is unique behind that.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        existing = Round.objects.filter(study=study, label=period.label).first()
        if existing is not None:
            return PlanningOutcome(round=existing, created=False)
        # Read before the new round exists: the next guide, or the latest round's.
        guide = list(selectors.next_guide_list(study=study))
        try:
            with transaction.atomic():
                round_ = Round.objects.create(
                    study=study,
                    label=period.label,
                    window_start=period.start,
                    window_end=period.end,
                    planned_automatically=automatic,
                )
        except IntegrityError:
            return PlanningOutcome(
                round=Round.objects.get(study=study, label=period.label), created=False
            )
        _guide_copy(round_=round_, questions=guide)
        if locked.status == StudyStatus.DRAFT:
            # Its first round makes a draft study active, so the periodic job plans the
            # next ones.
            locked.status = study.status = StudyStatus.ACTIVE
            locked.save(update_fields=["status", "updated_at"])
        visits, unplaced = round_propose_visits(round_=round_, now=now)
    logger.info(
        "Planned %s for %s: %d visits, %d households without a slot",
        round_.label,
        study.pk,
        len(visits),
        len(unplaced),
    )
    return PlanningOutcome(round=round_, created=True, visits=visits, unplaced=unplaced)


def round_plan_next(*, study: Study, now: dt.datetime | None = None) -> PlanningOutcome:
    """A lead's "plan now": plan the next period's round without waiting for the lead time."""
    now = now or timezone.now()
    policies.refuse_if_closed(study)
    period = next_period(study.cadence, study_today(study, now))
    outcome = round_plan(study=study, period=period, automatic=False, now=now)
    if not outcome.created:
        raise ConflictError(
            {"round": [_("Round %(label)s is already planned.") % {"label": period.label}]}
        )
    return outcome


def rounds_plan_due(*, now: dt.datetime | None = None) -> list[PlanningOutcome]:
    """The periodic job: plan every active study's next round once its lead time begins."""
    now = now or timezone.now()
    outcomes = []
    for study in Study.objects.filter(status=StudyStatus.ACTIVE).order_by("pk"):
        today = study_today(study, now)
        period = next_period(study.cadence, today)
        if planning_due(period, today, study.planning_lead_days):
            outcomes.append(round_plan(study=study, period=period, automatic=True, now=now))
    return outcomes
