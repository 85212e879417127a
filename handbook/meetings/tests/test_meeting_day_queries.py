"""Meeting day's two hot requests stay cheap: a bound on the statements of a check-in and of a
secret ballot through the API with an Idempotency-Key (docs/PERFORMANCE.md, "Meeting day").

Before the work on meeting-day throughput a check-in cost 18 statements and a ballot 16 (counted
here, inside the test's transaction, so savepoints included); fewer ORM statements brought them
to 12 and 10, the lean SQL hot path (handbook/meetings/hotpath.py) to 6 and 6 plus authentication:
one read (the locked read for a ballot), the inserts, the idempotency record, and the savepoint
pair that stands for BEGIN/COMMIT outside tests. On PostgreSQL the writes are one statement. The
bounds keep the gain."""

import contextlib

import pytest
from django.db import connection
from django.test import Client

from handbook.accounts import services as accounts
from handbook.audit.models import AuditEvent, EventType
from handbook.core.models import IdempotencyRecord
from handbook.meetings import votes
from handbook.meetings.models import Attendance, Participation, PendingSecretBallot
from handbook.meetings.tests.test_votes import present

#: Authentication: token, user, member's cell and role grants in one statement (none when the auth
#: cache, off by default, holds the token).
AUTH = 1
#: The reference path (SQLite; PostgreSQL when the one statement cannot decide), after AUTH.
CHECK_IN_MAX = 6
BALLOT_MAX = 6
#: A token's first request also records its use: one UPDATE more on SQLite; on PostgreSQL the token
#: read makes it.
FIRST_REQUEST_EXTRA = 1


def _client(w, persona: str, *, warm: bool) -> Client:
    _token, key = accounts.api_token_create(actor=None, user=w.users[persona])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    if warm:
        assert client.get("/api/v1/me").status_code == 200
    return client


def _secret_motion(w):
    present(w, "secretary")
    return votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Bầu", secret=True)
    )


def _check_in_and_vote(w, motion, choice: int, check_in_bound: int, ballot_bound: int, assert_max) -> None:
    """The member checks in and votes through the API (warm token), each request within its bound."""
    client = _client(w, "member", warm=True)
    with assert_max(check_in_bound):
        response = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="c1")
    assert response.status_code == 200 and response.json()["state"] == "present"
    with assert_max(ballot_bound):
        response = client.post(
            f"/api/v1/motions/{motion.pk}/vote",
            {"choice": choice},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="v1",
        )
    assert response.status_code == 200 and response.json()["receipt"]


def test_a_check_in_and_a_ballot_stay_within_their_statement_bounds(w, django_assert_max_num_queries):
    motion = _secret_motion(w)
    _check_in_and_vote(w, motion, 0, AUTH + CHECK_IN_MAX, AUTH + BALLOT_MAX, django_assert_max_num_queries)
    assert Attendance.objects.filter(meeting=w.meeting, member=w.own_member).count() == 1
    assert Participation.objects.filter(motion=motion).count() == PendingSecretBallot.objects.count() == 1


def test_a_first_request_of_a_token_stays_within_its_bound(w, django_assert_max_num_queries):
    client = _client(w, "member", warm=False)
    with django_assert_max_num_queries(AUTH + CHECK_IN_MAX + FIRST_REQUEST_EXTRA):
        response = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="c1")
    assert response.status_code == 200


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="one-statement writes need PostgreSQL")

#: PostgreSQL, the usual case (handbook.meetings.hotpath, "One-statement writes"), after AUTH: the
#: read, then one statement writing the row, its audit event (check-in) and the idempotency record;
#: inside the test's transaction a savepoint pair stands for the statement's own transaction.
ONE_STATEMENT_MAX = 4


@contextlib.contextmanager
def _statements():
    """The SQL text of every statement sent (savepoint commands included)."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(str(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


@on_postgresql
def test_on_postgresql_a_check_in_and_a_ballot_are_one_writing_statement_each(w, django_assert_max_num_queries):
    motion = _secret_motion(w)
    bound = AUTH + ONE_STATEMENT_MAX
    _check_in_and_vote(w, motion, 2, bound, bound, django_assert_max_num_queries)
    events = AuditEvent.objects.filter(event_type=EventType.ATTENDANCE_RECORDED, actor=w.users["member"])
    assert [e.after["member_id"] for e in events] == [w.own_member.pk]
    assert PendingSecretBallot.objects.get().choice == 2
    assert IdempotencyRecord.objects.filter(user=w.users["member"]).count() == 2


@on_postgresql
def test_on_postgresql_a_retry_is_answered_from_its_record_in_the_same_statement(w, django_assert_max_num_queries):
    """A phone that missed the answer sends the request again: the one statement finds the stored
    answer, with no failed insert and no rollback (which would make psycopg drop every statement
    prepared on the connection, to be parsed and planned again)."""
    motion = _secret_motion(w)
    client = _client(w, "member", warm=True)
    check_in = f"/api/v1/meetings/{w.meeting.pk}/check-in"
    vote = {"path": f"/api/v1/motions/{motion.pk}/vote", "data": {"choice": 1}, "content_type": "application/json"}
    first = client.post(check_in, HTTP_IDEMPOTENCY_KEY="c1")
    ballot = client.post(**vote, HTTP_IDEMPOTENCY_KEY="v1")
    with django_assert_max_num_queries(AUTH + ONE_STATEMENT_MAX), _statements() as sent:
        again = client.post(check_in, HTTP_IDEMPOTENCY_KEY="c1")
    assert not [sql for sql in sent if "ROLLBACK" in sql.upper()] and len(sent) == AUTH + ONE_STATEMENT_MAX
    assert again.status_code == 200 and again.json() == first.json()
    with django_assert_max_num_queries(AUTH + ONE_STATEMENT_MAX), _statements() as sent:
        ballot_again = client.post(**vote, HTTP_IDEMPOTENCY_KEY="v1")
    assert not [sql for sql in sent if "ROLLBACK" in sql.upper()] and len(sent) == AUTH + ONE_STATEMENT_MAX
    assert ballot_again.status_code == 200 and ballot_again.json() == {**ballot.json(), "receipt": None}
    assert Attendance.objects.filter(meeting=w.meeting, member=w.own_member).count() == 1
    assert Participation.objects.count() == PendingSecretBallot.objects.count() == 1
    # The same key for another request is still refused.
    other = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="v1")
    assert other.status_code == 400 and other.json()["code"] == "idempotency_conflict"


@on_postgresql
def test_on_postgresql_a_tokens_first_request_adds_one_statement(w, django_assert_max_num_queries):
    """The token's read (token, user, cell, grants) also records its use: no statement more."""
    client = _client(w, "member", warm=False)
    with django_assert_max_num_queries(AUTH + ONE_STATEMENT_MAX):
        response = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="c1")
    assert response.status_code == 200


def test_with_the_auth_cache_on_a_known_token_costs_no_statement(w, settings, django_assert_max_num_queries):
    settings.HANDBOOK_AUTH_CACHE_SECONDS = 60
    motion = _secret_motion(w)
    client = _client(w, "member", warm=True)
    with django_assert_max_num_queries(CHECK_IN_MAX):
        assert client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="c1").status_code == 200
    with django_assert_max_num_queries(BALLOT_MAX):
        response = client.post(
            f"/api/v1/motions/{motion.pk}/vote",
            {"choice": 0},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="v",
        )
    assert response.status_code == 200
