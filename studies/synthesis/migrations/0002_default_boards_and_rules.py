"""The two boards every deployment starts with, and the default routing rules.

Pain points, workarounds, unmet needs and feature ideas go to the product board;
quote-worthy moments and delights go to the marketing quote bank. Admins edit these
like any other rule.
"""

from django.db import migrations

BOARDS = [
    ("product", "Product board", "product"),
    ("marketing", "Marketing board", "marketing"),
]
RULES = {
    "product": ["pain_point", "workaround", "unmet_need", "feature_idea"],
    "marketing": ["quote_worthy", "delight"],
}


def add_defaults(apps, schema_editor):
    Board = apps.get_model("synthesis", "Board")
    RoutingRule = apps.get_model("synthesis", "RoutingRule")
    for slug, name, kind in BOARDS:
        board, _ = Board.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
        for group in RULES[slug]:
            RoutingRule.objects.get_or_create(
                board=board, tag_group=group, tag=None, study=None
            )


def remove_defaults(apps, schema_editor):
    Board = apps.get_model("synthesis", "Board")
    Board.objects.filter(slug__in=[slug for slug, _, _ in BOARDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("synthesis", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
