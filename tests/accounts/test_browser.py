"""The API tokens page in Debian's Chromium at phone and laptop sizes: layout, accessibility
and the make, copy and revoke flow.

Same set-up as tests/frontend/test_browser.py (its Chromium fixture and helpers): under CI a
missing Chromium fails, elsewhere it skips. Screenshots land in test-artifacts/screenshots/.
"""

import datetime as dt
import os

import pytest
from django.utils import timezone

from studies.accounts import services
from studies.accounts.models import ApiToken, hash_key
from tests.accounts.conftest import make_token
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import expect

from tests.frontend import test_browser
from tests.frontend.test_browser import SIZES, check_page, log_in, new_page

# The one Chromium per module, as test_browser.py launches it (and fails under CI without it).
browser = test_browser.browser

pytestmark = pytest.mark.browser


@pytest.fixture
def ada(transactional_db):
    user = UserFactory(username="ada", time_zone="Europe/London")
    make_token(user, name="Zapier export", expires_at=timezone.now() + dt.timedelta(days=90))
    old, _key = make_token(user, name="Old spreadsheet sync")
    services.api_token_revoke(token=old, actor=user)
    make_token(UserFactory(username="bob"), name="Bob's nightly export")
    return user


@pytest.mark.parametrize("size", SIZES)
def test_the_tokens_page_fits_and_is_accessible(browser, live_server, ada, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, ada.username)

    page.goto(f"{live_server.url}/account/tokens/")

    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_role("row")).to_have_count(3)  # the header and ada's two tokens
    expect(page.get_by_text("Bob's nightly export")).to_have_count(0)
    check_page(page, "tokens", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_person_makes_copies_and_revokes_a_token(browser, live_server, ada, size):
    page = new_page(browser, size)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, ada.username)
    page.get_by_role("link", name="API tokens").click()

    page.get_by_label("Name").fill("Nightly export")
    page.get_by_label("Expires").select_option(label="In 30 days")
    page.get_by_role("button", name="Make token").click()

    key = page.get_by_label("Token", exact=True).input_value()
    made = ApiToken.objects.get(name="Nightly export")
    assert made.key_hash == hash_key(key)
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_text("Token copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    check_page(page, "tokens-new-key", size)

    page.goto(f"{live_server.url}/account/tokens/")
    assert key not in page.content()
    page.get_by_role("button", name="Revoke Nightly export").click()

    expect(page.get_by_role("status")).to_contain_text("“Nightly export” is revoked")
    made.refresh_from_db()
    assert made.revoked_at is not None
    expect(page.get_by_role("button", name="Revoke Nightly export")).to_have_count(0)
    page.context.close()
