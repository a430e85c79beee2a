"""The panel import in Chromium at phone and laptop sizes: a file with problems, its
preview, the fixed file, the import; and the panel's other pages."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from studies.scheduling.models import Household
from tests.frontend.test_browser import SCREENSHOTS, SIZES, browser, check_page, log_in, new_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]

HEADER = (
    "code;name;address;phone;E-mail;segment: region;participation consent given on;consent version"
)
ROWS = [
    f"H-{n:03d};Person {n};{n} Long Road;+44 20 7946 {n:04d};p{n}@example.org;north;2026-01-05;1"
    for n in range(1, 41)
]
SHOTS = Path("/tmp/shots/panel")  # noqa: S108 - where the brief asks for them


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_bytes("\n".join([HEADER, *lines]).encode("cp1252"))
    return path


def shoot(page, name: str, size: str) -> None:
    check_page(page, name, size)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}-{size}.png", SHOTS / f"{name}-{size}.png")


@pytest.mark.parametrize("size", SIZES)
def test_a_lead_fixes_a_file_after_its_preview_and_imports_it(
    browser, live_server, team, tmp_path, size
):
    bad = [*ROWS]
    bad[4] = "H-005;Person 5;;12;not-an-email;north;2026-01-05;1.0"
    bad[9] = "H-001;Twice;;;;north;;"
    page = new_page(browser, size)
    log_in(page, live_server.url, team.lead.username)
    page.goto(f"{live_server.url}/studies/{team.study.pk}/panel/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import households")
    shoot(page, "panel-import", size)

    page.get_by_label("CSV or XLSX file").set_input_files(str(write(tmp_path, "bad.csv", bad)))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check bad.csv")
    problems = page.get_by_role("table")
    expect(problems).to_contain_text("“12” is not a phone number")
    expect(problems).to_contain_text("“not-an-email” is not an e-mail address.")
    expect(problems).to_contain_text("H-001 is also on line 2.")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    shoot(page, "panel-preview-problems", size)
    assert not Household.objects.exists()

    page.get_by_label("CSV or XLSX file").set_input_files(str(write(tmp_path, "good.csv", ROWS)))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check good.csv")
    shoot(page, "panel-preview-ready", size)
    page.get_by_role("button", name="Import 40 households").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Household panel")
    expect(page.get_by_role("status")).to_contain_text("40 households joined the panel.")
    assert Household.objects.filter(enrolments__study=team.study).count() == 40
    shoot(page, "panel", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_lead_adds_a_household_by_hand(browser, live_server, team, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, team.lead.username)
    page.goto(f"{live_server.url}/studies/{team.study.pk}/panel/add/")
    page.get_by_label("Contact name").fill("Gil Sousa")
    page.get_by_label("Phone").fill("12")
    page.get_by_role("button", name="Add to the panel").click()
    expect(page.locator(".has-error")).to_contain_text("is not a phone number")
    shoot(page, "panel-add-problem", size)

    page.get_by_label("Phone").fill("+351 912 345 678")
    page.get_by_label("Segments").fill("region: north")
    page.get_by_label("Consent to take part, given on").fill("2026-02-01")
    page.get_by_label("Version of the consent text").fill("2.0")
    page.get_by_role("button", name="Add to the panel").click()

    expect(page.get_by_role("status")).to_contain_text("joined the panel.")
    household = Household.objects.get(contact__name="Gil Sousa")
    assert household.consents.get().version == "2.0"
    page.context.close()
