"""`handbook demo`: migrate, load the demo organisation once, print the logins, serve on :8000."""

import os
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from handbook.accounts.models import User
from handbook.organizations.models import Organization

DEFAULT_PASSWORD = "handbook-demo"  # noqa: S105 - a demo password, printed for the newcomer
PERSONA_USERNAMES = ["admin", "tinh", "lanhdao", "xa", "bithu", "dangvien", "caobang"]


class Command(BaseCommand):
    help = "Migrate the database, load the Vietnamese demo organisation (once) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password for every demo login.")
        parser.add_argument("--no-serve", action="store_true", help="Load and print the logins, then exit.")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Address to serve on (default 127.0.0.1:8000).")
        parser.add_argument("--members", type=int, default=3000, help="About how many members to generate.")

    def handle(self, *args, password, no_serve, addr, members, **options):
        if len(password) < 8:
            raise CommandError("Use a password of at least 8 characters.")
        call_command("migrate", interactive=False, verbosity=0)
        from handbook.core.demo import load_demo

        if Organization.objects.exists():
            self.stdout.write("The demo organisation is already loaded; setting the demo passwords.")
            for user in User.objects.filter(username__in=PERSONA_USERNAMES):
                user.set_password(password)
                user.save(update_fields=["password"])
        else:
            started = time.monotonic()
            self.stdout.write("Loading the demo organisation…")
            load_demo(password=password, members_target=members)
            self.stdout.write(f"Loaded in {time.monotonic() - started:.0f} s.")
        with translation.override("en"):
            self.print_logins(password, addr)
        if not no_serve:
            # Background jobs (imports) run in a worker process beside the web server.
            worker = subprocess.Popen(  # noqa: S603 - our own interpreter and command
                [sys.executable, "-c", "from handbook.cli import main; main()", "db_worker", "--no-reload"],
                env=os.environ.copy(),
            )
            try:
                call_command("runserver", addr, use_reloader=False)
            finally:
                worker.terminate()
                worker.wait(timeout=30)

    def print_logins(self, password: str, addr: str) -> None:
        from handbook.accounts.models import RoleGrant

        self.stdout.write(
            self.style.SUCCESS(f"\nHandbook demo: http://{addr}/  — password for every login: {password}")
        )
        self.stdout.write(f"{'login':<10} {'role':<28} where")
        for username in PERSONA_USERNAMES:
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            grant = RoleGrant.objects.filter(user=user, revoked_at__isnull=True).select_related("organization").first()
            if grant:
                role, where = grant.get_role_display(), grant.organization.name
            else:
                role, where = "Member (own record)", user.member.organization.name if user.member else "-"
            extra = f"  (or phone {user.phone})" if user.phone else ""
            self.stdout.write(f"{username:<10} {str(role):<28} {where}{extra}")
        self.stdout.write("caobang is an official of another province: Ninh Bình's records are invisible to them.\n")
