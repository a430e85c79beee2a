"""Carry over the keys of DRF's authtoken app, which ResearchHub used before ApiToken.

Its table held keys in plain text; each becomes an ApiToken holding only the key's hash,
so integrations set up before keep working, and the plain-text keys are then deleted. The
empty table stays (DRF's app is no longer installed, so nothing reads it) and can be dropped.
"""

import datetime as dt
import hashlib

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

OLD_TABLE = "authtoken_token"


def import_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {OLD_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        # A raw query: SQLite hands back text, and DRF stored UTC.
        if isinstance(created, str):
            created = parse_datetime(created)
        if created is not None and timezone.is_naive(created):
            created = timezone.make_aware(created, dt.UTC)
        key_hash = hashlib.sha256(key.encode()).hexdigest()
        if ApiToken.objects.filter(key_hash=key_hash).exists():
            continue
        token = ApiToken.objects.create(
            user_id=user_id, name="Imported token", prefix=key[:8], key_hash=key_hash
        )
        ApiToken.objects.filter(pk=token.pk).update(created_at=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {OLD_TABLE}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(import_drf_tokens, migrations.RunPython.noop)]
