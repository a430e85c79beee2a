"""Importing households from a file: reading it, checking every row, importing all or none."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from studies.common.errors import ConflictError
from studies.common.models import AuditAction, AuditEvent
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    Enrolment,
    Household,
    PanelImport,
    PanelImportStatus,
    StudyStatus,
)
from studies.scheduling.services import panel
from tests.factories import HouseholdFactory, StudyFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "code,name,address,phone,email,segment: region,participation consent given on,consent version"
)


def csv_file(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *lines]).encode(encoding)


def upload(data: bytes, name: str = "panel.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def receive(team, data: bytes, name: str = "panel.csv") -> PanelImport:
    """Upload, and (tasks run inline) the preview is made on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        made = panel.panel_import_receive(
            study=team.study, actor=team.lead, upload=upload(data, name)
        )
    made.refresh_from_db()
    return made


def confirm(team, made: PanelImport) -> PanelImport:
    with TestCase.captureOnCommitCallbacks(execute=True):
        panel.panel_import_confirm(panel_import=made, actor=team.lead)
    made.refresh_from_db()
    return made


def problems(made: PanelImport) -> dict[int, list[str]]:
    return {
        row["line"]: [f"{p['column']}: {p['message']}" for p in row["problems"]]
        for row in made.rows
        if row["problems"]
    }


ANA = "H-100,Ana Silva,1 Rua Nova,+351 912 345 678,ana@example.org,north,2026-01-05,1.0"
BEN = "H-101,Ben Okafor,2 High St,020 7946 0001,ben@example.org,south,05/01/2026,1.0"


# --- Reading files --------------------------------------------------------------------------


def test_it_reads_utf8_with_a_byte_order_mark(team):
    made = receive(team, b"\xef\xbb\xbf" + csv_file("H-1,Zoë Ærø,,,,north,,"))
    assert made.header[0] == "code"
    assert made.rows[0]["name"] == "Zoë Ærø"
    assert made.rows[0]["outcome"] == "new"


def test_it_reads_windows_1252(team):
    made = receive(team, csv_file("H-1,José Müller – Café,,,,north,,", encoding="cp1252"))
    assert made.rows[0]["name"] == "José Müller – Café"


def test_it_reads_semicolon_separated_files_with_commas_in_cells(team):
    data = csv_file('H-1;Ana Silva;"1 Rua Nova, Lisboa";;;north;;', header=HEADER.replace(",", ";"))
    made = receive(team, data)
    assert made.rows[0]["address"] == "1 Rua Nova, Lisboa"
    assert made.rows[0]["segment"] == {"region": "north"}


def test_it_reads_tab_separated_files(team):
    made = receive(team, csv_file("H-1\tAna\t\t\t\tnorth\t\t", header=HEADER.replace(",", "\t")))
    assert made.rows[0]["name"] == "Ana"


def test_cells_starting_with_a_formula_sign_are_read_as_text(team):
    made = receive(team, csv_file('H-1,"=HYPERLINK(""x"")",,,,=1+1,,'))
    assert made.rows[0]["name"] == '=HYPERLINK("x")'
    assert made.rows[0]["segment"] == {"region": "=1+1"}


def test_an_apostrophe_an_export_put_before_a_formula_sign_is_taken_off(team):
    made = receive(team, csv_file("H-1,'=Ana,,'+44 20 7946 0000,,north,,"))
    assert made.rows[0]["name"] == "=Ana"
    assert made.rows[0]["phone"] == "+44 20 7946 0000"


