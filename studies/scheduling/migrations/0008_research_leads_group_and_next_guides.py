"""A "Research leads" group whose members may start studies, and each study's next guide
written from the guide its latest round asks, so planning carries the same questions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Research leads"


def forwards(apps, schema_editor):
    # Permissions are made after the migrations run; make them now so the group can hold one.
    config = apps.get_app_config("scheduling")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="scheduling", codename="add_study")
    )
    Study = apps.get_model("scheduling", "Study")
    Round = apps.get_model("scheduling", "Round")
    GuideQuestion = apps.get_model("scheduling", "GuideQuestion")
    NextGuideQuestion = apps.get_model("scheduling", "NextGuideQuestion")
    for study in Study.objects.all():
        latest = Round.objects.filter(study=study).order_by("-window_start").first()
        if latest is None or NextGuideQuestion.objects.filter(study=study).exists():
            continue
        asked = GuideQuestion.objects.filter(round=latest, position__isnull=False)
        NextGuideQuestion.objects.bulk_create(
            NextGuideQuestion(
                study=study,
                key=question.key,
                position=position,
                section=question.section,
                text=question.text,
            )
            for position, question in enumerate(asked.order_by("position"))
        )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("scheduling", "0007_team_invitations_and_next_guide"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
