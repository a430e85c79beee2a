"""Writes to studies, their teams, the household panel, consent and enrolment."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.audit import audit_record
from studies.common.errors import ConflictError
from studies.common.models import AuditAction, User
from studies.common.roles import Role
from studies.scheduling import policies
from studies.scheduling.models import (
    Consent,
    Enrolment,
    Household,
    HouseholdContact,
    ResearchQuestion,
    Study,
    StudyMembership,
    StudyStatus,
)

STUDY_FIELDS = (
    "title",
    "why",
    "cadence",
    "time_zone",
    "status",
    "planning_lead_days",
    "visit_minutes",
    "travel_minutes",
    "workday_start",
    "workday_end",
)
CONTACT_FIELDS = ("name", "address", "phone", "email")


def _full_clean(instance: Any, exclude: Sequence[str] = ()) -> None:
    instance.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)


@transaction.atomic
def study_create(
    *, actor: User, title: str, why: str, questions: Sequence[str] = (), **fields: Any
) -> Study:
    """Create a study; whoever creates it leads it."""
    fields.setdefault("planning_lead_days", settings.RESEARCHHUB_PLANNING_LEAD_DAYS)
    study = Study(title=title, why=why, **{k: v for k, v in fields.items() if k in STUDY_FIELDS})
    _full_clean(study)
    study.save()
    _questions_replace(study=study, questions=questions)
    StudyMembership.objects.create(study=study, user=actor, role=Role.RESEARCH_LEAD)
    return study


@transaction.atomic
def study_update(*, study: Study, questions: Sequence[str] | None = None, **fields: Any) -> Study:
    """Change a study's set-up. A closed study changes no more (a 409), except to reopen:
    a change of status away from closed, which may bring other changes with it."""
    current = Study.objects.select_for_update().get(pk=study.pk)
    if fields.get("status") in (None, StudyStatus.CLOSED):
        policies.refuse_if_closed(current)
    changed = [name for name in STUDY_FIELDS if name in fields]
    for name in changed:
        setattr(study, name, fields[name])
    _full_clean(study)
    study.save(update_fields=[*changed, "updated_at"])
    if questions is not None:
        _questions_replace(study=study, questions=questions)
    return study


def study_close(*, study: Study) -> Study:
    """Close a study: planning stops, its data stays, its set-up changes no more."""
    return study_update(study=study, status=StudyStatus.CLOSED)


def study_reopen(*, study: Study) -> Study:
    """Reopen a closed study: active again if it has rounds (so planning carries on), a
    draft otherwise (it becomes active when its first round is planned)."""
    status = StudyStatus.ACTIVE if study.rounds.exists() else StudyStatus.DRAFT
    return study_update(study=study, status=status)


def _questions_replace(*, study: Study, questions: Sequence[str]) -> None:
    texts = [text.strip() for text in questions]
    refused = {
        f"questions[{index}]": [
            # No database keeps a NUL character in text: refused here, not failing there.
            _("Research question %(number)d holds a character that cannot be saved.")
            % {"number": index + 1}
            if "\x00" in text
            else _("Research question %(number)d is empty: write it or remove it.")
            % {"number": index + 1}
        ]
        for index, text in enumerate(texts)
        if not text or "\x00" in text
    }
    if refused:
        raise ValidationError(refused)
    study.questions.all().delete()
    ResearchQuestion.objects.bulk_create(
        ResearchQuestion(study=study, text=text, position=index) for index, text in enumerate(texts)
    )


def _ensure_a_lead_remains(*, study: Study, user: User, new_role: str | None) -> None:
    """A study without a research lead could never be managed again, so refuse that.

    The leads' rows stay locked until the caller's transaction commits, so two leads
    demoting each other at once cannot both succeed.
    """
    if new_role == Role.RESEARCH_LEAD:
        return
    leads = set(
        StudyMembership.objects.select_for_update()
        .filter(study=study, role=Role.RESEARCH_LEAD)
        .values_list("user_id", flat=True)
    )
    if leads == {user.pk}:
        raise ConflictError(
            {
                "username": [
                    _("%(username)s is the study's only research lead.")
                    % {"username": user.username}
                ]
            }
        )


@transaction.atomic
def membership_set(
    *,
    study: Study,
    user: User,
    role: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> tuple[StudyMembership, bool]:
    """Add someone to a study's team or change their role. Returns (membership, created).

    Every change of role is audited; setting the role someone already has changes nothing.
    """
    policies.refuse_if_closed(study)
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role %(role)s.") % {"role": role}]})
    _ensure_a_lead_remains(study=study, user=user, new_role=role)
    membership = StudyMembership.objects.select_for_update().filter(study=study, user=user).first()
    if membership is not None and membership.role == role:
        return membership, False
    previous = membership.role if membership is not None else None
    membership, created = StudyMembership.objects.update_or_create(
        study=study, user=user, defaults={"role": role}
    )
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_GRANTED if created else AuditAction.ROLE_CHANGED,
        study_id=study.pk,
        target=user.get_username(),
        detail={"role": role, **({"previous_role": previous} if previous else {})},
        request=request,
    )
    return membership, created


@transaction.atomic
def membership_remove(
    *, study: Study, user: User, actor: User | None = None, request: HttpRequest | None = None
) -> None:
    """Take someone off the team. Only the membership goes: what they captured stays, and
    their open visits show in scheduling.selectors.visits_to_reassign."""
    policies.refuse_if_closed(study)
    _ensure_a_lead_remains(study=study, user=user, new_role=None)
    roles = list(
        StudyMembership.objects.filter(study=study, user=user).values_list("role", flat=True)
    )
    StudyMembership.objects.filter(study=study, user=user).delete()
    if roles:
        audit_record(
            actor=actor,
            action=AuditAction.ROLE_REVOKED,
            study_id=study.pk,
            target=user.get_username(),
            detail={"previous_role": roles[0]},
            request=request,
        )


@transaction.atomic
def household_create(
    *,
    code: str,
    segment: dict[str, str] | None = None,
    segment_phrase: str = "",
    **contact: str,
) -> Household:
    household = Household(
        code=code.strip(), segment=segment or {}, segment_phrase=" ".join(segment_phrase.split())
    )
    _validate_segment(household.segment)
    _full_clean(household)
    household.save()
    contact_row = HouseholdContact(
        household=household, **{k: v for k, v in contact.items() if k in CONTACT_FIELDS}
    )
    _full_clean(contact_row, exclude=["household"])
    contact_row.save()
    return household


@transaction.atomic
def household_update(
    *,
    household: Household,
    code: str | None = None,
    segment: dict[str, str] | None = None,
    segment_phrase: str | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
    **contact: str,
) -> Household:
    """Change a household; a change to its personal data is audited."""
    if code is not None:
        household.code = code.strip()
    if segment is not None:
        _validate_segment(segment)
        household.segment = segment
    if segment_phrase is not None:
        household.segment_phrase = " ".join(segment_phrase.split())
    _full_clean(household)
    household.save(update_fields=["code", "segment", "segment_phrase", "updated_at"])
    changed = [k for k in CONTACT_FIELDS if k in contact]
    if changed:
        contact_row, _created = HouseholdContact.objects.get_or_create(household=household)
        for name in changed:
            setattr(contact_row, name, contact[name])
        _full_clean(contact_row, exclude=["household"])
        contact_row.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PERSONAL_DATA_CHANGED,
            target=household.code,
            detail={"fields": sorted(changed)},
            request=request,
        )
    return household


def _validate_segment(segment: object) -> None:
    if not isinstance(segment, dict) or not all(
        isinstance(key, str) and isinstance(value, str | int | float)
        for key, value in segment.items()
    ):
        raise ValidationError(
            {"segment": [_("Segment must be an object of short text or number values.")]}
        )


def consent_give(
    *,
    household: Household,
    kind: str,
    version: str,
    actor: User | None,
    given_at: dt.datetime | None = None,
) -> Consent:
    consent = Consent(
        household=household,
        kind=kind,
        version=version,
        given_at=given_at or timezone.now(),
        recorded_by=actor,
    )
    _full_clean(consent)
    consent.save()
    return consent


def consent_withdraw(*, consent: Consent, at: dt.datetime | None = None) -> Consent:
    if consent.withdrawn_at is None:
        consent.withdrawn_at = at or timezone.now()
        _full_clean(consent)
        consent.save(update_fields=["withdrawn_at", "updated_at"])
    return consent


def household_enrol(*, study: Study, household: Household) -> Enrolment:
    """Enrol a household in a study's panel; enrolling again re-activates it."""
    enrolment, created = Enrolment.objects.get_or_create(study=study, household=household)
    if not created and enrolment.left_at is not None:
        enrolment.left_at = None
        enrolment.save(update_fields=["left_at", "updated_at"])
    return enrolment


def household_unenrol(*, study: Study, household: Household) -> None:
    Enrolment.objects.filter(study=study, household=household, left_at__isnull=True).update(
        left_at=timezone.now()
    )
