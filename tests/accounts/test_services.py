"""studies/accounts/services.py: making and revoking API tokens, and their audit records."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from studies.accounts import services
from studies.accounts.models import ApiToken, ApiTokenStatus, hash_key
from studies.common.models import AuditAction, AuditEvent
from tests.accounts.conftest import NOON, make_token
from tests.factories import UserFactory


def test_it_stores_the_key_only_as_its_hash_and_prefix(db, at_noon):
    user = UserFactory(username="ada")

    token, key = services.api_token_create(user=user, name="  Zapier export ")

    stored = ApiToken.objects.get()
    assert stored == token
    assert len(key) == 43  # token_urlsafe(32)
    assert (stored.user, stored.name, stored.prefix) == (user, "Zapier export", key[:8])
    assert stored.key_hash == hash_key(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert (stored.created_at, stored.last_used_at, stored.revoked_at, stored.expires_at) == (
        NOON,
        None,
        None,
        None,
    )
    assert stored.status == ApiTokenStatus.ACTIVE


def test_it_makes_a_different_key_every_time(db):
    user = UserFactory()

    keys = {make_token(user)[1] for _ in range(5)}

    assert len(keys) == 5
    assert ApiToken.objects.filter(user=user).count() == 5


def test_it_records_the_creation_in_the_audit_log(db):
    user = UserFactory(username="ada")

    token, key = make_token(user, name="Nightly export")

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.actor_username) == (
        AuditAction.TOKEN_CREATED,
        user,
        "ada",
    )
    assert event.target == f"API token {token.prefix}"
    assert event.detail == {"token": str(token.pk), "name": "Nightly export", "prefix": key[:8]}
    assert key not in str(event.detail)


@pytest.mark.parametrize(
    ("name", "expires_at", "errors"),
    [
        ("   ", None, {"name": ["Give the token a name, such as “Zapier export”."]}),
        ("x" * 101, None, {"name": ["Use at most 100 characters."]}),
        ("Export", NOON, {"expires_at": ["The expiry must be in the future."]}),
        (
            "Export",
            NOON - dt.timedelta(days=1),
            {"expires_at": ["The expiry must be in the future."]},
        ),
    ],
)
def test_it_refuses_a_token_it_cannot_make_and_changes_nothing(
    db, at_noon, name, expires_at, errors
):
    with pytest.raises(ValidationError) as refused:
        services.api_token_create(user=UserFactory(), name=name, expires_at=expires_at)

    assert refused.value.message_dict == errors
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_revokes_a_token_once_and_records_it_once(db, time_machine):
    owner, admin = UserFactory(username="ada"), UserFactory(username="root", is_superuser=True)
    time_machine.move_to(NOON, tick=False)
    token, _key = make_token(owner)

    time_machine.move_to(NOON + dt.timedelta(hours=1), tick=False)
    revoked = services.api_token_revoke(token=token, actor=admin)
    time_machine.move_to(NOON + dt.timedelta(hours=2), tick=False)
    again = services.api_token_revoke(token=ApiToken.objects.get(), actor=owner)

    assert revoked.revoked_at == again.revoked_at == NOON + dt.timedelta(hours=1)
    assert ApiToken.objects.get().revoked_at == NOON + dt.timedelta(hours=1)
    assert ApiToken.objects.get().status == ApiTokenStatus.REVOKED
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (event.actor_username, event.target) == ("root", f"API token {token.prefix}")
    assert event.detail == {
        "token": str(token.pk),
        "name": "Zapier export",
        "prefix": token.prefix,
        "owner": "ada",
    }


def test_an_expired_token_reads_as_expired(db, time_machine):
    time_machine.move_to(NOON, tick=False)
    token, _key = make_token(UserFactory(), expires_at=NOON + dt.timedelta(days=30))

    assert token.status_at(NOON + dt.timedelta(days=30) - dt.timedelta(seconds=1)) == "active"
    assert token.status_at(NOON + dt.timedelta(days=30)) == ApiTokenStatus.EXPIRED
