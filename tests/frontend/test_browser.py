"""Every page in Debian's Chromium at phone and laptop sizes: layout, accessibility, flows.

Screenshots land in test-artifacts/screenshots/ for people to look at.
"""

import datetime as dt
import json
import os
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings

from studies.scheduling import services
from studies.scheduling.models import Round, Visit, VisitStatus
from tests.environment import unavailable
from tests.frontend.conftest import World

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
SIZES = {"phone": (360, 640), "laptop": (1280, 800)}
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
TAP_TARGET_PX = 44


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def new_page(browser: Browser, size: str) -> Page:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    return context.new_page()


def log_in(page: Page, base_url: str, username: str) -> None:
    """Through the real form, as people do."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def readable(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def check_page(page: Page, name: str, size: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)

    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{name} scrolls sideways at {size}"

    violations = Axe().run(page).response["violations"]
    assert not violations, f"axe found problems on {name} at {size}:\n{readable(violations)}"

    too_small = page.evaluate(
        """(minimum) => [...document.querySelectorAll('main a, main button')]
            .filter((element) => element.getClientRects().length > 0)
            .map((element) => ({
                text: element.textContent.trim().replace(/\\s+/g, ' '),
                height: element.getBoundingClientRect().height,
            }))
            .filter((target) => target.height < minimum)""",
        TAP_TARGET_PX,
    )
    assert not too_small, f"tap targets under {TAP_TARGET_PX}px: {json.dumps(too_small)}"


def page_urls(world: World) -> dict[str, str]:
    return {
        "home": "/",
        "study": f"/studies/{world.team.study.pk}/",
        "round": f"/rounds/{world.current_round.pk}/",
        "visit": f"/visits/{world.visit.pk}/",
        "visit-edit": f"/visits/{world.visit.pk}/edit/",
        "calendar": "/calendar/",
    }


@pytest.mark.parametrize("size", SIZES)
def test_the_login_page_fits_and_is_accessible(browser, live_server, size):
    page = new_page(browser, size)
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_page(page, "login", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["home", "study", "round", "visit", "visit-edit", "calendar"])
def test_each_page_fits_and_is_accessible(browser, live_server, world, name, size):
    # Each page as the person who uses it most, with enough on it to show its layout.
    user = world.team.researcher if name == "home" else world.team.lead
    if name == "calendar":
        services.availability_set(
            researcher=user,
            windows=[(0, dt.time(9), dt.time(13)), (2, dt.time(13, 30), dt.time(18))],
        )
    page = new_page(browser, size)
    log_in(page, live_server.url, user.username)
    page.goto(live_server.url + page_urls(world)[name])
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, name, size)
    page.context.close()


def test_a_lead_plans_the_next_round_and_sees_its_visits(browser, live_server, world):
    page = new_page(browser, "laptop")
    log_in(page, live_server.url, world.team.lead.username)
    page.goto(f"{live_server.url}/studies/{world.team.study.pk}/")

    page.get_by_role("button", name="Plan next round now").click()

    planned = Round.objects.exclude(pk__in=[world.past_round.pk, world.current_round.pk]).get()
    page.wait_for_url(f"{live_server.url}/rounds/{planned.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Round {planned.label}")
    expect(page.get_by_role("status")).to_contain_text(f"Round {planned.label} is planned")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(world.households))
    for household in world.households:
        expect(page.get_by_role("link", name=household.code, exact=True)).to_be_visible()
    page.context.close()


def test_a_researcher_starts_and_finishes_a_visit(browser, live_server, world):
    page = new_page(browser, "phone")
    log_in(page, live_server.url, world.team.researcher.username)
    code = world.visit.household.code

    page.get_by_role("link", name=f"Visit to {code}").click()
    page.wait_for_url(f"{live_server.url}/visits/{world.visit.pk}/")
    page.get_by_role("button", name="Start visit").click()
    expect(page.get_by_role("status")).to_contain_text("The visit is now in progress.")
    # Finishing asks first, on a page of its own.
    page.get_by_role("link", name="Finish visit").click()
    page.wait_for_url(f"{live_server.url}/visits/{world.visit.pk}/finish/")
    page.get_by_role("button", name="Finish visit").click()
    expect(page.get_by_role("status")).to_contain_text("The visit is now completed.")
    expect(page.get_by_role("link", name="Finish visit")).to_have_count(0)

    assert Visit.objects.get(pk=world.visit.pk).status == VisitStatus.COMPLETED
    page.context.close()


def test_the_copy_button_puts_the_calendar_link_on_the_clipboard(browser, live_server, world):
    page = new_page(browser, "phone")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server.url, world.team.researcher.username)
    page.goto(f"{live_server.url}/calendar/")

    page.get_by_role("button", name="Copy link").click()

    expect(page.locator("#copy-status")).to_have_text("Link copied.")
    link = page.get_by_label("Your private calendar link").input_value()
    assert link.endswith(".ics")
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_refused_move_shows_why_next_to_the_field(browser, live_server, world, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, world.team.lead.username)
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/edit/")
    clash = world.other_visit.scheduled_start.astimezone(zoneinfo.ZoneInfo("Europe/London"))

    page.get_by_label("Date").fill(clash.date().isoformat())
    page.get_by_label("Starts at").fill("14:30")
    page.get_by_label("Researcher").select_option(str(world.team.researcher2.pk))
    page.get_by_role("button", name="Save changes").click()

    start_time = page.get_by_label("Starts at")
    expect(start_time).to_have_attribute("aria-invalid", "true")
    expect(start_time).to_have_value("14:30")
    expect(page.locator("#id_start_time_error")).to_contain_text(world.other_visit.household.code)
    check_page(page, "visit-edit-refused", size)
    page.context.close()
