"""Ballots' idempotency records written before the request digest left the choice out hashed the
choice next to the voter (three options: three hashes to try). They are deleted; records only
answer retries sent within minutes, so nothing else depends on them."""

from django.db import migrations


def forget(apps, schema_editor):
    IdempotencyRecord = apps.get_model("core", "IdempotencyRecord")
    IdempotencyRecord.objects.filter(response__has_key="receipt").delete()  # only ballots answer a receipt


class Migration(migrations.Migration):
    dependencies = [("core", "0002_redundant_indexes")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
