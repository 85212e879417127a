"""Meeting day's two hottest requests in lean SQL: a member checks in, a member casts a ballot.

Thousands of members of many cells do both within minutes (docs/PERFORMANCE.md, "Meeting day").
Through the ORM each costs 10–12 statements, each 0.3–0.6 ms of Python to build and compile; here
each is a handful of hand-written statements on a raw cursor (portable: PostgreSQL and SQLite
>= 3.35 for `INSERT ... ON CONFLICT DO NOTHING RETURNING`), with EXACTLY the rules and guarantees of
the services they stand in for, which stay the reference (and serve every other caller):

- who may reach the meeting or motion: `access.meetings` (its cell in one of the user's ORG_VIEW
  subtrees, the user's own cell, or an invitation as a guest) and a draft only for those who manage
  it (`api._visible`); otherwise 404 exactly like a missing one;
- check-in: `services.check_in` (a member on the cell's roll, a published meeting, the meeting's
  check-in window from the rulebook), one attendance row per (meeting, member) decided by
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

from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from handbook.accounts.models import User
from handbook.audit.models import EventType
from handbook.audit.services import audit_insert, audit_row
from handbook.core import access
from handbook.core.db import hot_cursor
from handbook.core.errors import RuleViolation
from handbook.core.idempotency import record_row, replay, request_digest, request_key
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
    with hot_cursor() as cursor:
        cursor.execute(
            f"SELECT m.organization_id, m.state, m.starts_at, m.title, m.check_in_opens_at, m.check_in_closes_at, "
            f"o.path, "
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
    org_id, state, starts_at, title, opens, closes, path, invited, member_id, member_org_id, member_status = row
    _reachable(user, path, state, invited)
    return {
        "id": meeting_id,
        "organization_id": org_id,
        "state": state,
        "starts_at": _aware(starts_at),
        "check_in_opens_at": _aware(opens),
        "check_in_closes_at": _aware(closes),
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
    now = timezone.now()
    member_id, member_org_id, member_status = _check_in_rules(meeting, now)
    starts_at = meeting["starts_at"]
    state, method = Attendance.State.PRESENT, Attendance.Method.SELF
    with hot_cursor() as cursor:
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
    audit_insert(**_check_in_event(actor, meeting, member_id, state, method))
    return _attendance_json(meeting["id"], member_id, state, method, "", now)


def _check_in_event(actor: User, meeting: dict, member_id: int, state: str, method: str) -> dict:
    """The audit event of a first check-in: `audit_record`'s for `services.check_in`."""
    return {
        "actor": actor,
        "event_type": EventType.ATTENDANCE_RECORDED,
        "object_type": Meeting._meta.label_lower,
        "object_id": meeting["id"],
        "object_repr": f"{meeting['title']} ({meeting['starts_at']:%Y-%m-%d})",  # str(Meeting)
        "before": {"state": None, "method": None},
        "after": {"member_id": member_id, "state": state, "method": method},
    }


def _check_in_rules(meeting: dict, now: datetime.datetime) -> tuple[int, int, str]:
    """`services.check_in`'s rules on a meeting read by `check_in_read`: RuleViolation when one
    fails; the member's (id, cell id, status) otherwise."""
    if meeting["member"] is None:
        raise RuleViolation(_("Only a member can check in."), code="not_a_member")
    member_id, member_org_id, member_status = meeting["member"]
    if member_org_id != meeting["organization_id"] or member_status not in Member.ON_ROLLS:
        raise RuleViolation(_("This member is not on the cell's roll."), code="not_on_roll", field="member")
    if meeting["state"] != Meeting.State.PUBLISHED:
        raise RuleViolation(_("This meeting is not open."), code="not_published")
    if not meeting["check_in_opens_at"] <= now <= meeting["check_in_closes_at"]:
        raise services.outside_window(meeting["check_in_opens_at"], meeting["check_in_closes_at"])
    return meeting["member"]


def _attendance_json(meeting_id, member_id, state, method, reason, recorded_at) -> dict:
    return {
        "meeting_id": meeting_id,
        "member_id": member_id,
        "state": str(state),
        "method": str(method),
        "reason": reason,
        "recorded_at": recorded_at.isoformat(),
    }


