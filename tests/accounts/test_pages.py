"""frontend/tokens.py: the API tokens page, where people make, see and revoke their tokens."""

import datetime as dt

import pytest
from django.test import Client

from studies.accounts import services
from studies.accounts.models import ApiToken, hash_key
from studies.common.models import AuditAction, AuditEvent
from tests.accounts.conftest import NOON, make_token
from tests.factories import UserFactory

PAGE = "/account/tokens/"


def revoke_url(token: ApiToken) -> str:
    return f"{PAGE}{token.pk}/revoke/"


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", time_zone="America/New_York")


@pytest.fixture
def signed_in(ada, at_noon) -> Client:
    # Signed in at the tests' noon, so the session has not expired by the time they move to.
    client = Client()
    client.force_login(ada)
    return client


def test_it_sends_anonymous_visitors_to_sign_in(client, ada):
    token, _key = make_token(ada)

    page = client.get(PAGE)
    made = client.post(PAGE, {"name": "Sneaky", "expires_in": "never"})
    revoked = client.post(revoke_url(token))

    assert (page.status_code, page["Location"]) == (302, "/login/?next=/account/tokens/")
    assert (made.status_code, made["Location"]) == (302, "/login/?next=/account/tokens/")
    assert revoked.status_code == 302
    assert revoked["Location"] == f"/login/?next=/account/tokens/{token.pk}/revoke/"
    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("Zapier export", None)]


def test_it_lists_only_the_users_own_tokens_in_their_time_zone(signed_in, ada, time_machine):
    time_machine.move_to(NOON, tick=False)
    mine, _key = make_token(ada, name="Zapier export")
    make_token(UserFactory(username="bob"), name="Bob's secret sync")

    response = signed_in.get(PAGE)

    assert response.status_code == 200
    assert [token.name for token in response.context["tokens"]] == ["Zapier export"]
    content = response.content.decode()
    assert "Zapier export" in content
    assert f"<code>{mine.prefix}…</code>" in content
    assert "Bob&#x27;s secret sync" not in content
    # 12:00 UTC is 07:00 in New York in January.
    assert '<time datetime="2027-01-12T07:00:00-05:00">12 Jan 2027, 07:00</time>' in content
    assert "Times in America/New_York" in content
    assert 'aria-current="page">API tokens</a>' in content


def test_it_shows_a_new_key_once(signed_in, ada, time_machine):
    time_machine.move_to(NOON, tick=False)

    made = signed_in.post(PAGE, {"name": "Nightly export", "expires_in": "90"})
    later = signed_in.get(PAGE)

    token = ApiToken.objects.get()
    key = made.context["new_key"]
    assert made.status_code == 200
    assert (token.user, token.name, token.key_hash) == (ada, "Nightly export", hash_key(key))
    assert token.expires_at == NOON + dt.timedelta(days=90)
    assert f'value="{key}"' in made.content.decode()
    assert "no-store" in made["Cache-Control"]
    assert later.status_code == 200
    assert key not in later.content.decode()
    assert later.context["new_key"] == ""
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATED).count() == 1


def test_a_token_may_never_expire(signed_in, ada):
    signed_in.post(PAGE, {"name": "Forever", "expires_in": "never"})

    assert ApiToken.objects.get().expires_at is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "expires_in": "30"}, "name"),
        ({"name": "   ", "expires_in": "30"}, "name"),
        ({"name": "Export", "expires_in": "7"}, "expires_in"),
        ({"name": "x" * 101, "expires_in": "30"}, "name"),
    ],
)
def test_it_refuses_a_form_it_cannot_use_and_makes_nothing(signed_in, data, field):
    response = signed_in.post(PAGE, data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert response.context["new_key"] == ""
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_user_revokes_their_token(signed_in, ada, time_machine):
    time_machine.move_to(NOON, tick=False)
    token, _key = make_token(ada)
    other, _other_key = make_token(ada, name="Keep me")

    response = signed_in.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [("/account/tokens/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "“Zapier export” is revoked: integrations using it are refused from now on."
    ]
    assert ApiToken.objects.get(pk=token.pk).revoked_at == NOON
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    # Once revoked, a token has no Revoke button left.
    assert revoke_url(token) not in response.content.decode()
    assert revoke_url(other) in response.content.decode()


def test_someone_elses_token_is_not_found_and_stays_as_it_was(signed_in, db):
    bobs, _key = make_token(UserFactory(username="bob"))

    response = signed_in.post(revoke_url(bobs))

    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).exists()


def test_revoking_needs_a_post(signed_in, ada):
    token, _key = make_token(ada)

    assert signed_in.get(revoke_url(token)).status_code == 405
    assert ApiToken.objects.get().revoked_at is None


def test_revoking_needs_the_csrf_token(ada, at_noon):
    token, _key = make_token(ada)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)

    assert client.post(revoke_url(token)).status_code == 403
    assert ApiToken.objects.get().revoked_at is None


def test_revoked_and_expired_tokens_say_so(signed_in, ada, time_machine):
    time_machine.move_to(NOON, tick=False)
    revoked, _key = make_token(ada, name="Old sync")
    services.api_token_revoke(token=revoked, actor=ada)
    make_token(ada, name="Trial", expires_at=NOON + dt.timedelta(days=1))
    time_machine.move_to(NOON + dt.timedelta(days=2), tick=False)

    content = signed_in.get(PAGE).content.decode()

    assert '<span class="badge badge-revoked">Revoked</span>' in content
    assert '<span class="badge badge-expired">Expired</span>' in content
    assert "Revoke<span" not in content
