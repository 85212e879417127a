from django.db import migrations, models


def copy_paths(apps, schema_editor):
    MemberCount = apps.get_model("members", "MemberCount")
    for row in MemberCount.objects.select_related("organization").iterator():
        MemberCount.objects.filter(pk=row.pk).update(path=row.organization.path)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="membercount",
            name="path",
            field=models.CharField(db_index=True, default="", max_length=255),
            preserve_default=False,
        ),
        migrations.RunPython(copy_paths, migrations.RunPython.noop),
    ]
