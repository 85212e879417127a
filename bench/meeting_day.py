"""Meeting-day benchmark: many cells meet at once; members check in and vote through the API.

    python bench/meeting_day.py --database-url postgres://postgres@127.0.0.1:5432/handbook_meeting_day

Builds a fresh database: C cells of M official members, each with a published meeting starting now
and an open secret vote; one API token per member (made directly, no password hashing). Starts a
private Redis (the cache, as in production with REDIS_URL; skipped with --no-redis; --auth-cache
SECONDS keeps bearer tokens' users and scopes in it, off by default as in production) and granian
(--workers, --blocking-threads per worker) on 127.0.0.1. Then T client threads alternate: a slice
measuring the one-indexed-query baseline on that same server, a slice checking members in and
casting their ballots, each with an Idempotency-Key — and re-sending 10% of the requests with the
same key, as a phone on a poor connection would. Bounded by count and time. Client threads keep
their connections open across members (--connections pooled, the default), as the baseline's do and
as the load balancer in front of the application servers does; --connections per-member opens one
per member instead.
At the end it closes the votes and proves 0 lost and 0 duplicated check-ins and ballots.
"""

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import Client, percentile, start_server  # noqa: E402


def build(url: str, cells: int, members: int) -> tuple[list[tuple[str, int, int]], int]:
    """Returns [(token, meeting_id, motion_id)] per member, and a meeting id for the baseline."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "handbook.settings.base"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from handbook.accounts import services as accounts
    from handbook.accounts.models import User
    from handbook.meetings import services as meetings
    from handbook.meetings import votes
    from handbook.members import services as members_service
    from handbook.organizations import services as orgs
    from handbook.organizations.models import OrganizationType

    call_command("migrate", verbosity=0)
    types = {t.code: t for t in OrganizationType.objects.all()}
    plan = []
    with transaction.atomic():
        root = orgs.organization_create(actor=None, name="Trung ương", type=types["central"], parent=None)
        province = orgs.organization_create(actor=None, name="Tỉnh bench", type=types["province"], parent=root)
        commune = orgs.organization_create(actor=None, name="Xã bench", type=types["commune"], parent=province)
        serial = 0
        for c in range(cells):
            cell = orgs.organization_create(actor=None, name=f"Chi bộ {c:04d}", type=types["cell"], parent=commune)
            meeting = meetings.meeting_create(
                actor=None, organization=cell, title="Sinh hoạt", starts_at=timezone.now()
            )
            meetings.meeting_publish(actor=None, meeting=meeting)
            cell_members = []
            for _m in range(members):
                serial += 1
                member = members_service.member_create(
                    actor=None,
                    organization=cell,
                    full_name=f"Nguyễn Văn Bench {serial}",
                    sex="M",
                    date_of_birth=datetime.date(1980, 1, 1),
                    cccd=f"0370800{serial:05d}",
                    status="official",
                )
                user = User(username=f"m{serial}", member=member)
                user.set_unusable_password()
                user.save()
                cell_members.append(user)
            motion = votes.motion_open(
                actor=None, motion=votes.motion_create(actor=None, meeting=meeting, title="Bầu", secret=True)
            )
            for user in cell_members:
                _token, key = accounts.api_token_create(actor=None, user=user)
                plan.append((key, meeting.pk, motion.pk))
    return plan, commune.pk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/handbook_meeting_day")
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120, help="time limit of the load phase")
    parser.add_argument("--port", type=int, default=8125)
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=4,
        help="granian Python threads per worker (default 4: 8 client threads over 2 workers; granian's "
        "own default allows up to 256, which only adds GIL contention on 2 cores)",
    )
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--redis-port", type=int, default=6392)
    parser.add_argument(
        "--slice", type=float, default=8, help="seconds of load between baseline slices (half as long each)"
    )
    parser.add_argument("--no-redis", action="store_true", help="no shared cache (nor auth cache)")
    parser.add_argument(
        "--auth-cache",
        type=int,
        default=0,
        metavar="SECONDS",
        help="HANDBOOK_AUTH_CACHE_SECONDS for the server (default 0: off, the settings' default; it needs Redis)",
    )
    parser.add_argument(
        "--connections",
        choices=("pooled", "per-member"),
        default="pooled",
        help="pooled (default): each client thread keeps its HTTP connection open across members, as a "
        "load balancer keeps its upstream connections to the application servers (and as the baseline "
        "does); per-member: a new connection for every member, as phones talking to granian directly",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    started = time.monotonic()
    plan, any_org = build(args.database_url, args.cells, args.members)
    print(f"built {len(plan)} members in {args.cells} cells in {time.monotonic() - started:.0f} s", flush=True)
    redis, env_extra = None, {}
    if not args.no_redis and shutil.which("redis-server") is None:
        print("redis-server not found: running without a shared cache (the auth cache is off)", flush=True)
        args.no_redis = True
    if not args.no_redis:
        redis = subprocess.Popen(
            ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        env_extra["REDIS_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
    env_extra["HANDBOOK_AUTH_CACHE_SECONDS"] = str(args.auth_cache if redis is not None else 0)
    server = start_server(
        args.database_url, args.port, args.workers, blocking_threads=args.blocking_threads, env_extra=env_extra
    )
    try:
        # Baseline in the same run: the bare one-indexed-query JSON view, measured in slices that
        # alternate with the meeting-day slices, so that other load on the machine weighs on both.
        baseline_lat, done = [], [0] * args.threads
        baseline_time = 0.0

        def baseline(i: int, stop: float) -> None:
            c = Client(args.port)
            while time.monotonic() < stop:
                status, _, ms = c.request("GET", f"/bench/one-query?id={any_org}")
                done[i] += 1
                if i == 0:
                    baseline_lat.append(ms)

        random.Random(7).shuffle(plan)
        shards = [plan[i :: args.threads] for i in range(args.threads)]
        position = [0] * args.threads
        latencies = {"check-in": [], "vote": []}
        counts = {"check-in": 0, "vote": 0, "retries": 0, "bad": 0}
        lock = threading.Lock()

        def member_flow(i: int, stop: float) -> None:
            rng = random.Random()
            shard = shards[i]
            pooled = Client(args.port) if args.connections == "pooled" else None
            while position[i] < len(shard) and time.monotonic() < stop:
                token, meeting_id, motion_id = shard[position[i]]
                position[i] += 1
                if pooled is None:
                    c = Client(args.port, token)
                else:
                    c, c.headers = pooled, {"Authorization": f"Bearer {token}"}
                for kind, method, path, body in (
                    ("check-in", "POST", f"/api/v1/meetings/{meeting_id}/check-in", None),
                    ("vote", "POST", f"/api/v1/motions/{motion_id}/vote", {"choice": rng.randrange(3)}),
                ):
                    key = uuid.uuid4().hex
                    c.headers["Idempotency-Key"] = key
                    status, data, ms = c.request(method, path, body)
                    retry = rng.random() < 0.1
                    if retry:  # the phone did not see the answer and sends the same request again
                        status2, _, _ = c.request(method, path, body)
                    with lock:
                        latencies[kind].append(ms)
                        counts[kind] += 1
                        counts["retries"] += retry
                        counts["bad"] += status != 200 or (retry and status2 != 200)

        def phase(target, seconds: float) -> float:
            t0 = time.monotonic()
            pool = [threading.Thread(target=target, args=(i, t0 + seconds)) for i in range(args.threads)]
            [t.start() for t in pool]
            [t.join() for t in pool]
            return time.monotonic() - t0

        elapsed = 0.0
        while elapsed < args.seconds and any(p < len(sh) for p, sh in zip(position, shards, strict=True)):
            baseline_time += phase(baseline, args.slice / 2)
            elapsed += phase(member_flow, min(args.slice, args.seconds - elapsed))
        baseline_time += phase(baseline, args.slice / 2)
        baseline_rps = sum(done) / baseline_time
    finally:
        server.terminate()
        server.wait(timeout=30)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=30)

    from django.db.models import Count

    from handbook.meetings import votes
    from handbook.meetings.models import Attendance, Motion, Participation, SecretBallot

    for motion in Motion.objects.filter(state=Motion.State.OPEN):
        votes.motion_close(actor=None, motion=motion)
    attendance = Attendance.objects.count()
    duplicate_attendance = (
        Attendance.objects.values("meeting", "member").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    participations = Participation.objects.count()
    ballots = SecretBallot.objects.count()
    requests_total = counts["check-in"] + counts["vote"] + counts["retries"]
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "members": len(plan),
        "cells": args.cells,
        "threads": args.threads,
        "connections": args.connections,
        "server": f"granian {args.workers} workers x {args.blocking_threads} blocking threads, "
        + ("Redis cache" if redis is not None else "no shared cache")
        + (f", auth cache {args.auth_cache} s" if redis is not None and args.auth_cache else ", auth cache off"),
        "baseline_one_query_rps": round(baseline_rps, 1),
        "baseline_p99_ms": round(percentile(baseline_lat, 99), 1),
        "meeting_day_rps": round(requests_total / elapsed, 1),
        "ratio_to_baseline": round(requests_total / elapsed / baseline_rps, 3),
        "check_in_p50_ms": round(percentile(latencies["check-in"], 50), 1),
        "check_in_p99_ms": round(percentile(latencies["check-in"], 99), 1),
        "vote_p50_ms": round(percentile(latencies["vote"], 50), 1),
        "vote_p99_ms": round(percentile(latencies["vote"], 99), 1),
        "check_ins_sent": counts["check-in"],
        "votes_sent": counts["vote"],
        "retries_sent": counts["retries"],
        "bad_answers": counts["bad"],
        "attendance_rows": attendance,
        "duplicate_attendance": duplicate_attendance,
        "participations": participations,
        "ballots_in_boxes": ballots,
        "seconds": round(elapsed, 1),
        "baseline_seconds": round(baseline_time, 1),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"meeting-day-{report['date'].replace(':', '')}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    lost = report["check_ins_sent"] - attendance + report["votes_sent"] - participations + participations - ballots
    ok = counts["bad"] == 0 and duplicate_attendance == 0 and lost == 0
    print("0 lost and 0 duplicated" if ok else "LOST OR DUPLICATED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
