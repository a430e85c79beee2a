"""The routing page in Chromium at phone and laptop sizes: it fits, passes axe, and a lead
previews a rule before saving it."""

import pytest
from playwright.sync_api import expect

from studies.synthesis.models import BoardCard
from studies.synthesis.services import insights
from tests.factories import ObservationFactory, TagFactory
from tests.frontend.test_browser import SIZES, browser, check_page, log_in, new_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]


@pytest.fixture
def tagged(world):
    tag = TagFactory(study=world.team.study, name="Leftovers")
    insight = insights.insight_create(
        study=world.team.study,
        actor=world.team.lead,
        statement="Leftovers vanish behind the milk.",
        observation_ids=[ObservationFactory(visit=world.visit).pk],
        tag_ids=[tag.pk],
    )
    return tag, insight


@pytest.mark.parametrize("size", SIZES)
def test_the_lead_previews_and_saves_a_rule(browser, live_server, world, tagged, size):
    tag, insight = tagged
    page = new_page(browser, size)
    log_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/studies/{world.team.study.pk}/routing/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Routing rules")
    check_page(page, "routing", size)

    page.get_by_label("Insights with").select_option(f"tag:{tag.pk}")
    page.get_by_label("Go to").select_option(label="Product board")
    page.get_by_role("button", name="Preview").click()

    preview = page.locator(".routing-preview")
    expect(preview).to_contain_text("1 insight would be put on a board")
    expect(preview).to_contain_text(insight.statement)
    assert not BoardCard.objects.filter(insight=insight).exists()
    check_page(page, "routing-preview", size)

    page.get_by_role("button", name="Save the rule").click()
    expect(page.get_by_role("status")).to_contain_text("Rule added: Leftovers → Product board.")
    assert BoardCard.objects.filter(insight=insight, board__slug="product").exists()
    check_page(page, "routing-saved", size)
    page.context.close()
