"""One household added to the panel by hand: the same checks as every row of a file."""

import re
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from studies.common.audit import audit_record
from studies.common.models import AuditAction, User
from studies.scheduling import policies
from studies.scheduling.models import Household, Study
from studies.scheduling.selectors import local_day_bounds, zone_or_utc
from studies.scheduling.services.panel.check import (
    PanelCheck,
    pseudonyms_new,
)
from studies.scheduling.services.panel.columns import segment_key
from studies.scheduling.services.studies import consent_give, household_create, household_enrol


def segment_parse(text: str) -> tuple[dict[str, str], list[str]]:
    """Segments typed one per line as "key: value" (or "key = value"), and the lines that
    are neither."""
    segment: dict[str, str] = {}
    bad: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = re.split(r"[:=]", line, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            bad.append(line.strip())
            continue
        segment[segment_key(parts[0])] = " ".join(parts[1].split())
    return segment, bad


@transaction.atomic
def panel_household_add(
    *,
    study: Study,
    actor: User,
    values: Mapping[str, str],
    segment: Mapping[str, str],
    unreadable_segments: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> Household:
    """Add one household to the panel, with its contact and the consents it gave.

    The same checks as every row of an imported file; a blank code gets a new pseudonym.
    `unreadable_segments`: lines of a typed segment list that were not "name: value".
    """
    policies.refuse_if_closed(study)
    check = PanelCheck(study=study, codes=[str(values.get("code") or "").strip()])
    result = check.check(1, values, segment)
    problems = dict[str, list[str]]()
    for line in unreadable_segments:
        problems.setdefault("segment", []).append(
            _("Write “%(line)s” as name: value.") % {"line": line}
        )
    for name, message in result.problems:
        problems.setdefault("segment" if name.startswith("segment:") else name, []).append(message)
    if result.outcome == "unchanged":
        problems.setdefault("code", []).append(
            _("%(code)s is in this study already, with these details.") % {"code": result.row.code}
        )
    if problems:
        raise ValidationError(problems)
    row = result.row
    code = row.code or pseudonyms_new(1, taken=set())[0]
    household = household_create(
        code=code,
        segment=row.segment,
        segment_phrase=row.segment_phrase,
        name=row.name,
        address=row.address,
        phone=row.phone,
        email=row.email,
    )
    household_enrol(study=study, household=household)
    zone = zone_or_utc(study.time_zone)
    for kind, (day, version) in row.consents.items():
        consent = consent_give(
            household=household,
            kind=kind,
            version=version,
            actor=actor,
            given_at=local_day_bounds(day, zone)[0],
        )
        audit_record(
            actor=actor,
            action=AuditAction.CONSENT_GIVEN,
            study_id=study.pk,
            target=household.code,
            detail={"kind": kind, "version": version, "consent": str(consent.pk)},
            request=request,
        )
    return household
