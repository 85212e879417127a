"""Meeting day's two hottest requests in lean SQL: a member checks in, a member casts a ballot.

Thousands of members of many cells do both within minutes (docs/PERFORMANCE.md, "Meeting day").
Through the ORM each costs 10–12 statements, each 0.3–0.6 ms of Python to build and compile; here
each is a handful of hand-written statements on a raw cursor (portable: PostgreSQL and SQLite
>= 3.35 for `INSERT ... ON CONFLICT DO NOTHING RETURNING`), with EXACTLY the rules and guarantees of
the services they stand in for, which stay the reference (and serve every other caller):

- who may reach the meeting or motion: `access.meetings` (its cell in one of the user's ORG_VIEW
  subtrees, the user's own cell, or an invitation as a guest) and a draft only for those who manage
  it (`api._visible`); otherwise 404 exactly like a missing one;
- check-in: `services.check_in` (a member on the cell's roll, a published meeting, the window from
  30 minutes before to 4 hours after the start), one attendance row per (meeting, member) decided by
  the unique constraint, the audit event in the same transaction (`audit_insert`: the same row as
  `audit_record`), a repeated tap changes nothing; a row already there in another state (an
  absence notice) goes through the service's own `_record`;
- ballot: `votes.vote_cast` — the motion row locked (closing waits for ballots being cast), open,
  the voter on the frozen list, a valid choice, one participation per (motion, member) decided by
  the unique constraint, and for a secret vote the choice in the pending box with no key, order or
  timestamp shared with the participation;
- both run inside `idempotency.run_once` (its record is one raw INSERT too).
Tests: handbook/meetings/tests/test_hotpath.py (each rule, against the services' answers) and the
statement bounds in test_meeting_day_queries.py.
"""

import datetime
import json
import secrets
from typing import Any

from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from handbook.accounts.models import User
from handbook.audit.models import EventType
from handbook.audit.services import audit_insert
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.organizations.models import Organization

from . import services
from .models import (
    Attendance,
    Eligibility,
    Meeting,
    MeetingGuest,
    Motion,
    OpenBallot,
    Participation,
    PendingSecretBallot,
)
from .votes import receipt_hash

_T = {
    "meeting": Meeting._meta.db_table,
    "org": Organization._meta.db_table,
    "guest": MeetingGuest._meta.db_table,
    "member": Member._meta.db_table,
    "attendance": Attendance._meta.db_table,
    "motion": Motion._meta.db_table,
    "eligibility": Eligibility._meta.db_table,
    "participation": Participation._meta.db_table,
    "pending": PendingSecretBallot._meta.db_table,
    "open": OpenBallot._meta.db_table,
}


