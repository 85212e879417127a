"""Adds the admissions rule `admission.stall_days` (90 days) to every existing rule set version.

A new key changes no past decision: nothing used it before. Later changes are new versions."""

from django.db import migrations

KEY = "admission.stall_days"
DEFAULT = 90


def add(apps, schema_editor):
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    for version in RuleSetVersion.objects.all():
        if KEY not in version.values:
            version.values = {**version.values, KEY: DEFAULT}
            version.save(update_fields=["values"])


def remove(apps, schema_editor):
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    for version in RuleSetVersion.objects.all():
        if KEY in version.values:
            version.values = {k: v for k, v in version.values.items() if k != KEY}
            version.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [("rules", "0004_discipline_keys")]

    operations = [migrations.RunPython(add, remove)]
