"""Declare `meetings.qualified_threshold` (a motion that needs a qualified majority: at least two
thirds of the members summoned) in the national 2025 rules. A new key, read by no earlier decision,
so adding it changes nothing that was decided."""

from django.db import migrations

KEY = "meetings.qualified_threshold"


def add(apps, schema_editor):
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    for version in RuleSetVersion.objects.all():
        if KEY not in version.values:
            version.values = {**version.values, KEY: "2/3"}
            version.save(update_fields=["values"])


def remove(apps, schema_editor):
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    for version in RuleSetVersion.objects.filter(values__has_key=KEY):
        values = dict(version.values)
        values.pop(KEY, None)
        version.values = values
        version.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_rules_2025")]
    operations = [migrations.RunPython(add, remove)]
