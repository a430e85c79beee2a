"""Households into a study's panel: one by hand, or many from a CSV or XLSX file; and the
panel out as a file.

One rule says what a valid household row is (`household_row_check`) and one check says how
a row stands against the panel (`PanelCheck`): the hand form and every row of a file go
through both. A file is read into cells on upload (`panel_import_receive`), checked into a
preview in a task (`panel_import_check`), and imported on confirmation in another
(`panel_import_apply`), which checks again against the panel as it is then and imports
every row or none. Rows identical to a household of the panel are "unchanged": importing
the same file twice changes nothing, and a row that differs from the household of its code
is a problem, never an overwrite.

columns: the file's columns · rows: the rule for one row · check: rows against the panel,
pseudonyms · files: reading CSV and XLSX · preview: a file's rows checked · imports: the
import's steps · households: one household by hand · export: the panel as a file.
"""

from studies.scheduling.services.panel.columns import COLUMNS, column_field
from studies.scheduling.services.panel.export import FORMATS, PanelFile, panel_export, template_file
from studies.scheduling.services.panel.files import MAX_IMPORT_BYTES
from studies.scheduling.services.panel.households import panel_household_add, segment_parse
from studies.scheduling.services.panel.imports import (
    panel_import_apply,
    panel_import_check,
    panel_import_confirm,
    panel_import_progress,
    panel_import_receive,
    panel_imports_forget,
    problems_message,
)

__all__ = [
    "COLUMNS",
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "PanelFile",
    "column_field",
    "panel_export",
    "panel_household_add",
    "panel_import_apply",
    "panel_import_check",
    "panel_import_confirm",
    "panel_import_progress",
    "panel_import_receive",
    "panel_imports_forget",
    "problems_message",
    "segment_parse",
    "template_file",
]
