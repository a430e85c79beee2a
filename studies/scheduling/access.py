"""The only way views, pages and tasks reach a study, household, round or visit.

Each function knows the user's role in the study. Someone outside the study gets the
same 404 for an object that exists as for one that does not; a member whose role lacks
the capability gets a 403, since they can already see the object exists.

The role each function looked up is left on the study it reached, as `study.viewer_role`,
so a page or view deciding what to show needs no second query for it.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from studies.common.models import User
from studies.common.roles import Capability, Role, role_can
from studies.scheduling import policies
from studies.scheduling.models import Household, Round, Study, StudyMembership, Visit


def study_role(user: User, study_id: uuid.UUID) -> str | None:
    """The user's role in a study; superusers act as research leads everywhere."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.RESEARCH_LEAD
    return (
        StudyMembership.objects.filter(study_id=study_id, user=user)
        .values_list("role", flat=True)
        .first()
    )


def studies_for_user(user: User, capability: str = Capability.VIEW_STUDY) -> QuerySet[Study]:
    if not user.is_authenticated or not user.is_active:
        return Study.objects.none()
    if user.is_superuser:
        return Study.objects.all()
    roles = [role for role in Role.values if role_can(role, capability)]
    return Study.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


# The permission an administrator grants, directly or through the "Research leads" group,
# to someone who starts studies before leading any.
START_STUDY_PERMISSION = "scheduling.add_study"


def can_start_study(user: User) -> bool:
    """Administrators and research leads start studies (and lead them): a lead is someone
    who leads a study already or whom an administrator made one (START_STUDY_PERMISSION).
    The other roles work inside the studies they are given."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    # One query for what would be three (the lead's memberships, the user's permissions and
    # her groups'); the permission is granted directly or through a group, as Django's own
    # permission check reads it.
    app_label, codename = START_STUDY_PERMISSION.split(".")
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Q(memberships__role=Role.RESEARCH_LEAD)
            | Q(
                user_permissions__codename=codename,
                user_permissions__content_type__app_label=app_label,
            )
            | Q(
                groups__permissions__codename=codename,
                groups__permissions__content_type__app_label=app_label,
            )
        )
        .exists()
    )


def _require(role: str | None, capability: str) -> None:
    if role is None:
        raise Http404
    if not role_can(role, capability):
        raise PermissionDenied


def as_uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def study_get_for_user(
    *, user: User, study_id: object, capability: str = Capability.VIEW_STUDY
) -> Study:
    study = Study.objects.filter(pk=as_uuid(study_id)).first()
    if study is None:
        raise Http404
    study.viewer_role = study_role(user, study.pk)
    _require(study.viewer_role, capability)
    return study


def round_get_for_user(
    *, user: User, round_id: object, capability: str = Capability.VIEW_STUDY
) -> Round:
    round_ = Round.objects.select_related("study").filter(pk=as_uuid(round_id)).first()
    if round_ is None:
        raise Http404
    round_.study.viewer_role = study_role(user, round_.study_id)
    _require(round_.study.viewer_role, capability)
    return round_


def visit_get_for_user(
    *, user: User, visit_id: object, capability: str = Capability.VIEW_STUDY
) -> Visit:
    """A visit; with CONDUCT_VISITS, only its own researcher (or a lead) gets through."""
    visit = (
        Visit.objects.select_related("round__study", "household", "researcher")
        .filter(pk=as_uuid(visit_id))
        .first()
    )
    if visit is None:
        raise Http404
    role = visit.round.study.viewer_role = study_role(user, visit.round.study_id)
    _require(role, capability)
    if capability == Capability.CONDUCT_VISITS and not policies.may_conduct_visit(
        role=role, researcher_id=visit.researcher_id, user_id=user.pk
    ):
        raise PermissionDenied
    return visit


def households_for_user(user: User, capability: str = Capability.VIEW_STUDY) -> QuerySet[Household]:
    """Households enrolled in any study where the user has the capability."""
    studies = studies_for_user(user, capability)
    return Household.objects.filter(enrolments__study__in=studies).distinct()


def household_get_for_user(
    *, user: User, household_id: object, capability: str = Capability.VIEW_STUDY
) -> Household:
    household_pk = as_uuid(household_id)
    household = households_for_user(user).filter(pk=household_pk).first()
    if household is None:
        raise Http404
    if not households_for_user(user, capability).filter(pk=household_pk).exists():
        raise PermissionDenied
    return household


def can_view_personal_data(user: User, study_id: uuid.UUID) -> bool:
    return role_can(study_role(user, study_id), Capability.VIEW_PERSONAL_DATA)
