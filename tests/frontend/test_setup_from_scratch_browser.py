"""A research team starts from an empty database, in Debian's Chromium, as its people would.

An administrator makes Nadia's account and puts her in the "Research leads" group. Nadia
signs in, starts a study, imports a 200-household spreadsheet export (semicolons,
Windows-1252) whose preview shows its three bad rows, fixes the file and imports it, writes a
six-question guide, and invites Rita (researcher) and Paula (product designer). Each follows
the link in the e-mail the SMTP server received — Rita on a phone, Paula on a laptop — and
sets a password. Nadia plans the first round and staffs it: one household is skipped and an
unplaced one booked into its slot. Rita then sees her visits on Today on her phone. Every
page on the way passes axe-core and fits its screen.

The clock is set to Saturday 30 January 2027, so the first round (February) opens within
the three days Today shows.
"""

import datetime as dt
import os
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from studies.common.models import User
from studies.common.roles import Role
from studies.scheduling.models import (
    Household,
    NextGuideQuestion,
    Round,
    Study,
    StudyMembership,
    StudyStatus,
    Visit,
    VisitStatus,
)
from tests.mail import link_in

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.frontend.test_browser import PASSWORD, browser, check_page, new_page, readable

pytestmark = pytest.mark.browser
__all__ = ["browser"]

SATURDAY = dt.datetime(2027, 1, 30, 8, 0, tzinfo=dt.UTC)
TITLE = "Food at home"
GUIDE = [
    ("Warm-up", "Walk us through a normal weekday evening."),
    ("Warm-up", "Who does the food shopping, and when?"),
    ("Kitchen", "Show us where this week's food went when it came home."),
    ("Kitchen", "What is in the fridge that nobody will eat?"),
    ("Kitchen", "What did you last throw away, and why?"),
    ("Wrap-up", "If you could change one thing about your kitchen, what would it be?"),
]
HEADER = (
    "Code;Name;Address;Phone;E-mail;Segment: household size;Segment: region;"
    "Participation consent given on;Photos consent given on;Consent version"
)
NEW_PASSWORD = "a long and unusual pass phrase"


def panel_rows() -> list[str]:
    regions = ("north", "south", "east", "west")
    return [
        f"H-{n:03d};Zoë Família {n};{n} Long Road;+44 20 7946 {n:04d};home{n}@example.org;"
        f"{1 + n % 5};{regions[n % 4]};2026-11-02;2026-11-02;v3"
        for n in range(1, 201)
    ]


def spreadsheet(tmp_path: Path, name: str, rows: list[str]) -> str:
    """As a spreadsheet exports it: semicolons, Windows-1252, CRLF."""
    path = tmp_path / name
    path.write_bytes("\r\n".join([HEADER, *rows]).encode("cp1252"))
    return str(path)


@pytest.fixture
def administrator(transactional_db):
    """The site's administrator, and the "Research leads" group its migration made (a live
    server's test empties every table, so it is made again here as the migration does)."""
    group, _created = Group.objects.get_or_create(name="Research leads")
    group.permissions.add(Permission.objects.get(codename="add_study"))
    admin = User.objects.create_superuser("ada", "ada@example.org", PASSWORD)
    return admin


def check_admin_page(page: Page, name: str) -> None:
    """The admin's pages are Django's own: held to no serious or critical axe violation."""
    found = Axe().run(page).response["violations"]
    serious = [violation for violation in found if violation["impact"] in ("serious", "critical")]
    assert not serious, f"axe found problems on {name}:\n{readable(serious)}"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def the_administrator_makes_a_lead(page: Page, base: str) -> None:
    sign_in(page, base, "ada", PASSWORD)
    check_page(page, "scratch-admin-home", "laptop")
    page.goto(f"{base}/admin/common/user/add/")
    check_admin_page(page, "admin: add user")
    page.locator("#id_username").fill("nadia")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    check_admin_page(page, "admin: change user")
    page.locator("#id_first_name").fill("Nadia")
    page.locator("#id_email").fill("nadia@example.org")
    page.get_by_label("Research leads").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.context.close()


