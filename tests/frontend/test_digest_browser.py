"""The digest pages in Chromium at phone and laptop sizes: settings, and the e-mail's
switch-off link."""

import pytest
from playwright.sync_api import expect

from studies.common.models import User
from studies.common.roles import Role
from studies.loop.services.digest import digest_off_token
from tests.factories import MembershipFactory, StudyFactory
from tests.frontend.test_browser import SIZES, browser, check_page, log_in, new_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]


@pytest.mark.parametrize("size", SIZES)
def test_the_settings_page_fits_and_switches_the_digest_off(browser, live_server, team, size):
    MembershipFactory(
        study=StudyFactory(title="Fridge habits across three generations"),
        user=team.product,
        role=Role.MARKETING,
    )
    page = new_page(browser, size)
    log_in(page, live_server.url, "product")
    page.goto(f"{live_server.url}/account/tokens/")
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Weekly digest"
    ).click()

    page.wait_for_url(f"{live_server.url}/account/digest/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly digest")
    expect(page.get_by_text("Fridge habits across three generations")).to_be_visible()
    box = page.get_by_label("Send me the weekly digest")
    expect(box).to_be_checked()
    check_page(page, "digest-settings", size)

    box.uncheck()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("The weekly digest is off")
    expect(page.get_by_label("Send me the weekly digest")).not_to_be_checked()
    assert User.objects.get(pk=team.product.pk).weekly_digest is False
    check_page(page, "digest-settings-off", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_switch_off_link_asks_then_switches_off_without_signing_in(
    browser, live_server, team, size
):
    page = new_page(browser, size)
    page.goto(f"{live_server.url}/digest/off/{digest_off_token(user=team.marketing)}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Switch off the weekly digest?")
    check_page(page, "digest-off-confirm", size)
    assert User.objects.get(pk=team.marketing.pk).weekly_digest is True

    page.get_by_role("button", name="Switch off the digest").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The weekly digest is off")
    assert User.objects.get(pk=team.marketing.pk).weekly_digest is False
    check_page(page, "digest-off-done", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_broken_switch_off_link_explains_itself(browser, live_server, team, size):
    page = new_page(browser, size)
    token = digest_off_token(user=team.marketing)

    response = page.goto(f"{live_server.url}/digest/off/{token[:-4]}/")

    assert response is not None
    assert response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(page.get_by_role("alert")).to_contain_text("This link is not valid")
    check_page(page, "digest-off-broken", size)
    page.context.close()
