"""Reads of the scheduling app that shape a queryset: what is joined, prefetched, annotated.

Every function starts from an access function (studies.scheduling.access), so the rows a
user may see are decided in one place; these only decide how they are loaded.
"""

import datetime as dt
import uuid
import zoneinfo

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields import CharField
from django.db.models.functions import Coalesce
from django.utils import timezone

from studies.common.models import User
from studies.common.roles import Capability, Role, role_can
from studies.scheduling import access, policies
from studies.scheduling.models import (
    BOOKED_STATUSES,
    Availability,
    CalendarDeparture,
    Consent,
    Enrolment,
    GuideQuestion,
    Household,
    HouseholdContact,
    NextGuideQuestion,
    ResearchQuestion,
    Round,
    Study,
    StudyMembership,
    Visit,
    VisitChange,
    VisitStatus,
)


def study_list(*, user: User) -> QuerySet[Study]:
    """The user's studies with their own role (`my_role`), team and research questions."""
    if not user.is_authenticated:
        return Study.objects.none()
    if user.is_superuser:
        my_role = Value(Role.RESEARCH_LEAD, output_field=CharField())
    else:
        my_role = Subquery(
            StudyMembership.objects.filter(study=OuterRef("pk"), user=user).values("role")[:1]
        )
    return (
        access.studies_for_user(user)
        .annotate(my_role=my_role)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=StudyMembership.objects.select_related("user").order_by(
                    "role", "user__username"
                ),
            ),
            Prefetch("questions", queryset=ResearchQuestion.objects.order_by("position")),
        )
        .order_by("title", "pk")
    )


def study_detail(*, user: User, study: Study) -> Study:
    return study_list(user=user).get(pk=study.pk)


def membership_list(*, study: Study) -> QuerySet[StudyMembership]:
    return study.memberships.select_related("user").order_by("role", "user__username")


def study_member(*, study: Study, username: str) -> User | None:
    return User.objects.filter(memberships__study=study, username=username).first()


def active_user(*, username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def household_list(*, user: User) -> QuerySet[Household]:
    """Households the user may see; contacts are loaded only where they may be shown.

    `personal_data_visible` is true when the household is enrolled in a study where the
    user may view personal data. Contacts of the others are never fetched, so product
    and marketing answers cannot leak them by accident.
    """
    personal_studies = access.studies_for_user(user, Capability.VIEW_PERSONAL_DATA)
    # Only while enrolled: a household that left the panel keeps its pseudonym, not its address.
    current = Enrolment.objects.filter(study__in=personal_studies, left_at__isnull=True)
    visible_contacts = HouseholdContact.objects.filter(
        Exists(current.filter(household=OuterRef("household")))
    )
    return (
        access.households_for_user(user)
        .annotate(personal_data_visible=Exists(current.filter(household=OuterRef("pk"))))
        .prefetch_related(Prefetch("contact", queryset=visible_contacts))
        .order_by("code")
    )


def household_detail(*, user: User, household: Household) -> Household:
    return household_list(user=user).get(pk=household.pk)


def panel_household(*, study: Study, household_id: uuid.UUID) -> Household | None:
    """A household that is, or was, in the study's panel."""
    return Household.objects.filter(pk=household_id, enrolments__study=study).first()


def consent_list(*, household: Household) -> QuerySet[Consent]:
    return household.consents.order_by("kind", "-given_at")


def consent_get(*, consent_id: uuid.UUID) -> Consent | None:
    """A consent by id, unchecked: callers pass its household to the access function."""
    return Consent.objects.filter(pk=consent_id).first()


def round_list(*, user: User) -> QuerySet[Round]:
    return (
        Round.objects.filter(study__in=access.studies_for_user(user))
        .select_related("study")
        .prefetch_related(Prefetch("guide", queryset=GuideQuestion.objects.asked()))
        .order_by("-window_start", "study__title", "label")
    )


def round_detail(*, user: User, round_: Round) -> Round:
    return round_list(user=user).get(pk=round_.pk)


def visit_list(*, user: User) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(round__study__in=access.studies_for_user(user))
        .select_related("round__study", "household", "researcher")
        .order_by("scheduled_start", "pk")
    )


def visit_detail(*, user: User, visit: Visit) -> Visit:
    """One visit with its history, oldest change first."""
    history = VisitChange.objects.select_related(
        "actor", "from_researcher", "to_researcher"
    ).order_by("created_at", "pk")
    return (
        visit_list(user=user)
        .prefetch_related(Prefetch("changes", queryset=history))
        .get(pk=visit.pk)
    )


