"""What every file made for, or read from, a spreadsheet program shares: formula safety.

A cell starting with one of FORMULA_START is run as a formula when the file is opened
(`=HYPERLINK(...)` in a quote or a name). Exports prefix such a cell with an apostrophe,
which spreadsheet programs read as "this is text"; imports take that apostrophe off again,
so a file exported and imported unchanged reads back exactly what was written.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: str) -> str:
    """The cell as text a spreadsheet program shows and never runs."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def formula_safe_undone(value: str) -> str:
    """A cell read back from a file: what formula_safe() wrote, without its apostrophe."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
