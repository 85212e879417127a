"""Send the daily digest (run once a day from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from handbook.notifications.tasks import send_digests


class Command(BaseCommand):
    help = "Send today's notification digest to every user who chose one (at most one per user per day)."

    def add_arguments(self, parser):
        parser.add_argument("--inline", action="store_true", help="send here instead of queueing for the workers")

    def handle(self, *args, **options):
        count = send_digests(inline=options["inline"])
        self.stdout.write(f"digests {'sent' if options['inline'] else 'queued'} for {count} users")
