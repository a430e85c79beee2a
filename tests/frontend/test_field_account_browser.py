"""Logging out on a phone, and each role's menu, in Debian's Chromium: Log out is in sight at
360×640 without scrolling, warns when items still wait on the phone (they stay, and are sent
at the next sign-in), and each role's menu shows what that role uses.

Same set-up as test_capture_browser.py (its Chromium fixture and helpers).
"""

import os

import pytest

from studies.fieldwork.models import Observation
from tests.frontend.conftest import World

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Page, expect

from tests.frontend import test_browser
from tests.frontend.test_browser import SIZES, check_page
from tests.frontend.test_capture_browser import (
    LAPTOP,
    PHONE,
    SYNC_TIMEOUT_MS,
    capture_note,
    log_in,
    open_capture,
    phone,
)

browser = test_browser.browser

pytestmark = pytest.mark.browser


def in_sight_without_scrolling(page: Page, name: str) -> None:
    """The button lies wholly inside the first screen and is what a tap there reaches."""
    page.evaluate("window.scrollTo(0, 0)")
    button = page.get_by_role("button", name=name, exact=True)
    box = button.bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert box, name
    assert box["x"] >= 0, box
    assert box["y"] >= 0, box
    assert box["x"] + box["width"] <= width, box
    assert box["y"] + box["height"] <= height, box
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button')?.textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit == name


def test_log_out_is_in_sight_on_a_phone_and_warns_about_items_still_waiting(
    browser, live_server, world: World
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    context.route("**/api/v1/sync/", lambda route: route.abort())  # they stay on the phone
    capture_note(page, "Kettle descaled weekly")
    capture_note(page, "Mugs on hooks")
    capture_note(page, "Tea in a tin")

    in_sight_without_scrolling(page, "Log out")
    page.get_by_role("button", name="Log out", exact=True).click()
    warning = page.get_by_role("dialog", name="Log out with items still waiting?")
    expect(warning).to_contain_text(
        "3 items are still waiting to sync. They stay on this phone and are sent when you "
        "sign in again."
    )
    expect(warning.get_by_role("button", name="Stay")).to_be_focused()
    check_page(page, "field-logout-warning", "phone")

    warning.get_by_role("button", name="Stay").click()
    expect(warning).to_be_hidden()
    assert page.url.endswith(f"/visits/{world.visit.pk}/capture/")

    page.get_by_role("button", name="Log out", exact=True).click()
    warning.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert not Observation.objects.exists()

    # Signing in again sends them.
    context.unroute("**/api/v1/sync/")
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    expect(page.locator("[data-sync-summary]")).to_have_text(
        "Everything is synced.", timeout=SYNC_TIMEOUT_MS
    )
    assert sorted(Observation.objects.values_list("text", flat=True)) == [
        "Kettle descaled weekly",
        "Mugs on hooks",
        "Tea in a tin",
    ]
    context.close()


def test_with_nothing_waiting_log_out_asks_nothing(browser, live_server, world: World):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.product.username)

    page.get_by_role("button", name="Log out", exact=True).click()

    page.wait_for_url(f"{live_server.url}/login/")
    context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("persona", "field"), [("researcher", True), ("sales", False), ("marketing", False)]
)
def test_each_roles_menu_shows_what_the_role_uses(
    browser, live_server, world, persona, field, size
):
    context = phone(browser, PHONE if size == "phone" else LAPTOP)
    page = context.new_page()
    log_in(page, live_server.url, getattr(world.team, persona).username)

    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Today")).to_have_count(1 if field else 0)
    expect(menu.get_by_role("link", name="Calendar")).to_have_count(1 if field else 0)
    expect(menu.get_by_role("link", name="Product board")).to_have_count(1)
    if size == "phone":
        in_sight_without_scrolling(page, "Log out")
    check_page(page, f"field-menu-{persona}", size)
    context.close()
