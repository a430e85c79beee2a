"""Reads of the scheduling app that shape a queryset: what is joined, prefetched, annotated.

Every function starts from an access function (studies.scheduling.access), so the rows a
user may see are decided in one place; these only decide how they are loaded.
"""

import datetime as dt
import uuid
import zoneinfo

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.fields import CharField

from studies.common.models import User
from studies.common.roles import Capability, Role
from studies.scheduling import access
from studies.scheduling.models import (
    Availability,
    Consent,
    Enrolment,
    GuideQuestion,
    Household,
    HouseholdContact,
    ResearchQuestion,
    Round,
    Study,
    StudyMembership,
    Visit,
    VisitChange,
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
    visible_contacts = HouseholdContact.objects.filter(
        Exists(
            Enrolment.objects.filter(household=OuterRef("household"), study__in=personal_studies)
        )
    )
    return (
        access.households_for_user(user)
        .annotate(
            personal_data_visible=Exists(
                Enrolment.objects.filter(household=OuterRef("pk"), study__in=personal_studies)
            )
        )
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
        .prefetch_related(Prefetch("guide", queryset=GuideQuestion.objects.order_by("position")))
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
