"""The sign-in lock-out page in Chromium at phone and laptop sizes."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.frontend.test_browser import PASSWORD, SIZES, browser, check_page, new_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]


@pytest.mark.parametrize("size", SIZES)
def test_a_locked_account_sees_why_and_what_to_do(browser, live_server, size):
    user = UserFactory(username=f"locked-{size}")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": user.username, "password": "wrong"})
    page = new_page(browser, size)
    page.goto(f"{live_server.url}/login/")

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in paused")
    expect(page.get_by_role("alert")).to_contain_text("ask an administrator")
    check_page(page, "lockout", size)
    page.context.close()
