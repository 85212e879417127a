"""Each meeting keeps its check-in window (from the rulebook's meetings.check_in_opens_minutes and
check_in_closes_minutes). Existing meetings get the window of the national default rule set's
latest version (the 2025 rules: 30 minutes before to 240 minutes after the start); new, rescheduled
and published meetings get their own cell's rules from meetings.services."""

import datetime

from django.db import migrations, models
from django.db.models import ExpressionWrapper, F
from django.utils import timezone


def fill(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    latest = (
        RuleSetVersion.objects.filter(rule_set__is_default=True, effective_from__lte=timezone.localdate())
        .order_by("-effective_from", "-number")
        .first()
    )
    values = latest.values if latest is not None else {}
    opens = datetime.timedelta(minutes=int(values.get("meetings.check_in_opens_minutes", 30)))
    closes = datetime.timedelta(minutes=int(values.get("meetings.check_in_closes_minutes", 240)))
    Meeting.objects.update(
        check_in_opens_at=ExpressionWrapper(F("starts_at") - opens, output_field=models.DateTimeField()),
        check_in_closes_at=ExpressionWrapper(F("starts_at") + closes, output_field=models.DateTimeField()),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_redundant_indexes"),
        ("rules", "0006_redundant_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="check_in_opens_at",
            field=models.DateTimeField(null=True, verbose_name="check-in opens at"),
        ),
        migrations.AddField(
            model_name="meeting",
            name="check_in_closes_at",
            field=models.DateTimeField(null=True, verbose_name="check-in closes at"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meeting",
            name="check_in_opens_at",
            field=models.DateTimeField(verbose_name="check-in opens at"),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="check_in_closes_at",
            field=models.DateTimeField(verbose_name="check-in closes at"),
        ),
    ]
