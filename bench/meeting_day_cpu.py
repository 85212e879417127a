"""Server CPU of meeting-day requests against the one-query baseline, in-process.

    REDIS_URL=redis://127.0.0.1:6392/0 python bench/meeting_day_cpu.py \\
        --database-url postgres://postgres@127.0.0.1:5432/handbook_meeting_day

Runs on a database built by bench/meeting_day.py (it resets that database's attendance, ballots,
idempotency records and reopens its votes: never point it at real data). Makes fresh tokens for N
members, then alternates 100 one-query baseline requests with 20 members checking in and voting
(10% of ballots re-sent with the same Idempotency-Key) through the Django test client, and prints
the CPU time (`time.process_time`) per request of each. CPU time is far less disturbed by other
work on a shared machine than throughput; what it leaves out is PostgreSQL's and Redis's CPU.
"""

import argparse
import os
import secrets
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/handbook_meeting_day")
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from handbook.accounts import services as accounts
    from handbook.accounts.models import User
    from handbook.core.models import IdempotencyRecord
    from handbook.meetings.models import Attendance, Meeting, Motion, Participation, PendingSecretBallot, SecretBallot
    from handbook.meetings.services import check_in_window
    from handbook.organizations.models import Organization

    for model in (Attendance, Participation, PendingSecretBallot, SecretBallot, IdempotencyRecord):
        model.objects.all().delete()
    Motion.objects.update(state=Motion.State.OPEN, result=None)
    now = timezone.now()
    opens, closes = check_in_window(Meeting.objects.select_related("organization").first().organization, now)
    Meeting.objects.update(starts_at=now, check_in_opens_at=opens, check_in_closes_at=closes)
    plan = []
    for user in User.objects.filter(member__isnull=False).select_related("member")[: args.members + 1]:
        _token, key = accounts.api_token_create(actor=None, user=user)
        meeting = Meeting.objects.get(organization_id=user.member.organization_id)
        plan.append((key, meeting.pk, Motion.objects.get(meeting=meeting).pk))
    org = Organization.objects.order_by("pk").first().pk
    baseline = Client(HTTP_HOST="127.0.0.1")

    def member_flow(key: str, meeting: int, motion: int, replay: bool) -> int:
        c = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert c.post(f"/api/v1/meetings/{meeting}/check-in", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex).status_code == 200
        vote = {"path": f"/api/v1/motions/{motion}/vote", "data": {"choice": 1}, "content_type": "application/json"}
        idem = uuid.uuid4().hex
        assert c.post(**vote, HTTP_IDEMPOTENCY_KEY=idem).status_code == 200
        if replay:
            assert c.post(**vote, HTTP_IDEMPOTENCY_KEY=idem).status_code == 200
        return 3 if replay else 2

    member_flow(*plan.pop(), replay=True)  # warm-up: imports, URL resolvers
    for _ in range(50):
        baseline.get(f"/bench/one-query?id={org}")
    base_cpu = flow_cpu = 0.0
    base_n = flow_n = 0
    for i in range(0, len(plan), 20):
        started = time.process_time()
        for _ in range(100):
            baseline.get(f"/bench/one-query?id={org}")
        base_cpu += time.process_time() - started
        base_n += 100
        started = time.process_time()
        for j, (key, meeting, motion) in enumerate(plan[i : i + 20]):
            flow_n += member_flow(key, meeting, motion, replay=j % 10 == 0)
        flow_cpu += time.process_time() - started
    base, flow = base_cpu / base_n * 1000, flow_cpu / flow_n * 1000
    print(f"server CPU per request: one-query baseline {base:.2f} ms, check-ins and ballots {flow:.2f} ms")
    print(f"CPU ratio (baseline / meeting day): {base / flow:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
