import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Tokens expire and die with a password change. Tokens issued before this migration get an
    empty stamp and an expiry of "now", i.e. they stop working: clients sign in again."""

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="password_stamp",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
