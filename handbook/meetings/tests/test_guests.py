import datetime

import pytest
from django.utils import timezone

from handbook.accounts import services as account_services
from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.meetings import guests, minutes, services, votes
from handbook.meetings.models import MeetingGuest
from handbook.members.models import Member
from handbook.testing import meeting_move


@pytest.fixture
def neighbour(w):
    """A member of the neighbouring cell A1b (same commune) with a login: a possible guest."""
    return account_services.user_create(
        actor=None,
        username="neighbour",
        password="correct-horse-battery",  # noqa: S106
        member=Member.objects.get(full_name="Hoàng Văn Em"),
        phone="0912000099",
        email="neighbour@example.org",
    )


def test_the_candidates_are_the_upper_levels_people_only(w, neighbour):
    names = set(guests.guest_candidates(w.meeting).values_list("username", flat=True))
    # Officials of the commune, province and centre, and members of the commune's other cells...
    assert {"commune", "province", "leader", "admin", "neighbour"} <= names
    # ...but not the cell's own people, nor another province's staff.
    assert not names & {"member", "secretary", "outsider"}
    assert set(guests.guest_candidates(w.meeting, "Hoàng").values_list("username", flat=True)) == {"neighbour"}


def test_someone_outside_the_upper_levels_cannot_be_invited(client_for, w):
    response = client_for("secretary").post(
        f"/api/v1/meetings/{w.meeting.pk}/guests",
        {"user_id": w.users["outsider"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "not_upper_level"
    with pytest.raises(RuleViolation):
        guests.guest_invite(actor=w.users["secretary"], meeting=w.meeting, user=w.users["member"])
    assert not MeetingGuest.objects.exists()


def test_a_guest_sees_the_meeting_gives_opinions_checks_in_but_never_votes_or_counts(client_for, w, neighbour):
    client = client_for("anonymous")
    client.force_login(neighbour)
    assert client.get(f"/meetings/{w.meeting.pk}/").status_code == 404  # not invited yet
    before = services.summary(w.meeting)

    secretary = client_for("secretary")
    secretary.post(
        f"/meetings/{w.meeting.pk}/guests/",
        {"user": neighbour.pk, "role_note": "Đại diện Đảng ủy xã"},
    )
    guest = MeetingGuest.objects.get(meeting=w.meeting, user=neighbour)
    assert guest.role_note == "Đại diện Đảng ủy xã"
    assert AuditEvent.objects.filter(event_type=EventType.MEETING_GUEST_INVITED).exists()

    page = client.get(f"/meetings/{w.meeting.pk}/")
    assert page.status_code == 200 and "Đại diện Đảng ủy xã" in page.content.decode()
    assert client.get(f"/api/v1/meetings/{w.meeting.pk}/guests").json()[0]["name"] == "Hoàng Văn Em"
    # Read-only: nothing a manager does.
    assert client.get(f"/meetings/{w.meeting.pk}/edit/").status_code == 404
    assert client.get(f"/api/v1/meetings/{w.meeting.pk}/attendance").status_code == 404
    assert client.get(f"/meetings/{w.draft_meeting.pk}/").status_code == 404
    # Opinions: yes.
    response = client.post(
        f"/api/v1/meetings/{w.meeting.pk}/comments", {"text": "Ý kiến của xã"}, content_type="application/json"
    )
    assert response.status_code == 201
    # Checks in during the window.
    response = client.post(
        f"/api/v1/meetings/{w.meeting.pk}/guests/{guest.pk}/presence", {}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["present"] is True
    # Never votes.
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Thông qua nghị quyết")
    )
    vote = client.post(f"/api/v1/motions/{motion.pk}/vote", {"choice": 0}, content_type="application/json")
    assert vote.status_code == 400
    assert motion.eligible.filter(member__full_name="Hoàng Văn Em").count() == 0
    # Not in the cell's attendance.
    assert services.summary(w.meeting) == before
    # A member of the cell cannot mark the guest.
    assert client_for("member").post(f"/meetings/guests/{guest.pk}/presence/").status_code == 404


def test_a_guest_checks_in_only_in_the_window_the_secretary_at_any_time(w):
    guest = guests.guest_invite(actor=w.users["secretary"], meeting=w.meeting, user=w.users["leader"])
    meeting_move(w.meeting, timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(RuleViolation) as err:
        guests.guest_check_in(actor=w.users["leader"], guest=guest)
    assert err.value.code == "window"
    guests.guest_mark(actor=w.users["secretary"], guest=guest, present=True)
    guest.refresh_from_db()
    assert guest.present_at is not None and guest.present_marked_by == w.users["secretary"]
    assert AuditEvent.objects.filter(event_type=EventType.MEETING_GUEST_PRESENCE).count() == 1


def test_guests_are_in_the_draft_minutes(client_for, w):
    present = guests.guest_invite(
        actor=w.users["secretary"], meeting=w.meeting, user=w.users["leader"], role_note="Đại diện Tỉnh ủy"
    )
    guests.guest_invite(actor=w.users["secretary"], meeting=w.meeting, user=w.users["commune"])
    guests.guest_mark(actor=w.users["secretary"], guest=present, present=True)
    text = minutes.draft_text(w.meeting)
    assert "leader (Đại diện Tỉnh ủy): " in text and "commune: " in text
    lines = {line.split(":")[0]: line for line in text.splitlines() if line.startswith("- ")}
    assert lines["- leader (Đại diện Tỉnh ủy)"] != lines["- commune"]  # present vs absent


def test_withdrawing_an_invitation_is_audited_and_ends_the_guests_access(client_for, w, neighbour):
    guest = guests.guest_invite(actor=w.users["secretary"], meeting=w.meeting, user=neighbour)
    client = client_for("anonymous")
    client.force_login(neighbour)
    assert client.get(f"/meetings/{w.meeting.pk}/").status_code == 200
    assert client_for("secretary").post(f"/meetings/guests/{guest.pk}/remove/").status_code == 302
    assert client.get(f"/meetings/{w.meeting.pk}/").status_code == 404
    event = AuditEvent.objects.get(event_type=EventType.MEETING_GUEST_REMOVED)
    assert event.before["name"] == "Hoàng Văn Em"


def test_the_secretarys_search_page_lists_only_candidates(client_for, w, neighbour):
    page = client_for("secretary").get(f"/meetings/{w.meeting.pk}/guests/?q=Hoàng").content.decode()
    assert "Hoàng Văn Em" in page and "Chi bộ A1b" in page
    api = client_for("secretary").get(f"/api/v1/meetings/{w.meeting.pk}/guest-candidates?q=outsider").json()
    assert api == []
