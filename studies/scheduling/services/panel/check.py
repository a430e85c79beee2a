"""How rows stand against a study's panel and against each other (`PanelCheck`), the panel
as rows, and new pseudonyms for rows without a code."""

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import batched

from django.utils import timezone
from django.utils.translation import gettext as _

from studies.scheduling.models import Consent, Enrolment, Household, Study
from studies.scheduling.selectors import zone_or_utc
from studies.scheduling.services.panel.rows import (
    HouseholdRow,
    Problem,
    household_row_check,
    phone_digits,
)

# The chunk of codes asked about at once: SQLite's limit on a query's parameters is 999
# on older builds.
QUERY_CHUNK = 900


@dataclass
class PanelHousehold:
    """A household of the study's panel as a row would describe it."""

    code: str
    left: bool
    row: HouseholdRow


def _labels() -> dict[str, str]:
    return {
        "name": _("name"),
        "address": _("address"),
        "phone": _("phone"),
        "email": _("e-mail"),
        "segment_phrase": _("quote attribution"),
        "segment": _("segment"),
        "consents": _("consents"),
    }


def _differences(existing: HouseholdRow, row: HouseholdRow) -> list[str]:
    labels = _labels()
    names = [
        name
        for name in ("name", "address", "phone", "email", "segment_phrase", "segment", "consents")
        if getattr(existing, name) != getattr(row, name)
    ]
    return [labels[name] for name in names]


def _chunks(values: Iterable[str]) -> Iterator[tuple[str, ...]]:
    return batched(values, QUERY_CHUNK)


def panel_households(study: Study) -> list[PanelHousehold]:
    """The study's panel, present and past, as rows: two queries."""
    zone = zone_or_utc(study.time_zone)
    consents: dict[uuid.UUID, dict[str, tuple[dt.date, str]]] = {}
    in_force = (
        Consent.objects.in_force()
        .filter(household__enrolments__study=study)
        .order_by("household_id", "kind", "-given_at")
        .values_list("household_id", "kind", "given_at", "version")
    )
    for household_id, kind, given_at, version in in_force:
        # The latest consent in force of each kind is the one a row describes.
        consents.setdefault(household_id, {}).setdefault(
            kind, (given_at.astimezone(zone).date(), version)
        )
    households = (
        Enrolment.objects.filter(study=study)
        .values_list(
            "household_id",
            "left_at",
            "household__code",
            "household__segment",
            "household__segment_phrase",
            "household__contact__name",
            "household__contact__address",
            "household__contact__phone",
            "household__contact__email",
        )
        .order_by("household__code")
    )
    return [
        PanelHousehold(
            code=code,
            left=left_at is not None,
            row=HouseholdRow(
                code=code,
                name=name or "",
                address=address or "",
                phone=phone or "",
                email=email or "",
                segment_phrase=phrase or "",
                segment={str(key): str(value) for key, value in (segment or {}).items()},
                consents=consents.get(household_id, {}),
            ),
        )
        for household_id, left_at, code, segment, phrase, name, address, phone, email in households
    ]


@dataclass
class RowResult:
    line: int
    row: HouseholdRow
    problems: list[Problem]
    outcome: str = ""  # new, unchanged or problem
    generated: bool = False


class PanelCheck:
    """How rows stand against a study's panel and against each other: codes used twice (in
    the file, in the panel with other details, outside the study), the same contact twice.

    Made once for a file (or a form) with every code it names, so the whole check costs a
    handful of queries however many rows there are.
    """

    def __init__(self, *, study: Study, codes: Iterable[str]) -> None:
        self.study = study
        self.today = timezone.now().astimezone(zone_or_utc(study.time_zone)).date()
        panel = panel_households(study)
        self.by_code = {household.code: household for household in panel}
        self.by_email = {h.row.email.casefold(): h for h in panel if h.row.email}
        self.by_phone = {phone_digits(h.row.phone): h for h in panel if h.row.phone}
        named = {code for code in codes if code and code not in self.by_code}
        self.outside = {
            code
            for chunk in _chunks(sorted(named))
            for code in Household.objects.filter(code__in=chunk).values_list("code", flat=True)
        }
        self.seen_codes: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        self.seen_phones: dict[str, int] = {}

    def check(self, line: int, values: Mapping[str, str], segment: Mapping[str, str]) -> RowResult:
        row, problems = household_row_check(values, segment, today=self.today)
        result = RowResult(line=line, row=row, problems=problems)
        existing = self.by_code.get(row.code) if row.code else None
        if row.code:
            first = self.seen_codes.setdefault(row.code.casefold(), line)
            if first != line:
                problems.append(
                    (
                        "code",
                        _("%(code)s is also on line %(line)d.") % {"code": row.code, "line": first},
                    )
                )
            if row.code in self.outside:
                problems.append(
                    (
                        "code",
                        _("%(code)s is the code of a household outside this study: choose another.")
                        % {"code": row.code},
                    )
                )
        self._same_contact(result, existing)
        if existing is None and not row.code:
            # Without a code, a household of the panel is known by its e-mail or phone.
            match = self._contact_match(row)
            if match is not None and not _differences(match.row, row):
                existing = match
                row.code = match.code
        if existing is not None and not problems:
            if existing.left:
                problems.append(
                    (
                        "code",
                        _("%(code)s left this study's panel: bring it back from its page.")
                        % {"code": existing.code},
                    )
                )
            elif differences := _differences(existing.row, row):
                problems.append(
                    (
                        "code",
                        _(
                            "%(code)s is in this study already with a different %(fields)s: "
                            "change it on the household's page, or take this row out."
                        )
                        % {"code": existing.code, "fields": ", ".join(differences)},
                    )
                )
            else:
                result.outcome = "unchanged"
        if problems:
            result.outcome = "problem"
        elif not result.outcome:
            result.outcome = "new"
        return result

    def _contact_match(self, row: HouseholdRow) -> PanelHousehold | None:
        by_email = self.by_email.get(row.email.casefold()) if row.email else None
        return by_email or (self.by_phone.get(phone_digits(row.phone)) if row.phone else None)

    def _same_contact(self, result: RowResult, existing: PanelHousehold | None) -> None:
        row, line = result.row, result.line
        contact_fields = (
            ("email", row.email.casefold(), self.seen_emails, self.by_email),
            ("phone", phone_digits(row.phone), self.seen_phones, self.by_phone),
        )
        for name, key, seen, in_panel in contact_fields:
            if not key:
                continue
            first = seen.setdefault(key, line)
            if first != line:
                result.problems.append(
                    (name, _("The same contact as on line %(line)d.") % {"line": first})
                )
                continue
            other = in_panel.get(key)
            if other is not None and (existing is None or other.code != existing.code):
                if not row.code and not _differences(other.row, row):
                    continue  # the same household, named by its contact: unchanged
                result.problems.append(
                    (
                        name,
                        _("The same contact as %(code)s, already in this study.")
                        % {"code": other.code},
                    )
                )


# --- Pseudonyms -----------------------------------------------------------------------------

_PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on a phone


def pseudonyms_new(count: int, *, taken: set[str]) -> list[str]:
    """`count` new household codes (H-7KQ2MX), used by no household and not in `taken`."""
    codes: list[str] = []
    while len(codes) < count:
        wanted = count - len(codes)
        candidates = {
            "H-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))
            for _ in range(wanted)
        } - taken
        used = {
            code
            for chunk in _chunks(sorted(candidates))
            for code in Household.objects.filter(code__in=chunk).values_list("code", flat=True)
        }
        fresh = sorted(candidates - used)
        codes.extend(fresh)
        taken.update(fresh)
    return codes[:count]