def _aware(value: Any) -> datetime.datetime:
    """A datetime column as the ORM would give it (SQLite hands back text; PostgreSQL, UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _when(value: datetime.datetime) -> Any:
    return Attendance._meta.get_field("recorded_at").get_db_prep_value(value, connection)


def _reachable(user, path: str, state: str, invited: bool) -> None:
    """`access.meetings(user)` and `api._visible` on one already-read meeting: 404 if not."""
    scope = access.scope_for(user)
    visible = (
        any(path.startswith(root) for root in scope.paths(access.ORG_VIEW))
        or (bool(scope.member_cell_path) and path == scope.member_cell_path)
        or bool(invited)
    )
    if not visible:
        raise Http404
    if state == Meeting.State.DRAFT and not any(path.startswith(r) for r in scope.paths(access.MEMBER_CHANGE)):
        raise HttpError(404, "Not found")  # drafts are the secretary's until published


def check_in_read(user, meeting_id: int) -> dict:
    """The meeting (with its cell's path and whether the user is invited) and the user's member, in
    one statement; 404 when the user may not reach the meeting."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.organization_id, m.state, m.starts_at, m.title, o.path, "
            f"EXISTS (SELECT 1 FROM {_T['guest']} g WHERE g.meeting_id = m.id AND g.user_id = %s), "
            f"mb.id, mb.organization_id, mb.status "
            f"FROM {_T['meeting']} m JOIN {_T['org']} o ON o.id = m.organization_id "
            f"LEFT JOIN {_T['member']} mb ON mb.id = %s "
            f"WHERE m.id = %s",
            [user.pk, user.member_id, meeting_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404
    org_id, state, starts_at, title, path, invited, member_id, member_org_id, member_status = row
    _reachable(user, path, state, invited)
    return {
        "id": meeting_id,
        "organization_id": org_id,
        "state": state,
        "starts_at": _aware(starts_at),
        "title": title,
        "member": None if member_id is None else (member_id, member_org_id, member_status),
    }


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("hotpath runs inside idempotency.run_once(..., atomic=True)")


def check_in(*, actor: User, meeting: dict) -> dict:
    """`services.check_in` for a meeting read by `check_in_read`; returns the attendance as JSON.
    Runs in the caller's transaction (run_once's), which a refusal rolls back whole."""
    _require_transaction()
    if meeting["member"] is None:
        raise RuleViolation(_("Only a member can check in."), code="not_a_member")
    member_id, member_org_id, member_status = meeting["member"]
    if member_org_id != meeting["organization_id"] or member_status not in Member.ON_ROLLS:
        raise RuleViolation(_("This member is not on the cell's roll."), code="not_on_roll", field="member")
    if meeting["state"] != Meeting.State.PUBLISHED:
        raise RuleViolation(_("This meeting is not open."), code="not_published")
    now = timezone.now()
    starts_at = meeting["starts_at"]
    if not starts_at - services.CHECK_IN_OPENS <= now <= starts_at + services.CHECK_IN_CLOSES:
        raise RuleViolation(
            _("Check-in is open from 30 minutes before the meeting until 4 hours after its start."), code="window"
        )
    state, method = Attendance.State.PRESENT, Attendance.Method.SELF
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_T['attendance']} (meeting_id, member_id, state, method, reason, recorded_by_id, "
            f"recorded_at) VALUES (%s, %s, %s, %s, '', %s, %s) "
            f"ON CONFLICT (meeting_id, member_id) DO NOTHING RETURNING id",
            [meeting["id"], member_id, state, method, actor.pk, _when(now)],
        )
        inserted = cursor.fetchone() is not None
    if not inserted:
        # A row exists (an earlier tap, an absence notice, a concurrent retry): the service's path.
        row = services._record(
            actor=actor,
            meeting=Meeting(
                id=meeting["id"],
                organization_id=meeting["organization_id"],
                title=meeting["title"],
                starts_at=starts_at,
                state=meeting["state"],
            ),
            member=Member(id=member_id, organization_id=member_org_id, status=member_status),
            state=state,
            method=method,
            keep_same=True,
        )
        return _attendance_json(row.meeting_id, row.member_id, row.state, row.method, row.reason, row.recorded_at)
    audit_insert(
        actor=actor,
        event_type=EventType.ATTENDANCE_RECORDED,
        object_type=Meeting._meta.label_lower,
        object_id=meeting["id"],
        object_repr=f"{meeting['title']} ({starts_at:%Y-%m-%d})",  # str(Meeting)
        before={"state": None, "method": None},
        after={"member_id": member_id, "state": state, "method": method},
    )
    return _attendance_json(meeting["id"], member_id, state, method, "", now)


def _attendance_json(meeting_id, member_id, state, method, reason, recorded_at) -> dict:
    return {
        "meeting_id": meeting_id,
        "member_id": member_id,
        "state": str(state),
        "method": str(method),
        "reason": reason,
        "recorded_at": recorded_at.isoformat(),
    }


def vote_cast(*, actor: User, motion_id: int, choice: int) -> dict:
    """`api._motion` + `votes.vote_cast` in one locked read: 404 when the user may not reach the
    motion; otherwise the motion row stays locked until the ballot commits (closing waits).
    Runs in the caller's transaction (run_once's), which a refusal rolls back whole."""
    _require_transaction()
    lock = " FOR UPDATE OF mo" if connection.features.has_select_for_update_of else ""
    member_id = getattr(actor, "member_id", None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT mo.state, mo.options, mo.secret, me.state, o.path, "
            f"EXISTS (SELECT 1 FROM {_T['guest']} g WHERE g.meeting_id = me.id AND g.user_id = %s), "
            f"EXISTS (SELECT 1 FROM {_T['eligibility']} e WHERE e.motion_id = mo.id AND e.member_id = %s) "
            f"FROM {_T['motion']} mo JOIN {_T['meeting']} me ON me.id = mo.meeting_id "
            f"JOIN {_T['org']} o ON o.id = me.organization_id WHERE mo.id = %s{lock}",
            [actor.pk, member_id, motion_id],
        )
        row = cursor.fetchone()
        if row is None:
            raise Http404
        state, options, secret, meeting_state, path, invited, eligible = row
        _reachable(actor, path, meeting_state, invited)
        if state != Motion.State.OPEN:
            raise RuleViolation(_("Voting is not open."), code="not_open")
        if not eligible:
            raise RuleViolation(_("You are not on the list of voters for this question."), code="not_eligible")
        if isinstance(options, str):
            options = json.loads(options)
        if not (isinstance(choice, int) and 0 <= choice < len(options)):
            raise RuleViolation(_("Choose one of the options."), field="choice")
        cursor.execute(
            f"INSERT INTO {_T['participation']} (motion_id, member_id) VALUES (%s, %s) "
            f"ON CONFLICT (motion_id, member_id) DO NOTHING RETURNING id",
            [motion_id, member_id],
        )
        if cursor.fetchone() is None:
            raise RuleViolation(_("You have already voted on this question."), code="already_voted")
        if secret:
            code = secrets.token_hex(8)
            cursor.execute(
                f"INSERT INTO {_T['pending']} (motion_id, choice, receipt_hash) VALUES (%s, %s, %s)",
                [motion_id, choice, receipt_hash(motion_id, code, choice)],
            )
            return {"motion_id": motion_id, "receipt": code}
        cursor.execute(
            f"INSERT INTO {_T['open']} (motion_id, member_id, choice) VALUES (%s, %s, %s)",
            [motion_id, member_id, choice],
        )
        return {"motion_id": motion_id, "receipt": None}
