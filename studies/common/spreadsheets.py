"""What every file made for, or read from, a spreadsheet program shares: formula safety.

A cell starting with one of FORMULA_START is run as a formula when the file is opened
(`=HYPERLINK(...)` in a quote or a name). Exports prefix such a cell with an apostrophe,
which spreadsheet programs read as "this is text"; imports take that apostrophe off again,
so a file exported and imported unchanged reads back exactly what was written. Every CSV
ResearchHub writes goes through `csv_lines`, so no export can forget.
"""

import csv
from collections.abc import Iterable, Iterator

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The byte-order mark makes spreadsheet programs read a CSV file as UTF-8.
UTF8_MARK = "\ufeff"


def formula_safe(value: str) -> str:
    """The cell as text a spreadsheet program shows and never runs."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def formula_safe_undone(value: str) -> str:
    """A cell read back from a file: what formula_safe() wrote, without its apostrophe."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


class _Line:
    """A file-like object whose write returns the line, so rows stream one by one."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]], *, utf8_mark: bool = True) -> Iterator[str]:
    """CSV text, line by line, every cell formula-safe (None is an empty cell).

    The first line starts with the UTF-8 byte-order mark unless `utf8_mark` is off.
    """
    writer = csv.writer(_Line())
    prefix = UTF8_MARK if utf8_mark else ""
    for row in rows:
        line = writer.writerow(["" if cell is None else formula_safe(str(cell)) for cell in row])
        yield prefix + line
        prefix = ""
