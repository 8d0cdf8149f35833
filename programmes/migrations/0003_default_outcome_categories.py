"""The default outcome categories: the seven outcomes for service users from the White Paper
"Our Health, Our Care, Our Say", plus capacity to improve services (DOMAIN.md section 1)."""

from django.db import migrations

DEFAULTS = [
    ("improved_health", "Improved health and emotional well-being"),
    ("quality_of_life", "Improved quality of life"),
    ("positive_contribution", "Making a positive contribution"),
    ("choice_and_control", "Increased choice and control"),
    ("freedom_from_discrimination", "Freedom from discrimination and harassment"),
    ("economic_wellbeing", "Economic well-being"),
    ("personal_dignity", "Maintaining personal dignity and respect"),
    ("capacity_to_improve", "Capacity to improve services"),
]


def add_defaults(apps, schema_editor):
    category = apps.get_model("programmes", "OutcomeCategory")
    for position, (key, name) in enumerate(DEFAULTS, start=1):
        category.objects.get_or_create(key=key, defaults={"name": name, "position": position})


def remove_defaults(apps, schema_editor):
    apps.get_model("programmes", "OutcomeCategory").objects.filter(
        key__in=[key for key, _ in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
