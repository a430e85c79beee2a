"""The team in Chromium at phone and laptop sizes: the lead invites, the invitee follows the
link from the e-mail the SMTP server received and sets a password; password reset the same.

Screenshots also land in /tmp/shots/team/ for people to look at.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studies.common.models import User
from studies.common.roles import Role
from studies.scheduling.models import StudyMembership
from studies.scheduling.services import invitations
from tests.factories import UserFactory
from tests.frontend.test_browser import SIZES, browser, check_page, log_in, new_page
from tests.mail import link_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]

SHOTS = Path("/tmp/shots/team")  # noqa: S108 — where the brief asks for them
NEW_PASSWORD = "a long and unusual passphrase"


def shoot(page: Page, name: str, size: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def check(page: Page, name: str, size: str) -> None:
    shoot(page, name, size)
    check_page(page, f"team-{name}", size)


@pytest.mark.parametrize("size", SIZES)
def test_the_lead_invites_and_the_invitee_joins_from_the_email(
    browser, live_server, smtp_server, world, size
):
    team = world.team
    invitations.invitation_send(
        study=team.study, email="omar@example.org", role=Role.SALES, actor=team.lead
    )
    smtp_server.clear()
    lead = new_page(browser, size)
    log_in(lead, live_server.url, "lead")
    lead.goto(f"{live_server.url}/studies/{team.study.pk}/team/")
    expect(lead.get_by_role("heading", level=1)).to_have_text("Team")
    check(lead, "page", size)

    lead.get_by_label("E-mail address").fill("Nora.New@example.org")
    lead.get_by_label("Role", exact=True).select_option(Role.PRODUCT)
    lead.get_by_role("button", name="Send invitation").click()
    expect(lead.get_by_role("status")).to_contain_text("Invitation sent to nora.new@example.org")
    check(lead, "invited", size)
    lead.context.close()

    link = link_in(smtp_server.wait_for(1)[0])
    assert link.startswith(live_server.url + "/invitations/")
    invitee = new_page(browser, size)
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(f"Join {team.study.title}")
    check(invitee, "accept", size)
    expect(invitee.get_by_label("Username")).to_have_value("nora.new")
    invitee.get_by_label("First name").fill("Nora")
    invitee.get_by_label("Password", exact=True).fill("short")
    invitee.get_by_label("Password again").fill("short")
    invitee.get_by_role("button", name=f"Join {team.study.title}").click()
    expect(invitee.locator(".errorlist")).to_contain_text("This password is too short")
    check(invitee, "accept-refused", size)

    invitee.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("Password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name=f"Join {team.study.title}").click()
    invitee.wait_for_url(f"{live_server.url}/studies/{team.study.pk}/")
    expect(invitee.get_by_role("status")).to_contain_text(f"Welcome to {team.study.title}")
    shoot(invitee, "joined", size)
    nora = User.objects.get(username="nora.new")
    assert StudyMembership.objects.get(study=team.study, user=nora).role == Role.PRODUCT

    invitee.goto(link)  # the link again, now used: back to the study
    invitee.wait_for_url(f"{live_server.url}/studies/{team.study.pk}/")
    invitee.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_lead_removes_a_researcher_after_confirming(browser, live_server, world, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/studies/{world.team.study.pk}/team/")

    researcher = world.team.researcher
    page.get_by_role("link", name=f"Remove {researcher.get_full_name()} (@researcher)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remove")
    check(page, "remove", size)
    page.get_by_role("button", name="Remove from the team").click()

    expect(page.get_by_role("status").first).to_contain_text("was removed from the team")
    expect(page.locator(".reassign-note")).to_contain_text("1 open visit needs a new researcher.")
    check(page, "removed", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_spoiled_invitation_link_gets_a_page_saying_what_to_do(browser, live_server, world, size):
    page = new_page(browser, size)
    response = page.goto(f"{live_server.url}/invitations/not-a-real-token/")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation not available")
    check(page, "gone", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_forgotten_password_is_reset_from_the_sign_in_page(
    browser, live_server, smtp_server, size
):
    UserFactory(username="ada", email="ada@example.org")
    page = new_page(browser, size)
    page.goto(f"{live_server.url}/login/")
    shoot(page, "login", size)
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    check(page, "reset-request", size)
    page.get_by_label("E-mail address").fill("ada@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    check(page, "reset-sent", size)

    page.goto(link_in(smtp_server.wait_for(1)[0], "/password-reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check(page, "reset-confirm", size)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    check(page, "reset-complete", size)

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.context.close()
