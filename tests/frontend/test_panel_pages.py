"""The panel pages and their API: who may use them, bad uploads, the import and the export."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from studies.common.models import AuditAction, AuditEvent
from studies.scheduling.models import Household, PanelImport, PanelImportStatus, StudyStatus
from tests.conftest import enrol_consenting

pytestmark = pytest.mark.django_db

GOOD = (
    "code;name;phone;email;segment: region;participation consent given on;consent version\n"
    "H-200;Ana Silva;+351 912 345 678;ana@example.org;north;2026-01-05;1.0\n"
    "H-201;=Bob;020 7946 0001;bob@example.org;south;;\n"
)
BAD = GOOD + "H-200;Twice;;;north;;\n"


def url(team, suffix: str = "") -> str:
    return f"/studies/{team.study.pk}/panel/{suffix}"


def api(team, suffix: str) -> str:
    return f"/api/v1/studies/{team.study.pk}/panel/{suffix}"


def csv_upload(text: str, name: str = "panel.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("cp1252"), content_type="text/csv")


def post_file(client, path: str, upload) -> object:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, {"file": upload})


@pytest.mark.parametrize(
    "suffix", ["", "add/", "import/", "export/?format=csv", "import/?template=csv"]
)
def test_only_the_studys_lead_opens_the_panel_pages(client, team, suffix):
    client.force_login(team.outsider)
    assert client.get(url(team, suffix)).status_code == 404
    client.force_login(team.researcher)
    assert client.get(url(team, suffix)).status_code == 403
    client.force_login(team.lead)
    assert client.get(url(team, suffix)).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client, team):
    response = client.get(url(team))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_panel_page_lists_households_with_contact_and_consents_and_audits_it(client, team):
    households = enrol_consenting(team.study, 2)
    client.force_login(team.lead)

    response = client.get(url(team))

    assert response.status_code == 200
    page = response.content.decode()
    for household in households:
        assert household.code in page
        assert f"/studies/{team.study.pk}/households/{household.pk}/" in page
        assert household.contact.name in page
    assert page.count(">Participation<") == 2
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert event.detail["where"] == "panel page"


def test_a_lead_adds_a_household_by_hand(client, team):
    client.force_login(team.lead)
    response = client.post(
        url(team, "add/"),
        {
            "name": "Gil Sousa",
            "email": "gil@example.org",
            "segment": "region: north\nlife stage: retired",
            "participation_given_on": "2026-02-01",
            "consent_version": "2.0",
        },
    )
    household = Household.objects.get(contact__name="Gil Sousa")
    assert response.status_code == 302
    assert response["Location"] == f"/studies/{team.study.pk}/households/{household.pk}/"
    assert household.segment == {"region": "north", "life stage": "retired"}
    assert household.consents.get().version == "2.0"


def test_the_hand_form_shows_each_problem_next_to_its_field(client, team):
    client.force_login(team.lead)
    response = client.post(
        url(team, "add/"),
        {"phone": "12", "segment": "nonsense", "photos_given_on": "2026-02-01"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {
        "name": ["Give the contact's name."],
        "phone": [
            "“12” is not a phone number: use digits, spaces and + ( ) - . / only, 6 to 15 digits."
        ],
        "segment": ["Write “nonsense” as name: value."],
        "consent_version": ["Give the version of the consent text the household agreed to."],
    }
    assert not Household.objects.exists()


def test_a_closed_study_takes_no_household(client, team):
    team.study.status = StudyStatus.CLOSED
    team.study.save()
    client.force_login(team.lead)
    response = client.post(url(team, "add/"), {"name": "Gil"})
    assert response.status_code == 409
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x00\x01\x02\x03binary\x00", "This is not a CSV or XLSX file"),
        (b"a" * (20 * 1024 * 1024), "The file is 20.0 MB; the largest accepted is 10 MB."),
    ],
)
def test_a_bad_upload_is_a_400_with_the_reason_and_keeps_nothing(client, team, content, message):
    client.force_login(team.lead)
    response = post_file(client, url(team, "import/"), SimpleUploadedFile("p.csv", content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PanelImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_upload_preview_problems_then_the_fixed_file_imports(client, team):
    client.force_login(team.lead)

    response = post_file(client, url(team, "import/"), csv_upload(BAD))
    bad = PanelImport.objects.get()
    assert response["Location"] == url(team, f"import/{bad.pk}/")
    preview = client.get(response["Location"]).content.decode()
    assert "H-200 is also on line 2." in preview
    assert client.post(url(team, f"import/{bad.pk}/")).status_code == 409
    assert not Household.objects.exists()

    response = post_file(client, url(team, "import/"), csv_upload(GOOD))
    good = PanelImport.objects.exclude(pk=bad.pk).get()
    assert "Import 2 households" in client.get(response["Location"]).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url(team, f"import/{good.pk}/"))

    assert response.status_code == 302
    assert response["Location"] == url(team)
    assert set(Household.objects.values_list("code", flat=True)) == {"H-200", "H-201"}
    assert Household.objects.get(code="H-201").contact.name == "=Bob"


def test_the_template_files_have_the_import_columns(client, team):
    client.force_login(team.lead)
    response = client.get(url(team, "import/?template=csv"))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:6] == ["code", "name", "address", "phone", "email", "quote attribution"]
    response = client.get(url(team, "import/?template=xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(1, 1).value == "code"


# --- API --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_api_previews_confirms_and_reports_progress(client_for, team):
    client = client_for(team.lead)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            api(team, "imports/"), {"file": csv_upload(GOOD)}, format="multipart"
        )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "checked"
    assert body["counts"] == {"new": 2, "unchanged": 0, "problem": 0}
    assert [row["outcome"] for row in body["rows"]] == ["new", "new"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(api(team, f"imports/{body['id']}/confirm/"))
    assert response.status_code == 200
    assert response.json()["status"] == PanelImportStatus.IMPORTED

    response = client.post(api(team, f"imports/{body['id']}/confirm/"))
    assert response.status_code == 409
    assert response.json() == {"errors": {"import": ["This file was imported already."]}}

    status = client.get(api(team, f"imports/{body['id']}/")).json()
    assert (status["rows_done"], status["rows_total"]) == (2, 2)


@pytest.mark.django_db(transaction=True)
def test_the_api_lists_problems_by_row_and_column_and_refuses_to_confirm(client_for, team):
    client = client_for(team.lead)
    with TestCase.captureOnCommitCallbacks(execute=True):
        body = client.post(
            api(team, "imports/"), {"file": csv_upload(BAD)}, format="multipart"
        ).json()
    assert body["rows"][2]["problems"] == [
        {"column": "code", "message": "H-200 is also on line 2."}
    ]
    response = client.post(api(team, f"imports/{body['id']}/confirm/"))
    assert response.status_code == 409
    assert response.json()["errors"]["import"] == [
        "1 row has a problem: fix it and upload the file again."
    ]


def test_the_api_refuses_bad_files_with_field_messages(client_for, team):
    response = client_for(team.lead).post(
        api(team, "imports/"), {"file": SimpleUploadedFile("p.csv", b"")}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "expected"), [("outsider", 404), ("researcher", 403), ("product", 403)]
)
def test_the_panel_api_is_the_leads(client_for, team, persona, expected):
    client = client_for(getattr(team, persona))
    assert client.get(api(team, "export/?format=csv")).status_code == expected
    response = client.post(api(team, "imports/"), {"file": csv_upload(GOOD)}, format="multipart")
    assert response.status_code == expected
    assert not PanelImport.objects.exists()


def test_the_api_export_is_a_file_and_a_bad_format_is_a_400(client_for, team):
    client = client_for(team.lead)
    response = client.get(api(team, "export/?format=xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.get(api(team, "export/?format=pdf"))
    assert response.status_code == 400
    assert "format" in response.json()["errors"]


def test_the_preview_of_a_file_still_being_checked_shows_progress_and_reloads(client, team):
    made = PanelImport.objects.create(
        study=team.study, created_by=team.lead, file_name="big.csv", file_size=10, rows_total=800
    )
    client.force_login(team.lead)
    page = client.get(url(team, f"import/{made.pk}/")).content.decode()
    assert "Checking rows: 0 of 800" in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert f"/api/v1/studies/{team.study.pk}/panel/imports/{made.pk}/" in page
