"""The household page in Chromium at phone and laptop sizes, for the lead and for product."""

import pytest
from playwright.sync_api import expect

from studies.scheduling.models import Consent, ConsentKind
from tests.frontend.test_browser import SIZES, browser, check_page, log_in, new_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]


def household_path(world) -> str:
    return f"/studies/{world.team.study.pk}/households/{world.households[0].pk}/"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("persona", ["lead", "product"])
def test_the_household_page_fits_and_is_accessible(browser, live_server, world, persona, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, persona)
    page.goto(live_server.url + household_path(world))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Household {world.households[0].code}"
    )
    check_page(page, f"household-{persona}", size)
    page.context.close()


def test_the_lead_withdraws_photo_consent_on_a_phone(browser, live_server, world):
    page = new_page(browser, "phone")
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + household_path(world))

    page.get_by_role("button", name="Withdraw Photos consent").click()

    expect(page.get_by_role("status")).to_contain_text("Photos consent withdrawn.")
    consent = Consent.objects.get(household=world.households[0], kind=ConsentKind.PHOTOS)
    assert consent.withdrawn_at is not None
    check_page(page, "household-withdrawn", "phone")
    page.context.close()
