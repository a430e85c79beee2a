"""The audit log's one writer: who viewed or exported personal data, changed consent,
exported quotes, changed roles or routing rules.

Entries are written in the caller's transaction, so a change and its record land
together or not at all. They hold pseudonyms and ids, never personal data.
"""

import uuid
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from studies.common.client import client_address
from studies.common.models import AuditAction, AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    study_id: uuid.UUID | None = None,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    authenticated = actor is not None and actor.is_authenticated
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        action=action,
        study_id=study_id,
        target=target[:200],
        detail=dict(detail or {}),
        ip_address=client_address(request),
    )


def audit_personal_data_shown(
    *,
    request: HttpRequest,
    household_codes: list[str],
    where: str,
    study_id: uuid.UUID | None = None,
    exported: bool = False,
) -> AuditEvent | None:
    """Record that households' personal data was shown (or sent out, e.g. to a phone for
    offline use); nothing is recorded when none was."""
    if not household_codes:
        return None
    return audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action=AuditAction.PERSONAL_DATA_EXPORTED if exported else AuditAction.PERSONAL_DATA_VIEWED,
        study_id=study_id,
        target=household_codes[0] if len(household_codes) == 1 else "",
        detail={"households": sorted(household_codes), "where": where},
        request=request,
    )
