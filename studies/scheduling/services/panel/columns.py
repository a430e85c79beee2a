"""The import's columns: their fields, the headers the template and the export write, the
other headers read as each (compared squashed), and segment columns ("segment: <key>")."""

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from studies.scheduling.models import ConsentKind

SEGMENT_PREFIX = "segment: "
_SEGMENT_HEADER = re.compile(r"^\s*segments?\s*[:\-–—/.]\s*(?P<key>.+?)\s*$", re.IGNORECASE)
CONSENT_KINDS = (ConsentKind.PARTICIPATION, ConsentKind.PHOTOS, ConsentKind.MARKETING)


@dataclass(frozen=True)
class Column:
    field: str  # the name pages, forms and the rows use
    header: str  # as the template and the export write it
    aliases: tuple[str, ...]  # other headers read as this column (compared squashed)
    description: Any


def _given_on(kind: str) -> str:
    return f"{kind}_given_on"


def _version(kind: str) -> str:
    return f"{kind}_version"


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "code",
        ("householdcode", "pseudonym", "pseudonymcode", "id"),
        gettext_lazy("The household's pseudonym, e.g. H-014. Leave it empty for a new one."),
    ),
    Column(
        "name",
        "name",
        ("contactname", "fullname", "contact"),
        gettext_lazy("The contact person's name. Required."),
    ),
    Column("address", "address", ("postaladdress", "homeaddress"), gettext_lazy("Where to go.")),
    Column(
        "phone",
        "phone",
        ("telephone", "phonenumber", "tel", "mobile", "mobilephone"),
        gettext_lazy("Digits, spaces, + ( ) - . / only; 6 to 15 digits."),
    ),
    Column("email", "email", ("emailaddress", "mail"), gettext_lazy("An e-mail address.")),
    Column(
        "segment_phrase",
        "quote attribution",
        ("segmentphrase", "attribution", "attributedas"),
        gettext_lazy("How the quote bank attributes quotes, e.g. “parent of three, suburban”."),
    ),
    *(
        Column(
            _given_on(kind),
            f"{kind} consent given on",
            (f"{kind}consent", f"{kind}consentdate", f"consent{kind}", f"{kind}givenon"),
            gettext_lazy(
                "The date this consent was given: 2026-03-31, 31/03/2026 or 31.03.2026. "
                "Empty: not given."
            ),
        )
        for kind in CONSENT_KINDS
    ),
    Column(
        "consent_version",
        "consent text version",
        ("consentversion", "version", "textversion", "consenttext"),
        gettext_lazy("The version of the consent text, e.g. 2.1: for every consent of the row."),
    ),
    *(
        Column(
            _version(kind),
            f"{kind} consent version",
            (f"{kind}version", f"consent{kind}version"),
            gettext_lazy("Optional: this consent's text version, when it differs."),
        )
        for kind in CONSENT_KINDS
    ),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_FIELDS = ("name",)


def _squashed(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


_ALIASES = {
    _squashed(name): column.field
    for column in COLUMNS
    for name in (column.header, column.field, *column.aliases)
}


def segment_key(text: str) -> str:
    """A segment key as the filters and trends read it: spaces collapsed, case kept."""
    return " ".join(text.split())


def column_field(header: str) -> str | None:
    """The field a header names ("segment:<key>" for a segment column), or None."""
    match = _SEGMENT_HEADER.match(header)
    if match and segment_key(match["key"]):
        return "segment:" + segment_key(match["key"])
    return _ALIASES.get(_squashed(header))