_MOTION_READ = (
    f"SELECT mo.state, mo.options, mo.secret, me.state, o.path, "
    f"EXISTS (SELECT 1 FROM {_T['guest']} g WHERE g.meeting_id = me.id AND g.user_id = %s), "
    f"EXISTS (SELECT 1 FROM {_T['eligibility']} e WHERE e.motion_id = mo.id AND e.member_id = %s) "
    f"FROM {_T['motion']} mo JOIN {_T['meeting']} me ON me.id = mo.meeting_id "
    f"JOIN {_T['org']} o ON o.id = me.organization_id WHERE mo.id = %s"
)


def _vote_rules(state: str, options: Any, eligible: bool, choice: Any) -> None:
    """`votes.vote_cast`'s rules on a motion read by `_MOTION_READ`: RuleViolation when one fails."""
    if state != Motion.State.OPEN:
        raise RuleViolation(_("Voting is not open."), code="not_open")
    if not eligible:
        raise RuleViolation(_("You are not on the list of voters for this question."), code="not_eligible")
    if isinstance(options, str):
        options = json.loads(options)
    if not (isinstance(choice, int) and 0 <= choice < len(options)):
        raise RuleViolation(_("Choose one of the options."), field="choice")


def vote_cast(*, actor: User, motion_id: int, choice: int) -> dict:
    """`api._motion` + `votes.vote_cast` in one locked read: 404 when the user may not reach the
    motion; otherwise the motion row stays locked until the ballot commits (closing waits).
    Runs in the caller's transaction (run_once's), which a refusal rolls back whole."""
    _require_transaction()
    lock = " FOR UPDATE OF mo" if connection.features.has_select_for_update_of else ""
    member_id = getattr(actor, "member_id", None)
    with hot_cursor() as cursor:
        cursor.execute(_MOTION_READ + lock, [actor.pk, member_id, motion_id])
        row = cursor.fetchone()
        if row is None:
            raise Http404
        state, options, secret, meeting_state, path, invited, eligible = row
        _reachable(actor, path, meeting_state, invited)
        _vote_rules(state, options, eligible, choice)
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


# One-statement writes (PostgreSQL) ------------------------------------------------------------------
#
# The usual case of each request — every rule holds, nothing written yet — as ONE statement in
# autocommit: its own transaction, without BEGIN/COMMIT round trips, with its changes chained by
# data-modifying CTEs so that they happen together or not at all (a check-in's attendance row, its
# audit event and the idempotency record; a ballot's participation, its choice and the record).
# The rules are checked first, in Python, by the same functions as the reference path above, on a
# read made just before (as that path reads before it writes). The same statement reads the record
# already stored under the request's Idempotency-Key, so a retry (a phone that missed the answer)
# is answered from it at once: the reference path would find it only after a failed insert and a
# rollback, and a rollback makes psycopg drop every statement it has prepared on the connection.
# Any other case — a rule fails, a row is already there without a record (a repeated tap, an
# absence notice, a concurrent twin), a key reused for another request — writes nothing and
# returns None: the caller then runs the reference path, which answers it exactly as before.
# SQLite has no data-modifying CTEs: there, the reference path always runs.


def _one_statement() -> bool:
    return connection.vendor == "postgresql"


def _statement(request, key: str, digest: str, answer: dict, ctes: str, params: list, first: str) -> tuple:
    """The whole statement: `ctes`, whose CTE `first` writes the request's own row; with a key, the
    idempotency record (kept for replays: `answer`) written when `first` wrote; and a final row of
    how many rows `first` wrote and the digest, status and answer stored earlier under the key."""
    if not key:
        return f"WITH {ctes} SELECT count(*), NULL, NULL, NULL FROM {first}", params
    table, columns, record_params = record_row(request, key, digest, 200, answer)
    sql = (
        f"WITH {ctes}, rec AS (INSERT INTO {table} ({columns}) SELECT {_marks(record_params)} FROM {first}) "
        f"SELECT (SELECT count(*) FROM {first}), r.request_hash, r.status, r.response "
        f'FROM (SELECT 1) one LEFT JOIN {table} r ON r.user_id = %s AND r."key" = %s'
    )
    return sql, [*params, *record_params, request.user.pk, key]


