"""Delete old Idempotency-Key records (run daily from cron or a systemd timer)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from handbook.core import idempotency


class Command(BaseCommand):
    help = "Delete the stored first answers of requests sent with an Idempotency-Key, once older than --hours."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=24, help="keep the records of the last HOURS hours (default 24, at least 1)"
        )

    def handle(self, *args, **options):
        hours = options["hours"]
        if hours < 1:
            raise CommandError(
                "--hours must be at least 1: clients retry within minutes, and a record younger than that answers them"
            )
        deleted = idempotency.prune(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"idempotency records older than {hours} h deleted: {deleted}")
