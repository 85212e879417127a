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

        # The same through the API's lean hot path (handbook.meetings.hotpath inside run_once), for
        # the secretary (a member of the cell, no attendance row yet: the insert races): 50 ballots
        # with their own keys, 50 check-ins re-sent with one key, and a close during a slowed ballot.
        from django.test import RequestFactory

        from handbook.audit.models import AuditEvent, EventType
        from handbook.core.idempotency import run_once
        from handbook.meetings import hotpath

        secretary = w.users["secretary"]
        hot = votes.motion_open(
            actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q3", secret=True)
        )
        hot_results = {"vote_ok": 0, "vote_refused": 0, "checkin_ok": 0, "answers": set()}

        def hot_request(path: str, key: str):
            request = RequestFactory().post(path, HTTP_IDEMPOTENCY_KEY=key)
            request.user = secretary
            return request

        def hot_run(kind: str) -> None:
            close_old_connections()
            try:
                barrier.wait()
                if kind == "vote":
                    request = hot_request(f"/api/v1/motions/{hot.pk}/vote", uuid.uuid4().hex)
                    run_once(
                        request,
                        {"choice": 1},
                        lambda: (200, hotpath.vote_cast(actor=secretary, motion_id=hot.pk, choice=1)),
                        atomic=True,
                    )
                    with lock:
                        hot_results["vote_ok"] += 1
                else:
                    request = hot_request(f"/api/v1/meetings/{w.meeting.pk}/check-in", "one-key")
                    meeting = hotpath.check_in_read(secretary, w.meeting.pk)
                    _status, body = run_once(
                        request, {}, lambda: (200, hotpath.check_in(actor=secretary, meeting=meeting)), atomic=True
                    )
                    with lock:
                        hot_results["checkin_ok"] += 1
                        hot_results["answers"].add(json.dumps(body, sort_keys=True))
            except RuleViolation as exc:
                with lock:
                    if kind == "vote" and exc.code == "already_voted":
                        hot_results["vote_refused"] += 1
                    else:
                        results["errors"].append(f"hot {kind}: {exc.code}")
            except Exception as exc:  # noqa: BLE001 - reported to the test
                with lock:
                    results["errors"].append(f"hot {kind}: {exc!r}")
            finally:
                connections.close_all()

        def attendance_events() -> int:
            return AuditEvent.objects.filter(
                event_type=EventType.ATTENDANCE_RECORDED, actor=secretary, object_id=str(w.meeting.pk)
            ).count()

        events_before = attendance_events()
        for kind in ("vote", "checkin"):
            threads = [threading.Thread(target=hot_run, args=(kind,)) for _ in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        votes.motion_close(actor=None, motion=hot)
        results["hot"] = {
            "vote_ok": hot_results["vote_ok"],
            "vote_refused": hot_results["vote_refused"],
            "participations": Participation.objects.filter(motion=hot).count(),
            "ballots_in_box": hot.secret_ballots.count(),
            "checkin_ok": hot_results["checkin_ok"],
            "checkin_answers": len(hot_results["answers"]),
            "attendance_rows": Attendance.objects.filter(meeting=w.meeting, member_id=secretary.member_id).count(),
            "audit_events": attendance_events() - events_before,
        }
        hot_late = votes.motion_open(
            actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q4", secret=True)
        )
        reachable = hotpath._reachable

        def slow_reachable(*args):  # runs after the locked read, before the inserts
            time.sleep(0.6)
            return reachable(*args)

        hotpath._reachable = slow_reachable

        def hot_cast() -> None:
            close_old_connections()
            try:
                request = hot_request(f"/api/v1/motions/{hot_late.pk}/vote", "late")
                run_once(
                    request,
                    {"choice": 0},
                    lambda: (200, hotpath.vote_cast(actor=secretary, motion_id=hot_late.pk, choice=0)),
                    atomic=True,
                )
            except Exception as exc:  # noqa: BLE001 - reported to the test
                results["errors"].append(f"hot late: {exc!r}")
            finally:
                connections.close_all()

        def hot_close() -> None:
            close_old_connections()
            time.sleep(0.2)
            try:
                votes.motion_close(actor=None, motion=hot_late)
            finally:
                connections.close_all()

        pair = [threading.Thread(target=hot_cast), threading.Thread(target=hot_close)]
        for t in pair:
            t.start()
        for t in pair:
            t.join()
        hotpath._reachable = reachable
        results["hot"]["late_participations"] = Participation.objects.filter(motion=hot_late).count()
        results["hot"]["late_ballots_in_box"] = hot_late.secret_ballots.count()

        # Through the whole API in autocommit, as in production: the one-statement writes
        # (hotpath.check_in_at_once / vote_at_once) first, the reference path for what they leave.
        from django.test import Client

        from handbook.accounts import services as accounts
        from handbook.accounts.models import User

        voter = User.objects.create(username="cuong", member=w.other_member)
        _token, bearer = accounts.api_token_create(actor=None, user=voter)
        decided = {"check_in": 0, "vote": 0}
        originals = {"check_in": hotpath.check_in_at_once, "vote": hotpath.vote_at_once}

        def counting(kind):
            def wrapper(*args, **kwargs):
                done = originals[kind](*args, **kwargs)
                if done is not None:
                    with lock:
                        decided[kind] += 1
                return done

            return wrapper

        hotpath.check_in_at_once, hotpath.vote_at_once = counting("check_in"), counting("vote")
        same_key = votes.motion_open(
            actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q5", secret=True)
        )
        own_keys = votes.motion_open(
            actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q6", secret=True)
        )
        answers = {"check_in": [], "same_key": [], "own_keys": []}

        def api_run(kind: str) -> None:
            close_old_connections()
            client = Client(HTTP_AUTHORIZATION=f"Bearer {bearer}")
            try:
                barrier.wait()
                if kind == "check_in":
                    response = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="one")
                else:
                    motion_id, key = (same_key.pk, "ballot") if kind == "same_key" else (own_keys.pk, uuid.uuid4().hex)
                    response = client.post(
                        f"/api/v1/motions/{motion_id}/vote",
                        {"choice": 2},
                        content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key,
                    )
                with lock:
                    answers[kind].append((response.status_code, response.content.decode()))
            except Exception as exc:  # noqa: BLE001 - reported to the test
                with lock:
                    results["errors"].append(f"api {kind}: {exc!r}")
            finally:
                connections.close_all()

        for kind in ("check_in", "same_key", "own_keys"):
            threads = [threading.Thread(target=api_run, args=(kind,)) for _ in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        hotpath.check_in_at_once, hotpath.vote_at_once = originals["check_in"], originals["vote"]
        for motion_ in (same_key, own_keys):
            votes.motion_close(actor=None, motion=motion_)
        same = [json.loads(body) for status, body in answers["same_key"] if status == 200]
        results["api"] = {
            "check_in_200": sum(status == 200 for status, _ in answers["check_in"]),
            "check_in_answers": len({body for status, body in answers["check_in"] if status == 200}),
            "attendance_rows": Attendance.objects.filter(meeting=w.meeting, member=w.other_member).count(),
            "audit_events": AuditEvent.objects.filter(event_type=EventType.ATTENDANCE_RECORDED, actor=voter).count(),
            "same_key_200": len(same),
            "same_key_receipts": sum(1 for answer in same if answer["receipt"]),
            "same_key_ballots": same_key.secret_ballots.count(),
            "own_keys_200": sum(status == 200 for status, _ in answers["own_keys"]),
            "own_keys_already_voted": sum('"already_voted"' in body for status, body in answers["own_keys"]),
            "own_keys_ballots": own_keys.secret_ballots.count(),
            "participations": Participation.objects.filter(motion__in=[same_key, own_keys]).count(),
            "one_statement_check_ins": decided["check_in"],
            "one_statement_votes": decided["vote"],
        }
        print(json.dumps(results))
        connections.close_all()
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