def _write(sql: str, params: list, digest: str, answer: dict) -> tuple[int, dict] | None:
    """Run one writing statement alone: `answer` when it wrote, the stored answer when the request
    is a replay, None otherwise. In autocommit it is its own transaction; inside an atomic block (a
    caller's transaction, tests) a savepoint stands for it. A violated constraint (a key first used
    by a concurrent request) writes nothing."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                row = _fetch(sql, params)
        else:
            row = _fetch(sql, params)
    except IntegrityError:
        return None
    written, stored_digest, status, response = row
    if written:
        return 200, answer
    if stored_digest is not None:
        return replay(digest, stored_digest, status, response)
    return None


def _fetch(sql: str, params: list) -> tuple:
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _marks(params: list) -> str:
    return ", ".join(["%s"] * len(params))


def check_in_at_once(request, meeting: dict) -> tuple[int, dict] | None:
    """A first check-in, or its replay, in one statement (see above), for a meeting read by
    `check_in_read`; the status and answer, or None when the reference path must decide."""
    if not _one_statement():
        return None
    now = timezone.now()
    try:
        key = request_key(request)
        member_id, _cell, _status = _check_in_rules(meeting, now)
    except RuleViolation:
        return None
    actor = request.user
    state, method = Attendance.State.PRESENT, Attendance.Method.SELF
    answer = _attendance_json(meeting["id"], member_id, state, method, "", now)
    audit_table, audit_columns, audit_params = audit_row(**_check_in_event(actor, meeting, member_id, state, method))
    digest = request_digest(request, {})
    sql, params = _statement(
        request,
        key,
        digest,
        answer,
        f"a AS (INSERT INTO {_T['attendance']} (meeting_id, member_id, state, method, reason, "
        f"recorded_by_id, recorded_at) VALUES (%s, %s, %s, %s, '', %s, %s) "
        f"ON CONFLICT (meeting_id, member_id) DO NOTHING RETURNING id), "
        f"ev AS (INSERT INTO {audit_table} ({audit_columns}) SELECT {_marks(audit_params)} FROM a)",
        [meeting["id"], member_id, state, method, actor.pk, _when(now), *audit_params],
        "a",
    )
    return _write(sql, params, digest, answer)


def vote_at_once(request, motion_id: int, choice: int, body: dict) -> tuple[int, dict] | None:
    """A ballot, or its replay, in one statement (see above): the motion row locked and still open
    while the participation and the choice (for a secret vote, in the pending box with nothing
    shared with the participation) are written; the status and answer, or None when the reference
    path must decide. 404 when the user may not reach the motion, as the reference path."""
    if not _one_statement():
        return None
    try:
        key = request_key(request)  # a bad key is refused before anything else, as run_once does
    except RuleViolation:
        return None
    actor = request.user
    member_id = getattr(actor, "member_id", None)
    with hot_cursor() as cursor:
        cursor.execute(_MOTION_READ, [actor.pk, member_id, motion_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    state, options, secret, meeting_state, path, invited, eligible = row
    _reachable(actor, path, meeting_state, invited)
    try:
        _vote_rules(state, options, eligible, choice)
    except RuleViolation:
        return None
    if secret:
        code = secrets.token_hex(8)
        box = f"INSERT INTO {_T['pending']} (motion_id, choice, receipt_hash) SELECT motion_id, %s, %s FROM p"
        box_params = [choice, receipt_hash(motion_id, code, choice)]
    else:
        code = None
        box = f"INSERT INTO {_T['open']} (motion_id, member_id, choice) SELECT motion_id, member_id, %s FROM p"
        box_params = [choice]
    answer = {"motion_id": motion_id, "receipt": code}
    digest = request_digest(request, body)
    sql, params = _statement(
        request,
        key,
        digest,
        {**answer, "receipt": None},  # the receipt is shown once, never stored next to the voter
        f"mo AS (SELECT id FROM {_T['motion']} WHERE id = %s AND state = %s FOR UPDATE), "
        f"p AS (INSERT INTO {_T['participation']} (motion_id, member_id) SELECT id, %s FROM mo "
        f"ON CONFLICT (motion_id, member_id) DO NOTHING RETURNING motion_id, member_id), "
        f"b AS ({box})",
        [motion_id, Motion.State.OPEN, member_id, *box_params],
        "p",
    )
    return _write(sql, params, digest, answer)
