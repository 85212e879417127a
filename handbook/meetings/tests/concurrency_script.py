"""Run by test_concurrency.py in its own process and database: 50 threads at once submit the same
member's ballot, and 50 the same check-in, on PostgreSQL. Prints how many succeeded and how many
rows exist. (The suite's own database holds the shared persona world, which a transactional test
would wipe; hence a separate database.)"""

import json
import os
import sys
import threading
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))


def main() -> None:
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"handbook_concurrency_{uuid.uuid4().hex[:8]}"
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "handbook.settings.test"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import close_old_connections, connections

        call_command("migrate", verbosity=0)
        from handbook.core.errors import RuleViolation
        from handbook.meetings import services, votes
        from handbook.meetings.models import Attendance, Participation
        from handbook.testing import build_world, world

        build_world()
        w = world()
        services.roll_call(actor=w.users["secretary"], meeting=w.meeting, member=w.own_member, state="absent")
        motion = votes.motion_open(
            actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q", secret=True)
        )
        member = w.users["member"]
        results = {"vote_ok": 0, "vote_refused": 0, "checkin_ok": 0, "errors": []}
        lock = threading.Lock()
        barrier = threading.Barrier(50)

        def run(kind: str) -> None:
            close_old_connections()
            try:
                barrier.wait()
                if kind == "vote":
                    votes.vote_cast(actor=member, motion=motion, choice=0)
                    key = "vote_ok"
                else:
                    services.check_in(actor=member, meeting=w.meeting)
                    key = "checkin_ok"
                with lock:
                    results[key] += 1
            except RuleViolation as exc:
                with lock:
                    if kind == "vote" and exc.code == "already_voted":
                        results["vote_refused"] += 1
                    else:
                        results["errors"].append(f"{kind}: {exc.code}")
            except Exception as exc:  # noqa: BLE001 - reported to the test
                with lock:
                    results["errors"].append(repr(exc))
            finally:
                connections.close_all()

        for kind in ("vote", "checkin"):
            threads = [threading.Thread(target=run, args=(kind,)) for _ in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        results["participations"] = Participation.objects.filter(motion=motion).count()
        results["attendance_rows"] = Attendance.objects.filter(meeting=w.meeting, member=w.own_member).count()
        results["attendance_state"] = Attendance.objects.get(meeting=w.meeting, member=w.own_member).state
        votes.motion_close(actor=None, motion=motion)
        results["ballots_in_box"] = motion.secret_ballots.count()

        # Closing while a ballot is being cast: the ballot is slowed down between its check that
        # voting is open and its insert; the close must wait for it, not tally without it.
        import time

        late = votes.motion_open(
            actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q2", secret=True)
        )
        create = Participation.objects.create

        def slow_create(**kwargs):
            time.sleep(0.6)
            return create(**kwargs)

        Participation.objects.create = slow_create

        def cast() -> None:
            close_old_connections()
            try:
                votes.vote_cast(actor=member, motion=late, choice=0)
            except Exception as exc:  # noqa: BLE001 - reported to the test
                results["errors"].append(repr(exc))
            finally:
                connections.close_all()

        def close() -> None:
            close_old_connections()
            time.sleep(0.2)
            try:
                votes.motion_close(actor=None, motion=late)
            finally:
                connections.close_all()

        pair = [threading.Thread(target=cast), threading.Thread(target=close)]
        for t in pair:
            t.start()
        for t in pair:
            t.join()
        Participation.objects.create = create
        results["late_participations"] = Participation.objects.filter(motion=late).count()
        results["late_ballots_in_box"] = late.secret_ballots.count()
        print(json.dumps(results))
        connections.close_all()
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
