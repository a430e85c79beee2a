import uuid

from django.db import migrations, models


def give_questions_their_keys(apps, schema_editor):
    """Each question gets its identity. Planning carried guides into the next round by
    copying their wording, so a question worded as one of the study's earlier rounds was
    that question, carried: it takes that question's key."""
    GuideQuestion = apps.get_model("scheduling", "GuideQuestion")
    keys: dict[tuple[object, str], uuid.UUID] = {}
    questions = GuideQuestion.objects.select_related("round").order_by(
        "round__study_id", "round__window_start", "round__label", "position"
    )
    for question in questions:
        wording = (question.round.study_id, " ".join(question.text.split()).casefold())
        question.key = keys.setdefault(wording, uuid.uuid4())
        question.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0005_alter_studymembership_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="guidequestion",
            name="key",
            field=models.UUIDField(null=True, editable=False, verbose_name="question key"),
        ),
        migrations.RunPython(give_questions_their_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="guidequestion",
            name="key",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, verbose_name="question key"
            ),
        ),
        migrations.AddField(
            model_name="study",
            name="send_original_photos",
            field=models.BooleanField(
                default=False,
                help_text="Phones scale photos to 2,560 pixels on the longest edge before sending them, so they go quickly on a slow connection. Tick to send the originals instead.",
                verbose_name="send photos at full size",
            ),
        ),
        migrations.AlterField(
            model_name="guidequestion",
            name="position",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="position"),
        ),
        migrations.AddIndex(
            model_name="guidequestion",
            index=models.Index(fields=["key"], name="scheduling__key_0ce336_idx"),
        ),
        migrations.AddConstraint(
            model_name="guidequestion",
            constraint=models.UniqueConstraint(
                fields=("round", "key"), name="guide_question_once_a_round"
            ),
        ),
    ]
