"""A study's panel as a CSV or XLSX file, for its research lead.

Its columns are the import's (panel.columns.COLUMNS), so a file exported and
imported into the same study again changes nothing. Every cell is formula-safe, and every
export is audited: it carries names, addresses and phone numbers out of ResearchHub.
"""

import io
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from studies.common.audit import audit_personal_data_shown
from studies.common.spreadsheets import csv_lines
from studies.scheduling.models import Study
from studies.scheduling.services.panel.check import panel_households
from studies.scheduling.services.panel.columns import COLUMN_BY_FIELD, CONSENT_KINDS, SEGMENT_PREFIX
from studies.scheduling.services.panel.rows import HouseholdRow

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CONTACT_FIELDS = ("code", "name", "address", "phone", "email", "segment_phrase")


@dataclass(frozen=True)
class PanelFile:
    content: bytes
    content_type: str
    file_name: str


def _header(segment_keys: list[str]) -> list[str]:
    consent_columns = [
        COLUMN_BY_FIELD[name].header
        for kind in CONSENT_KINDS
        for name in (f"{kind}_given_on", f"{kind}_version")
    ]
    return [
        *(COLUMN_BY_FIELD[name].header for name in _CONTACT_FIELDS),
        *(SEGMENT_PREFIX + key for key in segment_keys),
        *consent_columns,
    ]


def _cells(row: HouseholdRow, segment_keys: list[str]) -> list[str]:
    consents: list[str] = []
    for kind in CONSENT_KINDS:
        day, version = row.consents.get(kind, (None, ""))
        consents += [day.isoformat() if day else "", version]
    return [
        *(getattr(row, name) for name in _CONTACT_FIELDS),
        *(row.segment.get(key, "") for key in segment_keys),
        *consents,
    ]


def template_file(file_format: str) -> PanelFile:
    """An empty file with the columns, and one example row to overwrite."""
    example = HouseholdRow(
        code="",
        name="Alex Example",
        address="1 Example Street, Exampleton",
        phone="+44 20 7946 0000",
        email="alex@example.org",
        segment_phrase="parent of two, suburban",
        segment={"household size": "4", "region": "north"},
        consents={kind: (timezone.localdate(), "1.0") for kind in CONSENT_KINDS[:2]},
    )
    keys = ["household size", "region"]
    return _file([_header(keys), _cells(example, keys)], file_format, "panel-template")


def panel_export(
    *, study: Study, file_format: str, request: HttpRequest | None = None
) -> PanelFile:
    """The households now in the panel, with their contact, segments and consents in force."""
    rows = sorted(
        (household.row for household in panel_households(study) if not household.left),
        key=lambda row: row.code,
    )
    segment_keys = sorted({key for row in rows for key in row.segment}, key=str.casefold)
    lines = [_header(segment_keys), *(_cells(row, segment_keys) for row in rows)]
    if request is not None:
        audit_personal_data_shown(
            request=request,
            household_codes=[row.code for row in rows],
            where=f"panel export ({file_format})",
            study_id=study.pk,
            exported=True,
        )
    name = f"panel-{slugify(study.title)[:40] or 'study'}-{timezone.localdate().isoformat()}"
    return _file(lines, file_format, name)


def _file(lines: list[list[str]], file_format: str, name: str) -> PanelFile:
    content = _xlsx(lines) if file_format == "xlsx" else "".join(csv_lines(lines)).encode("utf-8")
    return PanelFile(content, FORMATS[file_format], f"{name}.{file_format}")


def _xlsx(lines: list[list[str]]) -> bytes:
    from openpyxl import Workbook  # heavy, and only exports need it
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Panel")
    for line in lines:
        cells = []
        for value in line:
            cell = WriteOnlyCell(sheet, value=value)
            # Text, whatever it starts with: a name such as "=HYPERLINK(…)" is never a formula.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
