"""The migration that carries DRF's plain-text tokens over as hashed ApiTokens."""

import datetime as dt
import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from studies.accounts.models import ApiToken, hash_key
from tests.factories import UserFactory

migration = importlib.import_module("studies.accounts.migrations.0002_import_drf_tokens")
DRF_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


def run_migration() -> None:
    migration.import_drf_tokens(apps, SimpleNamespace(connection=connection))


def test_it_keeps_the_keys_of_drfs_tokens_working_but_not_in_plain_text(api_client, db):
    ada = UserFactory(username="ada")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [DRF_KEY, dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC), ada.pk],
        )

    run_migration()
    run_migration()

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix, token.key_hash) == (
        ada,
        "Imported token",
        DRF_KEY[:8],
        hash_key(DRF_KEY),
    )
    assert token.created_at == dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {DRF_KEY}")
    assert api_client.get("/api/v1/me/tokens/").status_code == 200


def test_it_does_nothing_where_drfs_table_never_existed(db):
    run_migration()

    assert not ApiToken.objects.exists()
