"""Insights keep how many rounds back them, as they keep households: the pressure test
shows it beside the score without counting evidence on every card."""

import importlib

from django.db import migrations, models

search = importlib.import_module("studies.synthesis.migrations.0003_search_indexes")
# On SQLite, adding a NOT NULL column rebuilds synthesis_insight, which drops the search
# triggers on it (see 0003): they are made again. PostgreSQL adds the column in place.
INSIGHT_TRIGGERS = [
    sql for sql in search.SQLITE_FORWARDS if "TRIGGER synthesis_search_insight" in sql
]


def count_rounds(apps, schema_editor):
    Insight = apps.get_model("synthesis", "Insight")
    Evidence = apps.get_model("synthesis", "Evidence")
    for insight in Insight.objects.only("pk").iterator():
        pairs = Evidence.objects.filter(insight=insight).values_list(
            "observation__visit__round_id", "photo__visit__round_id"
        )
        rounds = {via_observation or via_photo for via_observation, via_photo in pairs}
        Insight.objects.filter(pk=insight.pk).update(round_count=len(rounds))


class Migration(migrations.Migration):
    dependencies = [("synthesis", "0007_boardcard_study")]

    operations = [
        migrations.AddField(
            model_name="insight",
            name="round_count",
            field=models.PositiveIntegerField(default=0),
        ),
        search.VendorSQL(
            forwards={"postgresql": [], "sqlite": INSIGHT_TRIGGERS},
            backwards={"postgresql": [], "sqlite": []},
        ),
        migrations.RunPython(count_rounds, migrations.RunPython.noop),
    ]