def zone_or_utc(name: str) -> zoneinfo.ZoneInfo:
    """A zone by IANA name; UTC for a name the server's tz database does not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_day_bounds(day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants a calendar day starts and ends in a zone (23 or 25 hours on DST days)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def availability_list(*, researcher: User) -> QuerySet[Availability]:
    return Availability.objects.filter(researcher=researcher).order_by("weekday", "start_time")


# --- Reads behind the web pages (frontend/) ---------------------------------------------
# Callers have passed an access function first. Personal data (HouseholdContact) is only
# loaded by the functions that say so, and pages call them only for roles allowed to see it.

# Leads first, then the people in the field, then the teams who build and sell.
ROLE_ORDER = Case(
    *(When(role=role, then=Value(index)) for index, role in enumerate(Role.values)),
    default=Value(len(Role.values)),
    output_field=IntegerField(),
)


def study_list_with_next_round(*, user: User, today: dt.date) -> QuerySet[Study]:
    """The user's studies and role (see study_list) with the round running or next.

    `today` is the viewer's date; a study's own date differs from it by a day at most,
    which only matters on the last day of a round's window.
    """
    next_round = Round.objects.filter(study=OuterRef("pk"), window_end__gte=today).order_by(
        "window_start"
    )
    return (
        study_list(user=user)
        .prefetch_related(None)
        .annotate(
            next_round_id=Subquery(next_round.values("pk")[:1]),
            next_round_label=Subquery(next_round.values("label")[:1]),
            next_round_start=Subquery(next_round.values("window_start")[:1]),
            next_round_end=Subquery(next_round.values("window_end")[:1]),
        )
    )


def visit_list_upcoming(
    *, user: User, days: int = 14, now: dt.datetime | None = None
) -> QuerySet[Visit]:
    """The researcher's live visits from now (including one under way) for `days` days."""
    now = now or timezone.now()
    return (
        Visit.objects.filter(
            researcher=user,
            status__in=[VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS],
            scheduled_end__gte=now,
            scheduled_start__lt=now + dt.timedelta(days=days),
            round__study__in=access.studies_for_user(user, Capability.CONDUCT_VISITS),
        )
        .select_related("round__study", "household")
        .order_by("scheduled_start")
    )


def field_visit_list(*, user: User, window: policies.FieldWindow) -> QuerySet[Visit]:
    """The researcher's own visits of the field window (policies.field_window): what Today
    lists and what the phone keeps offline, the same rows for both."""
    return (
        Visit.objects.filter(
            Q(
                status__in=policies.FIELD_STATUSES,
                scheduled_start__gte=window.start,
                scheduled_start__lt=window.end,
            )
            | Q(status=VisitStatus.IN_PROGRESS),
            researcher=user,
            round__study__in=access.studies_for_user(user, Capability.CONDUCT_VISITS),
        )
        .select_related("round__study", "household")
        .order_by("scheduled_start", "pk")
    )


def question_list(*, study: Study) -> QuerySet[ResearchQuestion]:
    return study.questions.order_by("position")


def team_list(*, study: Study) -> QuerySet[StudyMembership]:
    return (
        StudyMembership.objects.filter(study=study)
        .select_related("user")
        .annotate(role_order=ROLE_ORDER)
        .order_by("role_order", "user__first_name", "user__username")
    )


def round_list_with_progress(*, study: Study) -> QuerySet[Round]:
    """Rounds, newest first, with how many of their booked visits are done."""
    return (
        Round.objects.filter(study=study)
        .annotate(
            visits_total=Count("visits", filter=Q(visits__status__in=BOOKED_STATUSES)),
            visits_done=Count("visits", filter=Q(visits__status=VisitStatus.COMPLETED)),
        )
        .order_by("-window_start")
    )


def panel_list(*, study: Study, with_personal_data: bool) -> QuerySet[Household]:
    """Households currently enrolled; their contact rows only when asked for."""
    households = Household.objects.filter(
        enrolments__study=study, enrolments__left_at__isnull=True
    ).order_by("code")
    if with_personal_data:
        households = households.select_related("contact")
    return households


def guide_list(*, round_: Round) -> QuerySet[GuideQuestion]:
    """The round's guide as asked, in order; questions taken off it (kept for their
    answers) are left out."""
    return round_.guide.asked()


def round_visit_list(*, round_: Round) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(round=round_)
        .select_related("household", "researcher")
        .order_by("scheduled_start", "household__code")
    )


def visit_change_list(*, visit: Visit) -> QuerySet[VisitChange]:
    return visit.changes.select_related("actor", "from_researcher", "to_researcher").order_by(
        "created_at"
    )


