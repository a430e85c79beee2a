"""The staffing page in Chromium at phone and laptop sizes: it fits, passes axe, and a lead
moves a visit and hands a researcher's visits over with her thumbs."""

import pytest
from playwright.sync_api import expect

from studies.scheduling.models import StudyMembership, Visit
from tests.frontend.test_browser import SIZES, browser, check_page, log_in, new_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]


def staffing_path(world) -> str:
    return f"/studies/{world.team.study.pk}/staffing/"


@pytest.mark.parametrize("size", SIZES)
def test_the_staffing_page_fits_and_is_accessible(browser, live_server, world, size):
    # researcher2 leaves the team: her visit is flagged for reassignment at the top.
    StudyMembership.objects.filter(study=world.team.study, user=world.team.researcher2).delete()
    page = new_page(browser, size)
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + staffing_path(world))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff round NOW-1")
    expect(page.get_by_role("heading", name="Visits to reassign")).to_be_visible()
    check_page(page, "staffing", size)

    page.get_by_text(f"Move or reassign {world.households[0].code}").click()
    check_page(page, "staffing-move-open", size)
    page.context.close()


def test_a_refused_move_shows_its_message_by_the_field_on_a_phone(browser, live_server, world):
    page = new_page(browser, "phone")
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + staffing_path(world))
    code = world.households[0].code

    page.get_by_text(f"Move or reassign {code}").click()
    card = page.locator(f"#visit-{world.visit.pk}")
    card.get_by_label("Date").fill(world.other_visit.scheduled_start.date().isoformat())
    card.get_by_label("Starts at").fill("14:30")
    card.get_by_label("Researcher").select_option(str(world.team.researcher2.pk))
    card.get_by_role("button", name=f"Save the visit to {code}").click()

    card = page.locator(f"#visit-{world.visit.pk}")
    expect(card.locator(".errorlist")).to_contain_text("already visiting")
    check_page(page, "staffing-refused", "phone")
    assert Visit.objects.get(pk=world.visit.pk).researcher == world.team.researcher
    page.context.close()


def test_the_lead_hands_over_a_researchers_visits_on_a_laptop(browser, live_server, world):
    page = new_page(browser, "laptop")
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + staffing_path(world))

    form = page.locator("form", has=page.get_by_role("button", name="Hand over"))
    form.get_by_label("Visits of").select_option(str(world.team.researcher.pk))
    form.get_by_label("Hand them to").select_option(str(world.team.researcher2.pk))
    form.get_by_role("button", name="Hand over").click()

    expect(page.get_by_role("status")).to_contain_text(
        f"1 visit handed to {world.team.researcher2}."
    )
    assert Visit.objects.get(pk=world.visit.pk).researcher == world.team.researcher2
    check_page(page, "staffing-handed-over", "laptop")
    page.context.close()
