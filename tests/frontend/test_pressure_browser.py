"""The pressure test in Chromium at phone and laptop sizes: a sales reviewer scores an
insight on its page, completing the test product began; the board shows the badge and
sorts by it. Each page checked with axe (check_page)."""

import pytest
from playwright.sync_api import expect

from studies.loop.models import PressureReview
from studies.loop.services.pressure import pressure_test_open
from studies.synthesis.services import insights
from tests.frontend.test_browser import SIZES, browser, check_page, log_in, new_page
from tests.loop.pressure_support import score
from tests.synthesis import conftest as synthesis

pytestmark = pytest.mark.browser
__all__ = ["browser"]

field = synthesis.field


def make_insight(field, statement: str, evidence):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement=statement,
        observation_ids=[o.pk for o in evidence],
        tag_ids=[field.pain.pk],
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_sales_reviewer_scores_an_insight_on_its_page(browser, live_server, field, size):
    insight = make_insight(
        field, "People lose track of what is in the freezer.", [*field.quotes, field.notes[0]]
    )
    test = pressure_test_open(insight=insight, actor=field.team.researcher)
    score(test, field.team.product, 4, 3, 4, "Every household showed us a full freezer.")
    page = new_page(browser, size)
    log_in(page, live_server.url, "sales")
    page.goto(f"{live_server.url}/insights/{insight.pk}/")
    section = page.locator("#pressure-test")
    expect(section).to_contain_text("Needs a second team: only Product has scored")
    expect(section).to_contain_text("3 households · 2 rounds")
    expect(section).to_contain_text("Strength 3 of 5")
    page.get_by_role("heading", name="Score it for Sales").scroll_into_view_if_needed()
    check_page(page, "pressure-insight-to-score", size)

    for signal, value in (
        ("Importance to customers", "5"),
        ("Differentiation from competitors", "2"),
        ("Feasibility", "3"),
    ):
        page.get_by_role("group", name=signal).get_by_role("radio", name=value).check()
    page.get_by_label("Comment (optional)").fill("Buyers ask for this every week.")
    page.get_by_role("button", name="Submit scores").click()

    expect(page.get_by_role("status")).to_contain_text("Your scores are in.")
    # product 11/3, sales 10/3: (11/3 + 10/3) / 2 = 3.5
    expect(section).to_contain_text("Complete: scored by Product and Sales")
    expect(section.locator(".pressure-score")).to_have_text("3.50")
    expect(page.get_by_role("heading", name="Change your scores for Sales")).to_be_visible()
    review = PressureReview.objects.get(reviewer=field.team.sales)
    assert (review.team, review.importance, review.differentiation, review.feasibility) == (
        "sales",
        5,
        2,
        3,
    )
    check_page(page, "pressure-insight-scored", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_bad_score_is_shown_next_to_its_fieldset(browser, live_server, field, size):
    insight = make_insight(field, "Freezers fill with takeaway tubs.", field.quotes[:1])
    pressure_test_open(insight=insight, actor=field.team.researcher)
    page = new_page(browser, size)
    log_in(page, live_server.url, "marketing")
    page.goto(f"{live_server.url}/insights/{insight.pk}/")

    page.get_by_role("group", name="Importance to customers").get_by_role("radio", name="4").check()
    page.get_by_role("button", name="Submit scores").click()

    differentiation = page.get_by_role("group", name="Differentiation from competitors")
    expect(differentiation).to_contain_text(
        "Score it with a whole number from 1 (weak) to 5 (strong)."
    )
    # What was chosen stays chosen.
    expect(
        page.get_by_role("group", name="Importance to customers").get_by_role("radio", name="4")
    ).to_be_checked()
    assert not PressureReview.objects.exists()
    check_page(page, "pressure-insight-refused", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_board_shows_the_badge_and_sorts_by_it(browser, live_server, field, size):
    low = make_insight(field, "Leftovers are labelled by hand.", field.notes[:1])
    high = make_insight(field, "Nobody knows what is at the back.", field.quotes)
    make_insight(field, "Ice builds up in the drawer.", field.notes[1:2])
    for insight, scores in ((low, (1, 2, 2)), (high, (5, 4, 5))):
        test = pressure_test_open(insight=insight, actor=field.team.lead)
        score(test, field.team.product, *scores)
        score(test, field.team.sales, *scores)
    page = new_page(browser, size)
    log_in(page, live_server.url, "product")
    page.goto(f"{live_server.url}/boards/product/")
    new_column = page.locator('[data-column="new"] .board-card-title')
    expect(new_column.first).to_have_text("Ice builds up in the drawer.")

    page.get_by_label("Sort by").select_option("pressure")
    page.get_by_role("button", name="Filter").click()

    expect(new_column).to_have_text(
        [
            "Nobody knows what is at the back.",
            "Leftovers are labelled by hand.",
            "Ice builds up in the drawer.",
        ]
    )
    badges = page.locator('[data-column="new"] .pressure-badge')
    expect(badges).to_have_text(
        ["Pressure test 4.67 of 5 complete", "Pressure test 1.67 of 5 complete"],
        use_inner_text=True,
    )
    check_page(page, "pressure-board-sorted", size)
    page.context.close()
