"""The round report in Chromium at phone and laptop sizes, on screen and as printed."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.frontend.test_browser import SCREENSHOTS, SIZES, browser, check_page, log_in, new_page
from tests.loop.report_support import build_fieldwork_with_an_insight, withdrawn_marketing_consent

pytestmark = pytest.mark.browser
__all__ = ["browser"]


@pytest.fixture
def fieldwork(team):
    return build_fieldwork_with_an_insight(team)


@pytest.mark.parametrize("size", SIZES)
def test_the_round_report_fits_and_is_accessible(browser, live_server, fieldwork, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, "product")
    page.goto(live_server.url + reverse("frontend:round-report", args=[fieldwork.second.pk]))

    expect(page.get_by_role("heading", level=1)).to_have_text("Round report: 2026-Q3")
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    check_page(page, "round-report", size)
    page.context.close()


def test_the_printed_report_leaves_the_site_navigation_out(browser, live_server, fieldwork):
    page = new_page(browser, "laptop")
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + reverse("frontend:round-report", args=[fieldwork.second.pk]))

    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    expect(page.get_by_role("heading", name="Top insights")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "round-report-print-laptop.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.context.close()


def test_a_round_without_visits_says_why_on_a_phone(browser, live_server, fieldwork):
    page = new_page(browser, "phone")
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + reverse("frontend:round-report", args=[fieldwork.upcoming.pk]))

    expect(page.get_by_role("alert")).to_contain_text("No household has been visited in 2027-Q1")
    check_page(page, "round-report-no-visits", "phone")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_marketer_sees_the_withdrawn_consent_quote_labelled(
    browser, live_server, fieldwork, size
):
    withdrawn_marketing_consent(fieldwork)
    page = new_page(browser, size)
    log_in(page, live_server.url, "marketing")
    page.goto(live_server.url + reverse("frontend:round-report", args=[fieldwork.second.pk]))

    withdrawn = page.locator("figure.quote").filter(has_text="The freezer is a black hole (0).")
    cleared = page.locator("figure.quote").filter(has_text="The freezer is a black hole (1).")
    expect(withdrawn.get_by_text("Not for marketing use", exact=True)).to_be_visible()
    expect(cleared.get_by_text("Not for marketing use", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Copy quote")).to_have_count(0)
    check_page(page, "round-report-not-for-marketing", size)
    page.context.close()
