"""The preview of a file: its columns read, every row checked against the panel, and
pseudonyms made for new rows without a code."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from studies.scheduling.models import Study
from studies.scheduling.services.panel.check import (
    PanelCheck,
    RowResult,
    _labels,
    pseudonyms_new,
)
from studies.scheduling.services.panel.columns import (
    COLUMN_BY_FIELD,
    REQUIRED_FIELDS,
    Column,
    column_field,
)

# How often the check and the import record how far they got.
PROGRESS_EVERY = 500


def _header_fields(header: Sequence[str]) -> tuple[list[str | None], list[dict[str, str]]]:
    """The field of each column (None: left out), and the problems with the columns."""
    problems: list[dict[str, str]] = []
    fields: list[str | None] = []
    seen: dict[str, str] = {}
    for name in header:
        if not name.strip():
            fields.append(None)
            continue
        found = column_field(name)
        if found is None:
            problems.append(
                {
                    "column": name,
                    "message": _(
                        "Unknown column “%(name)s”. For a segment, call it “segment: %(name)s”; "
                        "the columns are listed on the import page."
                    )
                    % {"name": name},
                }
            )
            fields.append(None)
            continue
        key = found.casefold()
        if key in seen:
            problems.append(
                {
                    "column": name,
                    "message": _("“%(name)s” is the same column as “%(other)s”.")
                    % {"name": name, "other": seen[key]},
                }
            )
            fields.append(None)
            continue
        seen[key] = name
        fields.append(found)
    for required in REQUIRED_FIELDS:
        if required not in seen:
            problems.append(
                {
                    "column": COLUMN_BY_FIELD[required].header,
                    "message": _("The column “%(name)s” is missing.")
                    % {"name": COLUMN_BY_FIELD[required].header},
                }
            )
    return fields, problems


@dataclass
class CheckOutcome:
    rows: list[dict[str, Any]]
    file_problems: list[dict[str, str]]
    new: int
    unchanged: int
    problems: int


def rows_check(
    *,
    study: Study,
    header: Sequence[str],
    cells: Sequence[Sequence[Any]],
    previous_codes: Mapping[int, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CheckOutcome:
    """Every row's outcome (new, unchanged, problem) and problems, by column of the file."""
    fields, file_problems = _header_fields(header)
    column_of = {name: header[index] for index, name in enumerate(fields) if name}
    code_index = fields.index("code") if "code" in fields else None
    codes = [
        str(values[code_index]).strip()
        for _line, values in cells
        if code_index is not None and code_index < len(values)
    ]
    check = PanelCheck(study=study, codes=codes)
    results: list[RowResult] = []
    unnamed_with_values = False
    for done, (line, values) in enumerate(cells, start=1):
        by_field: dict[str, str] = {}
        segment: dict[str, str] = {}
        for index, value in enumerate(values):
            name = fields[index] if index < len(fields) else None
            if name is None:
                unnamed_with_values |= bool(value) and (
                    index >= len(header) or not header[index].strip()
                )
                continue
            if name.startswith("segment:"):
                segment[name.removeprefix("segment:")] = value
            else:
                by_field[name] = value
        results.append(check.check(line, by_field, segment))
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done)
    if unnamed_with_values:
        file_problems.append(
            {"column": "", "message": _("Some cells are in a column with no name: name it.")}
        )
    new_rows = [result for result in results if result.outcome == "new" and not result.row.code]
    taken = {result.row.code for result in results if result.row.code}
    reused = []
    for result in new_rows:
        code = (previous_codes or {}).get(result.line)
        if code and code not in taken and code not in check.by_code:
            reused.append(code)
            result.row.code, result.generated = code, True
            taken.add(code)
    fresh = iter(pseudonyms_new(len(new_rows) - len(reused), taken=taken))
    for result in new_rows:
        if not result.generated:
            result.row.code, result.generated = next(fresh), True
    labels = {name: _labels().get(name, name) for name in ("segment",)}
    rows = [
        {
            "line": result.line,
            "outcome": result.outcome,
            "generated": result.generated,
            **result.row.as_json(),
            "problems": [
                {
                    "column": column_of.get(name)
                    or COLUMN_BY_FIELD.get(
                        name, Column(name, labels.get(name, name), (), "")
                    ).header,
                    "message": message,
                }
                for name, message in result.problems
            ],
        }
        for result in results
    ]
    return CheckOutcome(
        rows=rows,
        file_problems=file_problems,
        new=sum(result.outcome == "new" for result in results),
        unchanged=sum(result.outcome == "unchanged" for result in results),
        problems=sum(result.outcome == "problem" for result in results),
    )
