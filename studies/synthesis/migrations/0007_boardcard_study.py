"""Cards carry their insight's study, so board pages filter and count without a join."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_study(apps, schema_editor):
    BoardCard = apps.get_model("synthesis", "BoardCard")
    Insight = apps.get_model("synthesis", "Insight")
    BoardCard.objects.update(
        study_id=Subquery(Insight.objects.filter(pk=OuterRef("insight_id")).values("study_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_household_segment_phrase"),
        ("synthesis", "0006_card_page_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="boardcard",
            name="study",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="scheduling.study",
            ),
        ),
        migrations.RunPython(copy_study, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="boardcard",
            name="study",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="scheduling.study",
            ),
        ),
        migrations.AddIndex(
            model_name="boardcard",
            index=models.Index(
                condition=models.Q(("removed_at__isnull", True)),
                fields=["board", "study", "column"],
                name="card_count_by_column",
            ),
        ),
    ]
