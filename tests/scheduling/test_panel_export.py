"""The panel as a file: the import's columns, formula-safe, audited, and re-importable."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, TestCase

from studies.common.models import AuditAction, AuditEvent
from studies.common.spreadsheets import formula_safe, formula_safe_undone
from studies.scheduling.models import Household
from studies.scheduling.services import panel
from tests.conftest import enrol_consenting
from tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db


def export(team, file_format: str = "csv") -> panel.PanelFile:
    request = RequestFactory().get("/")
    request.user = team.lead
    return panel.panel_export(study=team.study, file_format=file_format, request=request)


def rows_of(made: panel.PanelFile) -> list[list[str]]:
    return list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))


def test_formula_safety_is_undone_on_the_way_back():
    for value in ["=1+1", "+44 20", "-3", "@me", "\tx", "plain", "'quoted"]:
        assert formula_safe_undone(formula_safe(value)) == value
    assert formula_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"


def test_the_export_has_the_import_columns_and_neutralises_formulas(team):
    household = enrol_consenting(team.study, 1)[0]
    household.contact.name = '=HYPERLINK("http://x")'
    household.contact.save()

    rows = rows_of(export(team))

    assert rows[0] == [
        "code", "name", "address", "phone", "email", "quote attribution",
        "segment: household size", "segment: region",
        "participation consent given on", "participation consent version",
        "photos consent given on", "photos consent version",
        "marketing consent given on", "marketing consent version",
    ]  # fmt: skip
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][3] == "'+44 20 7946 0000"
    assert all(panel.column_field(name) for name in rows[0])


def test_the_export_is_audited_with_the_households_it_carries(team):
    households = enrol_consenting(team.study, 2)
    export(team, "xlsx")
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_EXPORTED)
    assert event.actor == team.lead
    assert event.detail == {
        "households": sorted(h.code for h in households),
        "where": "panel export (xlsx)",
    }


def test_the_xlsx_export_writes_formulas_as_text(team):
    household = enrol_consenting(team.study, 1)[0]
    household.contact.name = "=1+1"
    household.contact.save()
    sheet = openpyxl.load_workbook(io.BytesIO(export(team, "xlsx").content)).worksheets[0]
    assert sheet.cell(2, 2).value == "=1+1"
    assert sheet.cell(2, 2).data_type == "s"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_exported_panel_imports_back_unchanged(team, file_format):
    households = enrol_consenting(team.study, 3)
    for number, household in enumerate(households):
        household.contact.phone = f"+44 20 7946 000{number}"
        household.contact.save()
    ConsentFactory(household=households[0], kind="marketing", version="3.1")
    households[1].contact.name = "=Tricky"
    households[1].contact.save()
    before = set(Household.objects.values_list("pk", "code", "updated_at"))
    made = export(team, file_format)

    with TestCase.captureOnCommitCallbacks(execute=True):
        received = panel.panel_import_receive(
            study=team.study,
            actor=team.lead,
            upload=_upload(made),
        )
    received.refresh_from_db()

    assert received.file_problems == []
    assert (received.new_count, received.unchanged_count, received.problem_count) == (0, 3, 0)
    assert set(Household.objects.values_list("pk", "code", "updated_at")) == before


def _upload(made: panel.PanelFile) -> SimpleUploadedFile:
    return SimpleUploadedFile(made.file_name, made.content)