def household_contact_get(*, household: Household, study: Study) -> HouseholdContact | None:
    """Personal data of one household, for roles with VIEW_PERSONAL_DATA, while it is in the
    study's panel: once it has left, the team has no more need of its name and address."""
    return HouseholdContact.objects.filter(
        household=household,
        household__enrolments__study=study,
        household__enrolments__left_at__isnull=True,
    ).first()


def _conducting_roles() -> list[str]:
    return [role for role in Role.values if role_can(role, Capability.CONDUCT_VISITS)]


def researcher_list(*, study: Study) -> QuerySet[User]:
    """Team members who may be assigned visits, for pickers."""
    return User.objects.filter(
        memberships__study=study, memberships__role__in=_conducting_roles(), is_active=True
    ).order_by("first_name", "username")


def visits_to_reassign(*, study: Study) -> QuerySet[Visit]:
    """The study's open visits (not yet started) whose researcher may no longer conduct
    them: removed from the team, given a role that does not visit, or deactivated. What
    they captured stays theirs; these visits need someone else."""
    may_visit = researcher_list(study=study).values("pk")
    return (
        Visit.objects.filter(round__study=study, status=VisitStatus.SCHEDULED)
        .exclude(researcher__in=may_visit)
        .select_related("household", "researcher", "round")
        .order_by("scheduled_start", "pk")
    )


def next_guide_list(
    *, study: Study, with_answer_counts: bool = False
) -> QuerySet[NextGuideQuestion] | QuerySet[GuideQuestion]:
    """The guide the study's next round will ask, in order: its next guide as the lead
    wrote it or, while it has none, its latest round's guide as asked (what planning then
    carries). With `answer_count` when asked: the answers each question (by key) has had
    in any round of the study."""
    questions: QuerySet[NextGuideQuestion] | QuerySet[GuideQuestion]
    if study.next_guide.exists():
        questions = study.next_guide.order_by("position")
    else:
        latest = study.rounds.order_by("-window_start").first()
        questions = latest.guide.asked() if latest else GuideQuestion.objects.none()
    if not with_answer_counts:
        return questions
    answers = (
        GuideQuestion.objects.filter(round__study=study, key=OuterRef("key"))
        .order_by()
        .values("key")
        .annotate(count=Count("answers", filter=Q(answers__deleted_at__isnull=True)))
        .values("count")
    )
    return questions.annotate(answer_count=Coalesce(Subquery(answers), 0))


def rounds_following_next_guide(*, study: Study, today: dt.date) -> QuerySet[Round]:
    """The study's rounds whose window has not opened by `today` (the study's date): they
    follow every change to its next guide."""
    return study.rounds.filter(window_start__gt=today).order_by("window_start")


# --- A researcher's calendar feed ---------------------------------------------------------
# The feed's secret token is its access check (views.calendar_feed): these read the rows
# of the researcher it belongs to.

# How far back a feed reaches: recent past visits stay visible in the phone's calendar.
FEED_HISTORY = dt.timedelta(days=60)
# How long a feed lists a visit, cancelled, after it was called off or left the researcher:
# long enough for a calendar app that fetches rarely, or was offline, to take it off.
DEPARTED_EVENTS_KEPT = dt.timedelta(days=30)


def calendar_feed_visits(*, researcher: User, now: dt.datetime) -> QuerySet[Visit]:
    """The researcher's visits her feed lists, ending within FEED_HISTORY: booked ones, and
    cancelled and no-show ones for DEPARTED_EVENTS_KEPT after they were called off, each
    with its round, study, household and how many changes it has had (`change_count`)."""
    return (
        Visit.objects.filter(
            Q(status__in=BOOKED_STATUSES) | Q(finished_at__gte=now - DEPARTED_EVENTS_KEPT),
            researcher=researcher,
            scheduled_end__gte=now - FEED_HISTORY,
        )
        .select_related("round__study", "household")
        .annotate(change_count=Count("changes"))
        .order_by("scheduled_start")
    )


def calendar_feed_departures(*, researcher: User, now: dt.datetime) -> QuerySet[CalendarDeparture]:
    """The visits that left the researcher within DEPARTED_EVENTS_KEPT, ending within
    FEED_HISTORY: her feed lists them cancelled."""
    return CalendarDeparture.objects.filter(
        researcher=researcher,
        departed_at__gte=now - DEPARTED_EVENTS_KEPT,
        scheduled_end__gte=now - FEED_HISTORY,
    ).order_by("scheduled_start")
