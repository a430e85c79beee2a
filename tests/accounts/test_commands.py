"""`manage.py create_api_token`: a token from the command line, its key printed once."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from studies.accounts.models import ApiToken, hash_key
from tests.accounts.conftest import NOON
from tests.factories import UserFactory


def test_it_makes_a_token_and_prints_only_its_key(db, at_noon):
    ada = UserFactory(username="ada")
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_token", "ada", "--name", "Nightly export", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash, token.expires_at) == (
        ada,
        "Nightly export",
        hash_key(key),
        None,
    )
    assert err.getvalue() == "Keep this key now: it is not stored and cannot be shown again.\n"


def test_it_sets_an_expiry_in_days(db, at_noon):
    UserFactory(username="ada")

    call_command(
        "create_api_token", "ada", "--name", "Trial", "--expires-in-days", "30",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip

    assert ApiToken.objects.get().expires_at == NOON + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--name", "Export"], "No user named 'nobody'."),
        (["ada", "--name", "  "], "Give the token a name, such as “Zapier export”."),
        (
            ["ada", "--name", "Export", "--expires-in-days", "0"],
            "--expires-in-days must be at least 1.",
        ),
    ],
)
def test_it_refuses_what_it_cannot_do_and_makes_nothing(db, args, message):
    UserFactory(username="ada")

    with pytest.raises(CommandError) as refused:
        call_command("create_api_token", *args, stdout=io.StringIO(), stderr=io.StringIO())

    assert str(refused.value) == message
    assert not ApiToken.objects.exists()
