"""A valid household row: the one rule (`household_row_check`) the hand form and every row
of an imported file go through, whatever the panel holds."""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from studies.scheduling.services.panel.columns import (
    CONSENT_KINDS,
    _given_on,
    _version,
    segment_key,
)
from studies.scheduling.validators import household_code_validator

_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")
_DATE_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), (0, 1, 2)),
    (re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$"), (2, 1, 0)),
)
_MAX = {"code": 32, "name": 200, "address": 1000, "phone": 50, "email": 254}
_MAX_SEGMENT_KEY = 60
_MAX_SEGMENT_VALUE = 200
_MAX_PHRASE = 120
_MAX_VERSION = 32
_EARLIEST_CONSENT = dt.date(1970, 1, 1)


@dataclass
class HouseholdRow:
    code: str = ""
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    segment_phrase: str = ""
    segment: dict[str, str] = field(default_factory=dict)
    consents: dict[str, tuple[dt.date, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "segment_phrase": self.segment_phrase,
            "segment": self.segment,
            "consents": {kind: [day.isoformat(), v] for kind, (day, v) in self.consents.items()},
        }


Problem = tuple[str, str]  # (field, message)


def parse_day(text: str) -> dt.date | None:
    for pattern, (year, month, day) in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            parts = match.groups()
            try:
                return dt.date(int(parts[year]), int(parts[month]), int(parts[day]))
            except ValueError:
                return None
    return None


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def household_row_check(
    values: Mapping[str, str], segment: Mapping[str, str], *, today: dt.date
) -> tuple[HouseholdRow, list[Problem]]:
    """A household row from text values by field, and what is wrong with it on its own.

    The hand form and every row of an imported file are checked here, and only here.
    """
    problems: list[Problem] = []

    def text(name: str) -> str:
        return (
            " ".join(str(values.get(name) or "").split())
            if name != "address"
            else (str(values.get(name) or "").strip())
        )

    row = HouseholdRow(
        code=text("code"),
        name=text("name"),
        address=text("address"),
        phone=text("phone"),
        email=text("email"),
        segment_phrase=text("segment_phrase"),
    )
    for name, limit in _MAX.items():
        if len(getattr(row, name)) > limit:
            problems.append(
                (
                    name,
                    _("At most %(limit)d characters (this has %(n)d).")
                    % {"limit": limit, "n": len(getattr(row, name))},
                )
            )
    if row.code and len(row.code) <= _MAX["code"]:
        try:
            household_code_validator(row.code)
        except ValidationError as invalid:
            problems.append(("code", str(invalid.messages[0])))
    if not row.name:
        problems.append(("name", _("Give the contact's name.")))
    if row.phone and len(row.phone) <= _MAX["phone"]:
        digits = len(phone_digits(row.phone))
        if not _PHONE.match(row.phone) or row.phone.count("+") > 1 or not 6 <= digits <= 15:
            problems.append(
                (
                    "phone",
                    _(
                        "“%(phone)s” is not a phone number: use digits, spaces and + ( ) - . / "
                        "only, 6 to 15 digits."
                    )
                    % {"phone": row.phone},
                )
            )
    if row.email and len(row.email) <= _MAX["email"]:
        try:
            validate_email(row.email)
        except ValidationError:
            problems.append(
                ("email", _("“%(email)s” is not an e-mail address.") % {"email": row.email})
            )
    if len(row.segment_phrase) > _MAX_PHRASE:
        problems.append(
            ("segment_phrase", _("At most %(limit)d characters.") % {"limit": _MAX_PHRASE})
        )
    for key, value in segment.items():
        key, value = segment_key(key), " ".join(str(value).split())
        if not key or len(key) > _MAX_SEGMENT_KEY:
            problems.append(
                (
                    "segment",
                    _("A segment's name takes 1 to %(limit)d characters.")
                    % {"limit": _MAX_SEGMENT_KEY},
                )
            )
        elif len(value) > _MAX_SEGMENT_VALUE:
            problems.append(
                (
                    f"segment:{key}",
                    _("At most %(limit)d characters.") % {"limit": _MAX_SEGMENT_VALUE},
                )
            )
        elif value:
            # An empty cell means the household has no value for it, not an empty one.
            row.segment[key] = value
    general_version = text("consent_version")
    for kind in CONSENT_KINDS:
        given = text(_given_on(kind))
        if not given:
            continue
        day = parse_day(given)
        if day is None:
            problems.append(
                (
                    _given_on(kind),
                    _("“%(value)s” is not a date: write 2026-03-31, 31/03/2026 or 31.03.2026.")
                    % {"value": given},
                )
            )
            continue
        if day > today:
            problems.append((_given_on(kind), _("Consent cannot be given in the future.")))
            continue
        if day < _EARLIEST_CONSENT:
            problems.append((_given_on(kind), _("Check the year: %(day)s.") % {"day": given}))
            continue
        version = text(_version(kind)) or general_version
        version_field = _version(kind) if text(_version(kind)) else "consent_version"
        if not version:
            problems.append(
                (
                    "consent_version",
                    _("Give the version of the consent text the household agreed to."),
                )
            )
        elif len(version) > _MAX_VERSION:
            problems.append(
                (version_field, _("At most %(limit)d characters.") % {"limit": _MAX_VERSION})
            )
        else:
            row.consents[kind] = (day, version)
    return row, problems
