"""The Loop health page in Chromium at phone and laptop sizes: layout, accessibility, rounds."""

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from studies.fieldwork.models import ObservationKind
from studies.synthesis.models import Column
from tests.frontend.test_browser import SIZES, browser, check_page, log_in, new_page
from tests.loop.health_support import Chain, days, hours

pytestmark = pytest.mark.browser
__all__ = ["browser"]


@pytest.fixture
def chain(team) -> Chain:
    """Two rounds of a study in the past six weeks: decided cards on both boards, a card
    waiting in Exploring and an insight on no board. The clock is moved only while the
    chain is built; the live server then runs on the real one."""
    start = timezone.now().replace(microsecond=0) - days(40)
    traveller = time_machine.travel(start, tick=False)
    clock = traveller.start()
    try:
        chain = Chain(team, clock)
        first, second = chain.rounds[:2]
        offline = chain.observe(captured=start - days(3), synced=start, round_=first)
        quote = chain.observe(
            captured=start + hours(2),
            synced=start + hours(3),
            round_=first,
            kind=ObservationKind.QUOTE,
        )
        freezer = chain.insight(
            made=start + days(2),
            observations=[offline, quote],
            statement="Food is forgotten at the back of the freezer until it is too late.",
        )
        chain.route(freezer, at=start + days(3), product=True, marketing=True)
        chain.move(freezer, chain.product, Column.EXPLORING, at=start + days(6))
        chain.move(freezer, chain.product, Column.PLANNED, at=start + days(12))
        chain.use_quote(quote, at=start + days(8))

        later = [
            chain.observe(
                captured=start + days(20 + index),
                synced=start + days(20 + index) + hours(1 + index),
                round_=second,
            )
            for index in range(3)
        ]
        lids = chain.insight(
            made=start + days(24),
            observations=later[:2],
            statement="Lids and tubs never match, so leftovers go uncovered.",
        )
        chain.route(lids, at=start + days(25), product=True)
        chain.move(lids, chain.product, Column.EXPLORING, at=start + days(27))
        chain.insight(
            made=start + days(26),
            observations=later[2:],
            statement="Shopping lists live on the fridge door, not the phone.",
        )
    finally:
        traveller.stop()
    return chain


@pytest.mark.parametrize("size", SIZES)
def test_the_loop_health_page_fits_and_is_accessible(browser, live_server, chain, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, "product")
    page.goto(f"{live_server.url}/studies/{chain.study.pk}/loop-health/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Loop health")
    expect(page.locator(".loop-headline")).to_contain_text("median 13 days")
    expect(
        page.get_by_role("img", name="Median time of each step, by round, in days")
    ).to_be_visible()
    expect(page.locator(".loop-open li")).to_have_count(2)
    check_page(page, "loop-health", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_choosing_a_round_shows_that_round(browser, live_server, chain, size):
    second = chain.rounds[1]
    page = new_page(browser, size)
    log_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/rounds/{second.pk}/")

    page.get_by_role("link", name="Loop health of this round").click()

    page.wait_for_url(f"**/loop-health/?round={second.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Loop health · {second.label}")
    expect(page.get_by_label("Round", exact=True)).to_have_value(str(second.pk))
    expect(page.locator(".loop-headline")).to_contain_text("No decisions yet")
    check_page(page, "loop-health-round", size)

    page.get_by_label("Round", exact=True).select_option(label="All rounds")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Loop health")
    page.context.close()


def test_a_study_with_nothing_yet_on_a_phone(browser, live_server, team):
    page = new_page(browser, "phone")
    log_in(page, live_server.url, "marketing")
    page.goto(f"{live_server.url}/studies/{team.study.pk}/loop-health/")

    expect(page.get_by_role("heading", name="Nothing to measure yet")).to_be_visible()
    expect(page.locator("figure.chart")).to_have_count(0)
    check_page(page, "loop-health-empty", "phone")
    page.context.close()


def test_the_round_selector_explains_a_bad_round(browser, live_server, chain):
    page = new_page(browser, "laptop")
    log_in(page, live_server.url, "sales")
    page.goto(f"{live_server.url}/studies/{chain.study.pk}/loop-health/?round=nonsense")

    expect(page.get_by_role("alert")).to_contain_text("That round could not be used")
    check_page(page, "loop-health-bad-round", "laptop")
    page.context.close()
