"""Consent and erasure: every change to what a household allows, taking effect at once.

The quote bank, exports, search and the API read consent as it is *now*, so recording or
withdrawing a consent needs no copy to be updated, with one exception kept here: an
insight's cover photo is stored, and must change when its household's photo consent does.
Each write lands in the audit log in the same transaction.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.audit import audit_record
from studies.common.errors import ConflictError
from studies.common.models import AuditAction, User
from studies.fieldwork.services.erasure import household_captures_erase
from studies.privacy.models import Erasure
from studies.scheduling import services as scheduling
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    Enrolment,
    Household,
    HouseholdContact,
    Visit,
    VisitStatus,
)
from studies.synthesis.models import Insight
from studies.synthesis.services.insights import insight_stats_refresh


def _insights_backed_by(household: Household) -> list[Insight]:
    return list(
        Insight.objects.filter(
            Q(evidence__observation__visit__household=household)
            | Q(evidence__photo__visit__household=household)
        ).distinct()
    )


def _refresh(insights: list[Insight]) -> None:
    for insight in insights:
        insight_stats_refresh(insight=insight)


@transaction.atomic
def consent_give(
    *,
    household: Household,
    kind: str,
    version: str,
    actor: User,
    given_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    if household.erased_at is not None:
        raise ConflictError(
            {"household": [_("This household's data was erased; it cannot consent again.")]}
        )
    consent = scheduling.consent_give(
        household=household, kind=kind, version=version, actor=actor, given_at=given_at
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_GIVEN,
        target=household.code,
        detail={"kind": kind, "version": version, "consent": str(consent.pk)},
        request=request,
    )
    if kind == ConsentKind.PHOTOS:
        _refresh(_insights_backed_by(household))
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    actor: User,
    at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Withdraw a consent; withdrawing one already withdrawn changes nothing."""
    consent = Consent.objects.select_for_update().select_related("household").get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        return consent
    consent = scheduling.consent_withdraw(consent=consent, at=at)
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_WITHDRAWN,
        target=consent.household.code,
        detail={"kind": consent.kind, "version": consent.version, "consent": str(consent.pk)},
        request=request,
    )
    if consent.kind == ConsentKind.PHOTOS:
        _refresh(_insights_backed_by(consent.household))
    return consent


def _cancel_coming_visits(household: Household, actor: User, now: dt.datetime) -> int:
    coming = Visit.objects.filter(
        household=household, status=VisitStatus.SCHEDULED, scheduled_start__gt=now
    )
    cancelled = 0
    for visit in coming:
        scheduling.visit_transition(visit=visit, actor=actor, to_status=VisitStatus.CANCELLED)
        cancelled += 1
    return cancelled


@transaction.atomic
def household_erase(
    *,
    household: Household,
    actor: User,
    requested_on: dt.date,
    reference: str = "",
    request: HttpRequest | None = None,
) -> Erasure:
    """Carry out a household's erasure request, all of it or nothing (docs/privacy.md).

    Deleted: the contact record (name, address, phone, e-mail), every observation and
    photo captured in its visits, with their files, and its segment. Kept: the pseudonym,
    past visits (dates and researchers, which say nothing about the household), consent
    records (now all withdrawn: the proof of what was agreed) and the insights the team
    wrote, recounted without the erased evidence.
    """
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.erased_at is not None:
        raise ConflictError({"household": [_("This household's data was already erased.")]})
    if requested_on > timezone.localdate():
        raise ValidationError({"requested_on": [_("The request cannot come from the future.")]})
    now = timezone.now()
    insights = _insights_backed_by(household)
    removed = household_captures_erase(household_id=household.pk)
    removed["contact"] = HouseholdContact.objects.filter(household=household).delete()[0]
    removed["consents_withdrawn"] = Consent.objects.filter(
        household=household, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, updated_at=now)
    removed["enrolments_ended"] = Enrolment.objects.filter(
        household=household, left_at__isnull=True
    ).update(left_at=now, updated_at=now)
    removed["visits_cancelled"] = _cancel_coming_visits(household, actor, now)
    household.segment, household.segment_phrase, household.erased_at = {}, "", now
    household.save(update_fields=["segment", "segment_phrase", "erased_at", "updated_at"])
    _refresh(insights)
    removed["insights_recounted"] = len(insights)
    erasure = Erasure.objects.create(
        household=household,
        household_code=household.code,
        requested_on=requested_on,
        reference=reference.strip(),
        performed_by_username=actor.get_username(),
        removed=removed,
    )
    audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_ERASED,
        target=household.code,
        detail={"erasure": str(erasure.pk), **removed},
        request=request,
    )
    return erasure
