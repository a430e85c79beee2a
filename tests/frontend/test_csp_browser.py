"""The Content-Security-Policy in Debian's Chromium: the app, the capture screen, the API
docs and the admin run under it without one violation.

Same set-up as test_browser.py (its Chromium fixture): under CI a missing Chromium fails,
elsewhere it skips.
"""

import os

import pytest

from studies.synthesis.services import insights
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, expect

from tests.frontend import test_browser
from tests.frontend.test_browser import PASSWORD, log_in
from tests.frontend.test_synthesis_browser import STATEMENT, capture_tagged_quote, jpeg, loop

# The one Chromium per module, as test_browser.py launches it (and fails under CI without it).
browser = test_browser.browser
__all__ = ["browser", "loop"]

pytestmark = pytest.mark.browser

# Violations are reported as `securitypolicyviolation` events in the page (kept across
# navigations in sessionStorage) and as console errors by Chromium itself.
RECORD_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
    const seen = JSON.parse(sessionStorage.getItem('csp-violations') || '[]');
    seen.push(`${location.pathname}: ${event.effectiveDirective} ${event.blockedURI}`);
    sessionStorage.setItem('csp-violations', JSON.stringify(seen));
});
"""


def watched_page(browser: Browser) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page, console


def violations(page: Page, console: list[str]) -> list[str]:
    return [
        *page.evaluate("JSON.parse(sessionStorage.getItem('csp-violations') || '[]')"),
        *console,
    ]


def test_the_app_runs_under_the_policy_without_a_violation(browser, live_server, loop):
    quote = capture_tagged_quote(loop)
    team = loop.team
    insight = insights.insight_create(
        study=team.study,
        actor=team.researcher,
        statement=STATEMENT,
        observation_ids=[quote.pk],
        tag_ids=[loop.pain.pk, loop.quotable.pk],
    )
    page, console = watched_page(browser)
    base = live_server.url
    log_in(page, base, team.researcher.username)

    for path in [
        "/",
        "/today/",
        "/calendar/",
        f"/studies/{team.study.pk}/",
        f"/studies/{team.study.pk}/synthesis/",
        f"/studies/{team.study.pk}/tags/",
        f"/insights/{insight.pk}/",
        "/quotes/",
        "/boards/product/",
    ]:
        page.goto(f"{base}{path}", wait_until="networkidle")
        expect(page.locator("main h1")).to_have_count(1)
    # Tag colours show without inline styles: as the fill of an SVG swatch.
    swatches = page.locator(".tag-chip-swatch rect")
    assert sorted(
        swatches.evaluate_all("(rects) => rects.map((r) => r.getAttribute('fill'))")
    ) == sorted([loop.pain.colour, loop.quotable.colour])

    page.goto(f"{base}/visits/{loop.visit.pk}/capture/", wait_until="networkidle")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator("[data-photo-input]").set_input_files(
        [{"name": "fridge.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    # A chosen photo is previewed from a blob: URL before it is saved to the outbox.
    expect(page.locator(".photo-previews img[src^='blob:']")).to_have_count(1)

    page.goto(f"{base}/api/docs/", wait_until="networkidle")
    expect(page.locator(".swagger-ui .information-container")).to_be_visible(timeout=15_000)

    assert violations(page, console) == []
    page.context.close()


def test_the_admin_runs_under_the_policy_without_a_violation(browser, live_server):
    UserFactory(username="sam", is_staff=True, is_superuser=True)
    page, console = watched_page(browser)
    base = live_server.url

    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")
    for path in ["/admin/", "/admin/common/user/", "/admin/axes/accessattempt/"]:
        page.goto(f"{base}{path}", wait_until="networkidle")
    page.goto(f"{base}/admin/common/user/add/", wait_until="networkidle")
    expect(page.locator("#id_username")).to_be_visible()

    assert violations(page, console) == []
    page.context.close()
