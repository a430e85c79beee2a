"""The rows of a list editor (research questions, guide questions) as a form posts them.

Each row is a few fields named `<prefix>-<n>-text`, `-section`, `-key`, `-order`, `-remove`
and `-listed`: a plain form without scripts, in the order its order boxes say;
list-editor.js moves rows by buttons and by dragging and keeps the order boxes in step.
"""

import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.http import QueryDict

from frontend.refusals import errors_of

# Rows beyond this many are not read: no real list is that long, and a crafted form with
# a million rows should cost nothing.
MAX_ROWS = 300
# Blank rows a page without scripts offers for adding; list-editor.js removes them and
# offers an "Add" button instead.
SPARE_ROWS = 3
# A key that can be no question's: what a tampered, malformed key becomes, so that the
# service refuses it with the row named, as it refuses a well-formed stranger's key.
NO_SUCH_KEY = uuid.UUID(int=0)


@dataclass
class Row:
    """One row of a list editor as typed (or as stored), with its messages."""

    index: int
    text: str = ""
    section: str = ""
    key: str = ""
    # Part of the list (stored, or added by list-editor.js), unlike a spare row: blank,
    # it is an emptied question to refuse rather than a spare to ignore.
    listed: bool = False
    answer_count: int = 0
    errors: list[str] = field(default_factory=list)
    spare: bool = False
    name: str = ""  # the prefix of its fields, e.g. "guide-3"

    @property
    def is_blank(self) -> bool:
        return not (self.text.strip() or self.section.strip() or self.key or self.listed)


def _row_indices(data: QueryDict, prefix: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{1,4}})-text$")
    found = sorted({int(m.group(1)) for name in data if (m := pattern.match(name))})
    return found[:MAX_ROWS]


def _order(value: str, fallback: int) -> tuple[int, int]:
    try:
        return int(value), fallback
    except ValueError:
        return 10**6, fallback


def rows_from_post(data: QueryDict, prefix: str) -> list[Row]:
    """The rows as typed, in the order asked for: the order boxes (which list-editor.js
    keeps in step with what is on screen), ties and blanks in page order. Rows marked for
    removal, and spare rows left blank, are not part of the list; a listed row emptied is,
    for the service to refuse by its place."""
    kept: list[tuple[tuple[int, int], Row]] = []
    for index in _row_indices(data, prefix):
        name = f"{prefix}-{index}"
        if data.get(f"{name}-remove"):
            continue
        row = Row(
            index=index,
            text=data.get(f"{name}-text", ""),
            section=data.get(f"{name}-section", ""),
            key=data.get(f"{name}-key", "").strip(),
            listed=bool(data.get(f"{name}-listed")),
        )
        if row.is_blank:
            continue
        kept.append((_order(data.get(f"{name}-order", ""), index), row))
    return [row for _position, row in sorted(kept, key=lambda pair: pair[0])]


def named_rows(rows: list[Row], prefix: str, *, spares: bool) -> list[Row]:
    """The rows to show, each with its fields' prefix; with spare blank rows to add."""
    start = max((row.index for row in rows), default=-1) + 1
    extra = [Row(index=start + n, spare=True) for n in range(SPARE_ROWS if spares else 0)]
    for row in [*rows, *extra]:
        row.name = f"{prefix}-{row.index}"
    return [*rows, *extra]


def row_errors(rows: list[Row], error: ValidationError, name: str) -> dict[str, list[str]]:
    """Put a service's messages about item i (`name[i]`, `name[i].text`) on row i; return
    the others by field."""
    pattern = re.compile(rf"^{re.escape(name)}\[(\d+)\]")
    rest: dict[str, list[str]] = {}
    for key, found in errors_of(error).items():
        match = pattern.match(key)
        if match and int(match.group(1)) < len(rows):
            rows[int(match.group(1))].errors.extend(found)
        else:
            rest.setdefault(key, []).extend(found)
    return rest


def row_key(row: Row) -> uuid.UUID | None:
    if not row.key:
        return None
    try:
        return uuid.UUID(row.key)
    except ValueError:
        return NO_SUCH_KEY
