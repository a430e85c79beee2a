"""The synthesis screen, the insights list and the tags page in Debian's Chromium: a lead
makes an insight from quotes of two households in two rounds; every page fits a phone and
a laptop and passes axe.

Same set-up as test_browser.py (its Chromium fixture and helpers): under CI a missing
Chromium fails, elsewhere it skips.
"""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Page, expect

from studies.fieldwork.models import Observation, ObservationKind, ObservationTag
from studies.synthesis.models import Insight
from studies.synthesis.services import insights
from tests.factories import ObservationFactory
from tests.frontend import test_browser
from tests.frontend.test_browser import SIZES, check_page, log_in, new_page
from tests.synthesis import conftest as synthesis_fixtures
from tests.synthesis.conftest import Field

# The one Chromium per module, as test_browser.py launches it (and fails under CI without it).
browser = test_browser.browser
# The synthesis tests' study: three households, two rounds of notes and quotes, tags, boards.
field = synthesis_fixtures.field

pytestmark = pytest.mark.browser


@pytest.fixture
def earlier_quote(field: Field) -> Observation:
    """A quote from the second household in the first round, and the first household's
    latest quote tagged, so two households in two rounds can be picked."""
    ObservationTag.objects.create(observation=field.quotes[0], tag=field.pain)
    return ObservationFactory(
        visit=field.notes[1].visit,
        kind=ObservationKind.QUOTE,
        text="We throw out a bag of peas every month, still sealed.",
        speaker="father, 30s",
    )


def pages_with_content(field: Field) -> dict[str, str]:
    study = field.team.study.pk
    return {
        "synthesis": f"/studies/{study}/synthesis/",
        "insights": f"/studies/{study}/insights/",
        "tags": f"/studies/{study}/tags/",
    }


def test_a_lead_makes_an_insight_from_two_households_in_two_rounds(
    browser, live_server, field, earlier_quote
):
    page: Page = new_page(browser, "laptop")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, field.team.lead.username)
    page.goto(f"{live_server.url}/studies/{field.team.study.pk}/synthesis/")

    page.get_by_label("Kind").select_option(label="Verbatim quote")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("input[name=observations]")).to_have_count(4)

    page.locator(f"#pick-{field.quotes[0].pk}").check()
    page.locator(f"#pick-{earlier_quote.pk}").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 observations and photos ticked")
    # The ticked quote's tag is ticked in the new insight's form for the lead.
    panel = page.locator(".synth-panel")
    expect(panel.get_by_label("Freezer blindness")).to_be_checked()
    expect(panel.get_by_label("Say it like this")).not_to_be_checked()
    page.get_by_label("Statement").fill("Sealed food is forgotten until it is thrown away.")
    page.get_by_label("Answers the research question").select_option(label=field.question.text)
    page.get_by_role("button", name="Create insight").click()

    page.wait_for_url(f"{live_server.url}/studies/{field.team.study.pk}/insights/*")
    insight = Insight.objects.get()
    card = page.locator(f"#insight-{insight.pk}")
    expect(page.get_by_role("status")).to_contain_text("Insight created, backed by 2 households.")
    expect(card).to_contain_text("Sealed food is forgotten until it is thrown away.")
    expect(card).to_contain_text("2 households")
    expect(card.locator(".insight-facts .chip").first).to_have_text("2026-Q3")
    expect(card).to_contain_text("2026-Q4")
    expect(card).to_contain_text(field.question.text)
    expect(card).to_contain_text("Freezer blindness")
    assert (insight.household_count, insight.research_question_id) == (2, field.question.pk)
    assert set(insight.evidence.values_list("observation_id", flat=True)) == {
        field.quotes[0].pk,
        earlier_quote.pk,
    }
    assert list(insight.tags.all()) == [field.pain]
    assert not errors, f"script errors: {errors}"
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["synthesis", "insights", "tags"])
def test_each_synthesis_page_fits_and_is_accessible(
    browser, live_server, field, earlier_quote, name, size
):
    insights.insight_create(
        study=field.team.study,
        actor=field.team.lead,
        statement="Sealed food is forgotten until it is thrown away.",
        description="Seen in two homes, in two rounds: the freezer hides what is in it.",
        observation_ids=[field.quotes[0].pk, earlier_quote.pk, field.notes[2].pk],
        tag_ids=[field.pain.pk, field.quotable.pk],
        research_question_id=field.question.pk,
    )
    ObservationTag.objects.create(observation=field.notes[0], tag=field.delight)
    page = new_page(browser, size)
    log_in(page, live_server.url, field.team.lead.username)

    page.goto(live_server.url + pages_with_content(field)[name])

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, name, size)
    page.context.close()