def the_lead_starts_a_study(page: Page, base: str) -> Study:
    sign_in(page, base, "nadia", NEW_PASSWORD)
    check_page(page, "scratch-home", "laptop")
    page.get_by_role("link", name="Start a study").click()
    expect(page.locator("[data-list-editor]")).to_have_attribute("data-ready", "true")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Why this study exists").fill("How do families keep, use and waste food?")
    for text in ("Where does food go first?", "What gets thrown away, and why?"):
        page.get_by_role("button", name="Add a research question").click()
        page.keyboard.type(text)
    page.get_by_label("Cadence").select_option("monthly")
    page.get_by_label("Time zone").fill("Europe/London")
    check_page(page, "scratch-study-new", "laptop")
    page.get_by_role("button", name="Start the study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_page(page, "scratch-study", "laptop")
    return Study.objects.get(title=TITLE)


def the_lead_imports_the_panel(page: Page, study: Study, tmp_path: Path) -> None:
    page.get_by_role("link", name="import many from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import households")
    check_page(page, "scratch-import", "laptop")

    rows = panel_rows()
    bad = [*rows]
    bad[16] = bad[16].replace("+44 20 7946 0017", "12")
    bad[41] = bad[41].replace("home42@example.org", "home42-at-example.org")
    bad[99] = bad[99].replace("H-100;", "H-007;")
    page.get_by_label("CSV or XLSX file").set_input_files(spreadsheet(tmp_path, "panel.csv", bad))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check panel.csv")
    problems = page.get_by_role("table")
    expect(problems).to_contain_text("“12” is not a phone number")
    expect(problems).to_contain_text("“home42-at-example.org” is not an e-mail address.")
    expect(problems).to_contain_text("H-007 is also on line 8.")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    check_page(page, "scratch-import-problems", "laptop")
    assert not Household.objects.exists()

    page.get_by_label("CSV or XLSX file").set_input_files(
        spreadsheet(tmp_path, "panel-fixed.csv", rows)
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check panel-fixed.csv")
    page.get_by_role("button", name="Import 200 households").click()
    expect(page.get_by_role("status")).to_contain_text("200 households joined the panel.")
    check_page(page, "scratch-panel", "laptop")
    enrolled = Household.objects.filter(enrolments__study=study)
    assert enrolled.count() == 200
    assert enrolled.get(code="H-001").segment == {"household size": "2", "region": "south"}
    assert enrolled.get(code="H-001").contact.name == "Zoë Família 1"


def the_lead_writes_the_guide(page: Page, base: str, study: Study) -> None:
    page.goto(f"{base}/studies/{study.pk}/")
    page.get_by_role("link", name="Write the discussion guide").click()
    expect(page.locator("[data-list-editor]")).to_have_attribute("data-ready", "true")
    for section, text in GUIDE:
        page.get_by_role("button", name="Add a question").click()
        page.keyboard.type(text)
        number = page.locator("[data-list-items] > [data-list-row]").count()
        page.get_by_label(f"Section of question {number}").fill(section)
    page.get_by_role("button", name="Save the guide").click()
    expect(page.get_by_role("status").first).to_contain_text("Guide saved.")
    check_page(page, "scratch-guide", "laptop")
    saved = NextGuideQuestion.objects.filter(study=study).order_by("position")
    assert list(saved.values_list("section", "text")) == GUIDE


def the_lead_invites(page: Page, base: str, study: Study) -> None:
    page.goto(f"{base}/studies/{study.pk}/team/")
    for email, role in (("rita@example.org", Role.RESEARCHER), ("paula@example.org", Role.PRODUCT)):
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Role", exact=True).select_option(role)
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {email}")
    check_page(page, "scratch-team", "laptop")


def the_invitee_joins(browser, link: str, size: str, username: str, first_name: str) -> Page:
    page = new_page(browser, size)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {TITLE}")
    check_page(page, f"scratch-join-{username}", size)
    page.get_by_label("Username").fill(username)
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name=f"Join {TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_page(page, f"scratch-joined-{username}", size)
    return page


def the_lead_plans_and_staffs(page: Page, base: str, study: Study) -> None:
    page.goto(f"{base}/studies/{study.pk}/")
    page.get_by_role("button", name="Plan next round now").click()
    expect(page.get_by_role("status")).to_contain_text("Round 2027-02 is planned with")
    check_page(page, "scratch-round", "laptop")
    round_ = Round.objects.get(study=study, label="2027-02")
    # The guide the lead wrote is the round's, question for question.
    assert list(round_.guide.asked().values_list("section", "text")) == GUIDE

    page.goto(f"{base}/studies/{study.pk}/staffing/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff round 2027-02")
    check_page(page, "scratch-staffing", "laptop")
    visits = Visit.objects.filter(round=round_, status=VisitStatus.SCHEDULED)
    first = visits.order_by("scheduled_start", "household__code").first()
    code = first.household.code
    page.get_by_role("button", name=f"Skip this round for {code}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{code} is skipped for this round")

    # An unplaced household takes the skipped visit's slot.
    unplaced = (
        Household.objects.filter(enrolments__study=study)
        .exclude(visits__round=round_, visits__status=VisitStatus.SCHEDULED)
        .exclude(pk=first.household_id)
        .order_by("code")
        .first()
    )
    start = timezone.localtime(first.scheduled_start, zoneinfo.ZoneInfo(study.time_zone))
    form = page.locator("form", has=page.get_by_role("button", name="Book the visit"))
    form.get_by_label("Household").select_option(label=unplaced.code)
    form.get_by_label("Researcher").select_option(str(first.researcher_id))
    form.get_by_label("Date").fill(start.date().isoformat())
    form.get_by_label("Starts at").fill(start.strftime("%H:%M"))
    form.get_by_role("button", name="Book the visit").click()
    expect(page.get_by_role("status")).to_contain_text(f"{unplaced.code} is booked into 2027-02")
    check_page(page, "scratch-staffed", "laptop")
    assert Visit.objects.get(pk=first.pk).status == VisitStatus.CANCELLED
    assert visits.filter(household=unplaced, scheduled_start=first.scheduled_start).exists()


@pytest.mark.django_db(transaction=True)
def test_a_team_sets_up_its_study_from_an_empty_database(
    browser, live_server, smtp_server, administrator, tmp_path
):
    base = live_server.url
    with time_machine.travel(SATURDAY, tick=True):
        the_administrator_makes_a_lead(new_page(browser, "laptop"), base)
        nadia = User.objects.get(username="nadia")
        assert nadia.has_perm("scheduling.add_study")
        assert not nadia.is_staff

        lead = new_page(browser, "laptop")
        study = the_lead_starts_a_study(lead, base)
        the_lead_imports_the_panel(lead, study, tmp_path)
        the_lead_writes_the_guide(lead, base, study)
        the_lead_invites(lead, base, study)

        to_rita, to_paula = smtp_server.to("rita@example.org"), smtp_server.to("paula@example.org")
        assert len(to_rita) == len(to_paula) == 1
        rita = the_invitee_joins(browser, link_in(to_rita[0]), "phone", "rita", "Rita")
        paula = the_invitee_joins(browser, link_in(to_paula[0]), "laptop", "paula", "Paula")
        paula.context.close()
        roles = dict(
            StudyMembership.objects.filter(study=study).values_list("user__username", "role")
        )
        assert roles == {
            "nadia": Role.RESEARCH_LEAD,
            "rita": Role.RESEARCHER,
            "paula": Role.PRODUCT,
        }

        the_lead_plans_and_staffs(lead, base, study)
        study.refresh_from_db()
        assert study.status == StudyStatus.ACTIVE
        lead.context.close()

        # Rita, still signed in on her phone, opens Today: Monday's visits are hers.
        rita.goto(f"{base}/today/")
        expect(rita.get_by_role("heading", level=1)).to_have_text("Today and the next days")
        mine = Visit.objects.filter(
            round__study=study,
            researcher__username="rita",
            status=VisitStatus.SCHEDULED,
            scheduled_start__date=dt.date(2027, 2, 1),
        ).select_related("household")
        assert mine.exists()
        for visit in mine:
            expect(rita.get_by_text(visit.household.code, exact=True).first).to_be_visible()
        check_page(rita, "scratch-today", "phone")
        rita.context.close()
