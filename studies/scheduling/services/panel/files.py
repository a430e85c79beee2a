"""Reading an uploaded CSV or XLSX file into a header and cells: encodings, the delimiter,
formulas read as text, and files refused (400) with a message saying what to do."""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from studies.common.spreadsheets import formula_safe_undone

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
MAX_COLUMNS = 200


def _refuse_file(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time.min else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """The first sheet's rows; a formula is read as its text, never run."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _refuse_file(
            _("This file could not be read as an XLSX workbook. Save it again as XLSX or CSV.")
        ) from exc
    try:
        if not workbook.worksheets:
            return
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_xlsx_cell(value) for value in values[:MAX_COLUMNS]]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _refuse_file(
            _("This file could not be read as an XLSX workbook. Save it again as XLSX or CSV.")
        ) from exc
    finally:
        workbook.close()


def _text_of(data: bytes) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse_file(_("This file is UTF-16 text. Save it as CSV UTF-8 and upload it again."))
    if b"\x00" in data[:65536]:
        raise _refuse_file(
            _("This is not a CSV or XLSX file. Save the spreadsheet as CSV or XLSX and try again.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _refuse_file(
                _("This file's characters could not be read. Save it as CSV UTF-8 and try again.")
            ) from exc
    sample = text[:65536]
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n")
    if controls > len(sample) // 100:
        raise _refuse_file(
            _("This is not a CSV or XLSX file. Save the spreadsheet as CSV or XLSX and try again.")
        )
    return text


def _delimiter(first_line: str) -> str:
    """What separates the header's columns: a semicolon (as spreadsheets in much of Europe
    export), a comma or a tab, whichever the header holds most of outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _text_of(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line)):
            yield cells[:MAX_COLUMNS]
    except csv.Error as exc:
        raise _refuse_file(
            _("This CSV file could not be read (%(reason)s).") % {"reason": str(exc)}
        ) from exc


def file_cells(data: bytes) -> tuple[list[str], list[list[Any]]]:
    """The header and the non-empty rows, as [line number, [cell, …]]."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _refuse_file(_("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse_file(
            _("This is an old Excel (.xls) file. Save it as XLSX or CSV and upload it again.")
        )
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    header: list[str] | None = None
    cells: list[list[Any]] = []
    for line, values in enumerate(rows, start=1):
        values = [formula_safe_undone(value.strip()) for value in values]
        if not any(values):
            continue
        if header is None:
            header = values
            continue
        cells.append([line, values])
        if len(cells) > MAX_IMPORT_ROWS:
            raise _refuse_file(
                _("The file has more than %(limit)s households; import at most %(limit)s at once.")
                % {"limit": f"{MAX_IMPORT_ROWS:,}"}
            )
    if header is None:
        raise _refuse_file(_("The file is empty."))
    if not cells:
        raise _refuse_file(
            _("The file has column names but no households: add a row per household.")
        )
    return header, cells
