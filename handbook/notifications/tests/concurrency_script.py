"""Run by test_concurrency.py in its own process and database (PostgreSQL): 20 threads at once fan
out the same event to the same users, then 20 threads at once run the same deliveries. Prints the
number of rows and emails. (A transactional test would wipe the suite's shared persona world;
hence a separate database, as in meetings/tests/concurrency_script.py.)"""

import json
import os
import sys
import threading
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

THREADS = 20


def main() -> None:
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"handbook_notif_concurrency_{uuid.uuid4().hex[:8]}"
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "handbook.settings.test"
    try:
        import django

        django.setup()
        from django.core import mail
        from django.core.management import call_command
        from django.db import close_old_connections, connections
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the in-memory mail outbox
        call_command("migrate", verbosity=0)
        from handbook.accounts.models import User
        from handbook.notifications import services, tasks
        from handbook.notifications.models import Delivery, Notification

        services.register_kind("race", title=lambda p: "race")
        users = User.objects.bulk_create([User(username=f"u{i}", email=f"u{i}@example.org") for i in range(30)])
        ids = [u.pk for u in users]
        errors: list[str] = []
        barrier = threading.Barrier(THREADS)
        pending: set[int] = set()
        lock = threading.Lock()

        def fan_out() -> None:
            close_old_connections()
            try:
                barrier.wait()
                found = tasks.create_batch(kind="race", event_key="race:1", params={}, url="", user_ids=ids)
                with lock:
                    pending.update(found)
            except Exception as exc:  # noqa: BLE001 - reported to the test
                errors.append(repr(exc))
            finally:
                connections.close_all()

        def deliver() -> None:
            close_old_connections()
            try:
                barrier.wait()
                tasks.deliver.call(sorted(pending))
            except Exception as exc:  # noqa: BLE001 - reported to the test
                errors.append(repr(exc))
            finally:
                connections.close_all()

        for target in (fan_out, deliver):
            threads = [threading.Thread(target=target) for _ in range(THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        result = {
            "errors": errors,
            "notifications": Notification.objects.filter(event_key="race:1").count(),
            "deliveries": Delivery.objects.count(),
            "sent": Delivery.objects.filter(status="sent").count(),
            "emails": len(mail.outbox),
            "recipients": len({m.to[0] for m in mail.outbox}),
        }
        connections.close_all()
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(result))


if __name__ == "__main__":
    main()
