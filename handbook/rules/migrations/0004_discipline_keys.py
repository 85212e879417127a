"""Add `discipline.vote_threshold` (more than half of the voting body, Regulation 296) to every
existing rule set version that lacks it, so each version keeps holding every declared key."""

from django.db import migrations

KEY = "discipline.vote_threshold"
VALUE = ">1/2"


def add(apps, schema_editor):
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    for version in RuleSetVersion.objects.all():
        if KEY not in version.values:
            version.values = {**version.values, KEY: VALUE}
            version.save(update_fields=["values"])


def remove(apps, schema_editor):
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    for version in RuleSetVersion.objects.all():
        if KEY in version.values:
            version.values = {k: v for k, v in version.values.items() if k != KEY}
            version.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [("rules", "0003_meetings_qualified_threshold")]

    operations = [migrations.RunPython(add, remove)]
