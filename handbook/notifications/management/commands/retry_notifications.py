"""Retry notification deliveries whose time has come (run every few minutes from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from handbook.notifications.tasks import retry_due


class Command(BaseCommand):
    help = "Send failed or waiting email and push deliveries that are due, and retry failed digests."

    def add_arguments(self, parser):
        parser.add_argument("--inline", action="store_true", help="send here instead of queueing for the workers")

    def handle(self, *args, **options):
        result = retry_due(inline=options["inline"])
        self.stdout.write(
            f"due: {result['due']}, stale claims given up: {result['stale']}, digests retried: {result['digests']}"
        )
