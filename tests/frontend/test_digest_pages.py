"""frontend/loop/digest.py: the digest settings page and the switch-off link's page."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import signing
from django.test import Client

from studies.common.models import User
from studies.common.roles import Role
from studies.loop.services.digest import digest_off_token
from tests.factories import MembershipFactory, StudyFactory, UserFactory

SETTINGS = "/account/digest/"


def off_path(token: str) -> str:
    return f"/digest/off/{token}/"


def digest_on(user: User) -> bool:
    return User.objects.get(pk=user.pk).weekly_digest


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_settings_page_sends_anonymous_visitors_to_sign_in(client, team):
    page = client.get(SETTINGS)
    posted = client.post(SETTINGS, {})

    assert page.status_code == posted.status_code == 302
    assert page["Location"] == f"/login/?next={SETTINGS}"
    assert not User.objects.filter(weekly_digest=False).exists()


def test_the_settings_page_names_the_teams_and_studies_of_the_digests(team):
    MembershipFactory(
        study=StudyFactory(title="Fridge habits"), user=team.product, role=Role.MARKETING
    )

    page = signed_in(team.product).get(SETTINGS)

    assert page.status_code == 200
    assert page.context["teams"] == [
        {"name": "product", "studies": [team.study.title]},
        {"name": "marketing", "studies": ["Fridge habits"]},
    ]
    text = page.text
    assert "The <strong>product</strong> digest, for" in text
    assert '<input type="checkbox" name="weekly_digest" id="id_weekly_digest" checked>' in text
    assert '<a href="/account/digest/" aria-current="page">Weekly digest</a>' in text


@pytest.mark.parametrize("persona", ["lead", "researcher", "sales"])
def test_people_on_no_team_are_told_they_would_get_none(team, persona):
    page = signed_in(getattr(team, persona)).get(SETTINGS)

    assert page.status_code == 200
    assert page.context["teams"] == []
    assert "you are on neither in any study" in page.text


def test_someone_without_an_e_mail_address_is_told_none_can_reach_them(db):
    page = signed_in(UserFactory(email="")).get(SETTINGS)

    assert "Your account has no e-mail address" in page.text


def test_unticking_the_box_switches_the_digest_off_and_ticking_it_on(team):
    client = signed_in(team.product)

    off = client.post(SETTINGS, {})

    assert off.status_code == 302
    assert off["Location"] == SETTINGS
    assert digest_on(team.product) is False
    assert digest_on(team.marketing) is True
    assert [str(m) for m in get_messages(off.wsgi_request)] == [
        "The weekly digest is off: you will get no more digest e-mails."
    ]
    page = client.get(SETTINGS)
    assert '<input type="checkbox" name="weekly_digest" id="id_weekly_digest">' in page.text

    on = client.post(SETTINGS, {"weekly_digest": "on"})

    assert on.status_code == 302
    assert digest_on(team.product) is True
    assert [str(m) for m in get_messages(on.wsgi_request)] == [
        "The weekly digest is on: it comes on Monday mornings."
    ]


def test_the_settings_form_is_protected_from_cross_site_posts(team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.product)

    response = client.post(SETTINGS, {})

    assert response.status_code == 403
    assert digest_on(team.product) is True


def test_the_tokens_page_links_to_the_digest_settings(team):
    page = signed_in(team.product).get("/account/tokens/")

    assert '<a href="/account/digest/">Weekly digest</a>' in page.text


def test_opening_the_switch_off_link_changes_nothing(client, team):
    page = client.get(off_path(digest_off_token(user=team.product)))

    assert page.status_code == 200
    assert "Switch off the weekly digest?" in page.text
    assert '<button type="submit" class="button button-primary">Switch off the digest' in page.text
    assert digest_on(team.product) is True
    assert "no-cache" in page["Cache-Control"]


def test_confirming_switches_off_only_that_persons_digest(client, team):
    page = client.post(off_path(digest_off_token(user=team.product)))

    assert page.status_code == 200
    assert "The weekly digest is off" in page.text
    assert digest_on(team.product) is False
    assert digest_on(team.marketing) is True


def test_the_link_works_for_whoever_is_signed_in_and_switches_off_its_owner(team):
    page = signed_in(team.marketing).post(off_path(digest_off_token(user=team.product)))

    assert page.status_code == 200
    assert digest_on(team.product) is False
    assert digest_on(team.marketing) is True


def test_an_already_switched_off_digest_says_so_and_offers_no_button(client, team):
    User.objects.filter(pk=team.product.pk).update(weekly_digest=False)

    page = client.get(off_path(digest_off_token(user=team.product)))

    assert page.status_code == 200
    assert "already off" in page.text
    assert "<button" not in page.content.decode().split('<main id="main"')[1]


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: "x",
        lambda user: "not-a-token:at:all",
        # Signed by us, for another purpose (another salt): refused like a forgery.
        lambda user: signing.dumps(user.pk, salt="studies.accounts.something-else"),
    ],
    ids=["short", "made up", "other salt"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_link_is_a_400_with_a_clear_message_and_changes_nothing(
    client, team, make_token, method
):
    page = getattr(client, method)(off_path(make_token(team.product)))

    assert page.status_code == 400
    assert "This link does not work" in page.text
    assert "This link is not valid: it may have been cut short or changed on the way." in page.text
    assert not User.objects.filter(weekly_digest=False).exists()


def test_a_tampered_link_is_a_400(client, team):
    token = digest_off_token(user=team.product)
    _value, stamp, signature = token.split(":")
    forged = f"{digest_off_token(user=team.marketing).split(':')[0]}:{stamp}:{signature}"

    page = client.post(off_path(forged))

    assert page.status_code == 400
    assert digest_on(team.marketing) is True
    assert digest_on(team.product) is True


def test_an_expired_link_is_a_400_that_says_so(client, team):
    with time_machine.travel(dt.datetime(2027, 1, 11, 7, tzinfo=dt.UTC), tick=False):
        token = digest_off_token(user=team.product)
    with time_machine.travel(dt.datetime(2027, 4, 12, 7, tzinfo=dt.UTC), tick=False):
        page = client.post(off_path(token))

    assert page.status_code == 400
    assert "This link has expired." in page.text
    assert digest_on(team.product) is True


def test_a_link_of_a_deleted_account_is_a_400(client, team):
    token = digest_off_token(user=team.product)
    team.product.delete()

    page = client.get(off_path(token))

    assert page.status_code == 400
    assert "This link no longer belongs to an account." in page.text
