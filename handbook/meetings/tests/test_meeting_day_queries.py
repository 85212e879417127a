"""Meeting day's two hot requests stay cheap: a bound on the statements of a check-in and of a
secret ballot through the API with an Idempotency-Key (docs/PERFORMANCE.md, "Meeting day").

Before the work on meeting-day throughput a check-in cost 18 statements and a ballot 16 (counted
here, inside the test's transaction, so savepoints included); the auth cache and fewer ORM
statements brought them to 12 and 10, the lean SQL hot path (handbook/meetings/hotpath.py) to 6
and 6: one read (the locked read for a ballot), the inserts, the idempotency record, and the
savepoint pair that stands for BEGIN/COMMIT outside tests. The bounds keep the gain."""

from django.test import Client

from handbook.accounts import services as accounts
from handbook.meetings import votes
from handbook.meetings.models import Attendance, Participation, PendingSecretBallot
from handbook.meetings.tests.test_votes import present

#: Token known to the cache: 0 statements to authenticate.
CHECK_IN_MAX = 6
BALLOT_MAX = 6
#: First request of a token (cache miss): + token, user, member's cell and role grants in one
#: statement (1), the throttled last-use write (1).
FIRST_REQUEST_EXTRA = 2


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


def test_a_check_in_and_a_ballot_stay_within_their_statement_bounds(w, django_assert_max_num_queries):
    motion = _secret_motion(w)
    client = _client(w, "member", warm=True)
    with django_assert_max_num_queries(CHECK_IN_MAX):
        response = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="c1")
    assert response.status_code == 200 and response.json()["state"] == "present"
    with django_assert_max_num_queries(BALLOT_MAX):
        response = client.post(
            f"/api/v1/motions/{motion.pk}/vote",
            {"choice": 0},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="v1",
        )
    assert response.status_code == 200 and response.json()["receipt"]
    assert Attendance.objects.filter(meeting=w.meeting, member=w.own_member).count() == 1
    assert Participation.objects.filter(motion=motion).count() == PendingSecretBallot.objects.count() == 1


def test_a_first_request_of_a_token_stays_within_its_bound(w, django_assert_max_num_queries):
    client = _client(w, "member", warm=False)
    with django_assert_max_num_queries(CHECK_IN_MAX + FIRST_REQUEST_EXTRA):
        response = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="c1")
    assert response.status_code == 200