def test_it_reads_the_first_sheet_of_a_workbook_and_formulas_as_text(team):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.append(["Code", "Name", "E-mail", "Segment: Household size", "Participation consent"])
    first.append(["H-1", "Ana", "ana@example.org", 4, dt.date(2026, 1, 5)])
    first.append(["H-2", '=CONCAT("a","b")', None, 2.0, None])
    workbook.create_sheet("Other").append(["nothing", "here"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    made = receive(team, buffer.getvalue(), "panel.xlsx")

    assert made.rows[0]["segment"] == {"Household size": "4"}
    assert made.rows[1]["name"] == '=CONCAT("a","b")'
    # A consent date without a version is a problem of the row, shown in the preview.
    assert problems(made) == {
        2: ["consent text version: Give the version of the consent text the household agreed to."]
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n  \n", "The file is empty."),
        (HEADER.encode(), "The file has column names but no households"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a CSV or XLSX file"),
        (b"PK\x03\x04garbage that is no zip", "could not be read as an XLSX workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel (.xls) file"),
    ],
)
def test_it_refuses_files_it_cannot_read_and_keeps_nothing(team, data, message):
    with pytest.raises(ValidationError) as refused:
        panel.panel_import_receive(study=team.study, actor=team.lead, upload=upload(data))
    assert message in refused.value.message_dict["file"][0]
    assert not PanelImport.objects.exists()


def test_it_refuses_a_file_over_ten_megabytes(team):
    big = upload(b"a" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        panel.panel_import_receive(study=team.study, actor=team.lead, upload=big)
    assert refused.value.message_dict["file"] == [
        "The file is 20.0 MB; the largest accepted is 10 MB."
    ]
    assert not PanelImport.objects.exists()


def test_a_closed_study_takes_no_import(team):
    team.study.status = StudyStatus.CLOSED
    team.study.save()
    with pytest.raises(ConflictError):
        panel.panel_import_receive(study=team.study, actor=team.lead, upload=upload(csv_file(ANA)))


# --- Checking rows --------------------------------------------------------------------------


def test_friendly_headers_are_read_and_unknown_or_missing_columns_are_problems(team):
    made = receive(team, b"Household Code;E-Mail Address;Region\nH-1;a@example.org;north\n")
    assert made.file_problems == [
        {
            "column": "Region",
            "message": "Unknown column “Region”. For a segment, call it “segment: Region”; the "
            "columns are listed on the import page.",
        },
        {"column": "name", "message": "The column “name” is missing."},
    ]
    assert made.has_problems


def test_each_bad_value_is_a_problem_of_its_row_and_column(team):
    made = receive(
        team,
        csv_file(
            ANA,
            "H-2,,x,12,not-an-email,north,2026-13-45,1.0",
            "H-3,Cy,x,+44 (0) 20 abc,cy@example.org,north,2999-01-01,1.0",
        ),
    )
    assert problems(made) == {
        3: [
            "name: Give the contact's name.",
            "phone: “12” is not a phone number: use digits, spaces and + ( ) - . / only, 6 to "
            "15 digits.",
            "email: “not-an-email” is not an e-mail address.",
            "participation consent given on: “2026-13-45” is not a date: write 2026-03-31, "
            "31/03/2026 or 31.03.2026.",
        ],
        4: [
            "phone: “+44 (0) 20 abc” is not a phone number: use digits, spaces and + ( ) - . / "
            "only, 6 to 15 digits.",
            "participation consent given on: Consent cannot be given in the future.",
        ],
    }
    assert (made.new_count, made.unchanged_count, made.problem_count) == (1, 0, 2)


def test_duplicates_in_the_file_in_the_study_and_outside_it_are_problems(team):
    HouseholdFactory(code="H-OUT")  # in no panel of this study
    receive_and_import(team, ANA)
    made = receive(
        team,
        csv_file(
            BEN,
            "h-101,Someone Else,,,,north,,",  # the same code, another case
            "H-OUT,Dee,,,,north,,",
            "H-100,Ana Silva,1 Rua Nova,+351 912 345 678,,SOUTH,2026-01-05,1.0",
            "H-102,Eve,,020 7946 0001,,north,,",  # Ben's phone
            "H-103,Fay,,,ANA@example.org,north,,",  # Ana's e-mail, in the study
        ),
    )
    assert problems(made) == {
        3: ["code: h-101 is also on line 2."],
        4: ["code: H-OUT is the code of a household outside this study: choose another."],
        5: [
            "code: H-100 is in this study already with a different e-mail, segment: change "
            "it on the household's page, or take this row out."
        ],
        6: ["phone: The same contact as on line 2."],
        7: ["email: The same contact as H-100, already in this study."],
    }


def receive_and_import(team, *lines: str) -> PanelImport:
    return confirm(team, receive(team, csv_file(*lines)))


def test_a_row_without_a_code_gets_a_new_pseudonym_kept_from_preview_to_import(team):
    made = receive(team, csv_file(",Ana,,,,north,,"))
    code = made.rows[0]["code"]
    assert made.rows[0]["generated"]
    assert code.startswith("H-")
    assert len(code) == 8

    confirm(team, made)

    assert Household.objects.get(enrolments__study=team.study).code == code


def test_it_imports_every_row_with_contact_segments_consents_and_an_audit_record(team):
    made = receive_and_import(team, ANA, BEN)

    assert made.status == PanelImportStatus.IMPORTED
    ana = Household.objects.select_related("contact").get(code="H-100")
    assert ana.segment == {"region": "north"}
    assert (ana.contact.name, ana.contact.phone, ana.contact.email) == (
        "Ana Silva",
        "+351 912 345 678",
        "ana@example.org",
    )
    consent = Consent.objects.get(household=ana)
    assert (consent.kind, consent.version, consent.recorded_by) == (
        ConsentKind.PARTICIPATION,
        "1.0",
        team.lead,
    )
    # Midnight of the day given, in the study's zone (Europe/London: GMT in January).
    assert consent.given_at == dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    assert Enrolment.objects.filter(study=team.study).count() == 2
    event = AuditEvent.objects.get(action=AuditAction.PANEL_IMPORTED)
    assert event.actor == team.lead
    assert event.study_id == team.study.pk
    assert event.detail["households"] == ["H-100", "H-101"]
    # Names and contacts leave the import record once imported.
    assert made.cells == []
    assert "name" not in made.rows[0]


def test_importing_the_same_file_again_changes_nothing(team):
    receive_and_import(team, ANA, BEN, ",Cy Noname,,,cy@example.org,east,,")
    before = set(Household.objects.values_list("pk", "code", "updated_at"))

    again = receive(team, csv_file(ANA, BEN, ",Cy Noname,,,cy@example.org,east,,"))

    assert (again.new_count, again.unchanged_count, again.problem_count) == (0, 3, 0)
    confirm(team, again)
    assert set(Household.objects.values_list("pk", "code", "updated_at")) == before
    assert Consent.objects.count() == 2


def test_one_bad_row_among_many_means_nothing_is_saved(team):
    lines = [f"H-{n:04d},Person {n},,,p{n}@example.org,north,," for n in range(300)]
    lines[150] = "H-0150,Person 150,,,broken@,north,,"
    made = receive(team, csv_file(*lines))

    with pytest.raises(ConflictError) as refused:
        panel.panel_import_confirm(panel_import=made, actor=team.lead)

    assert refused.value.message_dict == {
        "import": ["1 row has a problem: fix it and upload the file again."]
    }
    assert not Household.objects.exists()


def test_confirming_twice_is_a_conflict(team):
    made = receive_and_import(team, ANA)
    with pytest.raises(ConflictError) as refused:
        panel.panel_import_confirm(panel_import=made, actor=team.lead)
    assert refused.value.message_dict == {"import": ["This file was imported already."]}
    assert Household.objects.count() == 1


def test_a_row_that_became_a_problem_since_the_preview_stops_the_whole_import(team):
    made = receive(team, csv_file(ANA, BEN))
    # Meanwhile someone adds H-101 by hand, with other details.
    receive_and_import(team, "H-101,Ben Other,,,,west,,")

    confirm(team, made)

    assert made.status == PanelImportStatus.CHECKED
    assert made.problem_count == 1
    assert not Household.objects.filter(code="H-100").exists()


def test_a_row_of_another_study_panel_with_the_same_code_is_refused(team):
    other = StudyFactory()
    household = HouseholdFactory(code="H-100")
    Enrolment.objects.create(study=other, household=household)
    made = receive(team, csv_file(ANA))
    assert problems(made)[2][0].startswith("code: H-100 is the code of a household outside")


def test_checking_ten_thousand_rows_takes_a_handful_of_queries(team, django_assert_max_num_queries):
    lines = [f"H-{n:05d},Person {n},,,p{n}@example.org,north,2026-01-05,1" for n in range(10_000)]
    data = csv_file(*lines)
    # Receiving: the insert of the import. Checking: the panel's consents and households,
    # 12 chunks of codes asked about outside the study, and the preview saved.
    with django_assert_max_num_queries(20):
        made = receive(team, data)
    assert made.new_count == 10_000


# --- One household by hand ------------------------------------------------------------------


def test_a_household_added_by_hand_goes_through_the_same_checks(team):
    receive_and_import(team, ANA)
    with pytest.raises(ValidationError) as refused:
        panel.panel_household_add(
            study=team.study,
            actor=team.lead,
            values={"code": "", "name": "Ana again", "email": "ana@example.org", "phone": "12"},
            segment={},
        )
    assert refused.value.message_dict == {
        "phone": [
            "“12” is not a phone number: use digits, spaces and + ( ) - . / only, 6 to 15 digits."
        ],
        "email": ["The same contact as H-100, already in this study."],
    }


def test_a_household_added_by_hand_has_its_consents_and_a_pseudonym(team):
    household = panel.panel_household_add(
        study=team.study,
        actor=team.lead,
        values={
            "name": "Gil",
            "participation_given_on": "2026-02-01",
            "photos_given_on": "2026-02-01",
            "consent_version": "2.0",
        },
        segment={"life stage": "retired"},
    )
    assert household.code.startswith("H-")
    assert household.segment == {"life stage": "retired"}
    assert sorted(household.consents.values_list("kind", flat=True)) == ["participation", "photos"]
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_GIVEN).count() == 2
    assert Enrolment.objects.filter(study=team.study, household=household).exists()


def test_segments_typed_by_hand_are_read_one_per_line():
    assert panel.segment_parse("region: north\nHousehold  size = 4\n\nnonsense\n") == (
        {"region": "north", "Household size": "4"},
        ["nonsense"],
    )


def test_uploads_left_unconfirmed_for_a_day_are_forgotten_with_their_contacts(team):
    waiting = receive(team, csv_file(ANA))
    imported = confirm(team, receive(team, csv_file(BEN)))
    a_day_later = waiting.created_at + dt.timedelta(days=1, minutes=1)

    assert panel.panel_imports_forget(now=waiting.created_at + dt.timedelta(hours=23)) == 0
    assert panel.panel_imports_forget(now=a_day_later) == 1
    assert list(PanelImport.objects.values_list("pk", flat=True)) == [imported.pk]
    assert imported.cells == []  # an import keeps no contacts once it is done
