import datetime

import pytest
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.members.models import Member, MemberCount
from handbook.rules import rulebook
from handbook.transfers import queries, services
from handbook.transfers.models import Transfer

TODAY = None


def _today():
    return timezone.localdate()


def _issue(w, member=None, to=None, kind=Transfer.Kind.OFFICIAL, issued_on=None, **extra):
    return services.transfer_issue(
        actor=w.users["commune"],
        member=member or w.own_member,
        to_organization=to or w.a2a,
        kind=kind,
        letter_number="12-GGT/ĐU",
        issued_on=issued_on or _today(),
        **extra,
    )


def _count(org, status):
    row = MemberCount.objects.filter(organization=org, status=status).first()
    return row.count if row else 0


def test_issuing_computes_the_deadline_from_the_rules_and_records_the_version(w):
    t = _issue(w, issued_on=datetime.date(2026, 4, 24))
    rs = rulebook.for_organization(w.a1a, on=datetime.date(2026, 4, 24))
    assert t.rule_set == rs
    assert t.present_by == rulebook.working_days_after(datetime.date(2026, 4, 24), 30, rs)
    assert rulebook.working_days_between(t.issued_on, t.present_by, rs) == 30
    assert t.state == Transfer.State.ISSUED
    assert t.from_organization == w.a1a
    assert AuditEvent.objects.filter(event_type=EventType.TRANSFER_ISSUED, object_id=str(t.pk)).exists()


def test_it_refuses_a_second_open_transfer_for_the_same_member(w):
    _issue(w)
    with pytest.raises(RuleViolation) as exc:
        _issue(w, to=w.b1a)
    assert exc.value.code == "already_open"


def test_it_refuses_a_transfer_to_the_members_own_cell_or_to_a_committee(w):
    with pytest.raises(RuleViolation):
        _issue(w, to=w.a1a)
    with pytest.raises(RuleViolation):
        _issue(w, to=w.a2)


def test_temporary_periods_follow_the_rules(w):
    start = _today()
    with pytest.raises(RuleViolation):  # under 3 months
        _issue(w, kind=Transfer.Kind.TEMPORARY, start=start, end=start + datetime.timedelta(days=60))
    with pytest.raises(RuleViolation):  # a full year is not "under 1 year"
        _issue(w, kind=Transfer.Kind.TEMPORARY, start=datetime.date(2026, 1, 1), end=datetime.date(2027, 1, 1))
    with pytest.raises(RuleViolation):  # missing dates
        _issue(w, kind=Transfer.Kind.TEMPORARY)
    t = _issue(w, kind=Transfer.Kind.STUDY, start=datetime.date(2026, 1, 1), end=datetime.date(2028, 1, 1))
    assert t.end == datetime.date(2028, 1, 1)


def test_an_official_transfer_moves_the_record_and_its_counters_when_accepted(w):
    member = w.own_member
    before_a1a, before_a2a = _count(w.a1a, "official"), _count(w.a2a, "official")
    t = _issue(w, dues_paid_until=datetime.date(2026, 3, 31))
    receiver = w.users["province"]  # MEMBER_CHANGE over A2a
    services.transfer_present(actor=receiver, transfer=t, presented_on=_today())
    services.transfer_accept(actor=receiver, transfer=t)
    member.refresh_from_db()
    t.refresh_from_db()
    assert member.organization == w.a2a
    assert member.status == Member.Status.OFFICIAL
    assert t.state == Transfer.State.ACCEPTED and t.decided_on == _today()
    assert _count(w.a1a, "official") == before_a1a - 1
    assert _count(w.a2a, "official") == before_a2a + 1
    assert t.dues_paid_until == datetime.date(2026, 3, 31)


def test_a_letter_presented_after_the_deadline_is_refused(w):
    t = _issue(w, issued_on=_today() - datetime.timedelta(days=90))
    with pytest.raises(RuleViolation) as exc:
        services.transfer_present(actor=w.users["province"], transfer=t, presented_on=_today())
    assert exc.value.code == "late"
    assert t in queries.for_subtree(w.users["commune"], w.a1, "overdue", _today())
    services.transfer_expire(actor=w.users["commune"], transfer=t)
    t.refresh_from_db()
    assert t.state == Transfer.State.EXPIRED
    assert t not in queries.for_subtree(w.users["commune"], w.a1, "overdue", _today())


def test_a_letter_cannot_expire_before_its_deadline(w):
    t = _issue(w)
    with pytest.raises(RuleViolation):
        services.transfer_expire(actor=w.users["commune"], transfer=t)


def test_a_temporary_transfer_keeps_the_member_on_the_home_roll_and_ends_with_a_return(w):
    member = w.own_member
    start = _today()
    t = _issue(w, kind=Transfer.Kind.TEMPORARY, start=start, end=start + datetime.timedelta(days=150))
    receiver = w.users["province"]
    services.transfer_present(actor=receiver, transfer=t, presented_on=_today())
    services.transfer_accept(actor=receiver, transfer=t)
    member.refresh_from_db()
    assert member.organization == w.a1a  # still counted at home, not at the host
    assert member.status == Member.Status.TEMPORARILY_AWAY
    assert _count(w.a2a, "away") == 0
    attending = queries.for_subtree(receiver, w.a2a, "attending", _today())
    assert [x.member_id for x in attending] == [member.pk]
    with pytest.raises(RuleViolation):  # the open temporary transfer blocks another letter
        _issue(w, to=w.b1a)
    services.transfer_end(actor=w.users["commune"], transfer=t)
    member.refresh_from_db()
    t.refresh_from_db()
    assert member.status == Member.Status.OFFICIAL
    assert t.state == Transfer.State.ENDED
    assert not queries.for_subtree(receiver, w.a2a, "attending", _today()).exists()


def test_a_temporary_transfer_past_its_end_is_overdue(w):
    start = _today() - datetime.timedelta(days=200)
    t = _issue(w, kind=Transfer.Kind.TEMPORARY, issued_on=start, start=start, end=start + datetime.timedelta(days=150))
    services.transfer_present(actor=w.users["province"], transfer=t, presented_on=start)
    services.transfer_accept(actor=w.users["province"], transfer=t, accepted_on=start)
    t.refresh_from_db()
    assert t.is_overdue(_today())
    assert t in queries.for_subtree(w.users["province"], w.a, "overdue", _today())


def test_the_receiving_side_returns_a_transfer_with_its_reason(w):
    t = _issue(w)
    with pytest.raises(RuleViolation):
        services.transfer_return(actor=w.users["province"], transfer=t, reason="  ")
    services.transfer_return(actor=w.users["province"], transfer=t, reason="Sai chi bộ nhận")
    t.refresh_from_db()
    w.own_member.refresh_from_db()
    assert t.state == Transfer.State.RETURNED and t.reason == "Sai chi bộ nhận"
    assert w.own_member.organization == w.a1a


def test_the_sender_cancels_only_a_letter_not_yet_presented(w):
    t = _issue(w)
    services.transfer_present(actor=w.users["province"], transfer=t, presented_on=_today())
    with pytest.raises(RuleViolation):
        services.transfer_cancel(actor=w.users["commune"], transfer=t)
    t2 = _issue(w, member=w.other_member)
    services.transfer_cancel(actor=w.users["commune"], transfer=t2, reason="Nhầm")
    t2.refresh_from_db()
    assert t2.state == Transfer.State.CANCELLED


def test_a_cell_secretary_is_not_the_sending_committee(w):
    assert not services.may_issue(w.users["secretary"], w.own_member)
    assert services.may_issue(w.users["commune"], w.own_member)
    assert not services.may_issue(w.users["outsider"], w.own_member)


def test_another_province_sees_only_the_letters_addressed_to_its_cells(w):
    across = _issue(w, to=w.b1a)
    inside = _issue(w, member=w.other_member, to=w.a2a)
    outsider = w.users["outsider"]
    assert list(access.transfers(outsider)) == [across]
    assert services.may_receive(outsider, across)
    assert not services.may_send(outsider, across)
    # The record summary only once the letter is presented.
    assert not queries.sees_summary(outsider, across)
    services.transfer_present(actor=outsider, transfer=across, presented_on=_today())
    across.refresh_from_db()
    assert queries.sees_summary(outsider, across)
    assert not access.members(outsider).filter(pk=w.own_member.pk).exists()
    services.transfer_accept(actor=outsider, transfer=across)
    assert access.members(outsider).filter(pk=w.own_member.pk).exists()
    assert inside not in access.transfers(outsider)


def test_a_member_sees_their_own_transfers_and_cannot_act(w):
    t = _issue(w)
    member = w.users["member"]
    assert list(access.transfers(member)) == [t]
    assert services.allowed_actions(member, t, _today()) == []
    other = _issue(w, member=w.other_member)
    assert other not in access.transfers(member)


def test_each_side_and_the_member_are_told_about_a_letter(w, django_capture_on_commit_callbacks):
    from handbook.accounts.models import Role
    from handbook.accounts.services import role_grant, user_create
    from handbook.notifications.models import Notification

    # The receiving commune A2 has its own staff: they are told, not the province above them.
    a2_staff = user_create(actor=None, username="a2staff", password="x-Pass-12345", email="a2@example.org")
    role_grant(actor=None, user=a2_staff, organization=w.a2, role=Role.COMMITTEE_STAFF)

    def told(kind):
        return set(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        t = _issue(w)
    assert told("transfer.incoming") == {a2_staff.pk}
    assert told("transfer.mine") == {w.users["member"].pk}  # the member whose letter it is
    mine = Notification.objects.get(kind="transfer.mine")
    assert mine.url == f"/transfers/{t.pk}/" and mine.params["step"] == "issued"
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_present(actor=a2_staff, transfer=t, presented_on=_today())
        services.transfer_accept(actor=a2_staff, transfer=t)
    # The sending side: A1a's secretary and the commune A1's staff; the one who issued it too,
    # since another user took this step.
    assert told("transfer.decided") == {w.users["secretary"].pk, w.users["commune"].pk}
    assert Notification.objects.filter(kind="transfer.mine").count() == 2


def test_a_returned_letter_is_reported_to_the_sender_with_its_reason(w, django_capture_on_commit_callbacks):
    from django.utils import translation

    from handbook.notifications.models import Notification
    from handbook.notifications.services import get_kind

    with django_capture_on_commit_callbacks(execute=True):
        t = _issue(w)
    # Nobody holds a role on A2a or A2: the nearest level with staff (the province) is told.
    incoming = Notification.objects.filter(kind="transfer.incoming").values_list("user_id", flat=True)
    assert set(incoming) == {w.users["province"].pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_return(actor=w.users["province"], transfer=t, reason="Sai chi bộ nhận")
    decided = Notification.objects.get(kind="transfer.decided", user=w.users["commune"])
    with translation.override("en"):
        kind = get_kind("transfer.decided")
        assert kind.title(decided.params) == f"Transfer returned: {w.own_member.full_name}"
        assert kind.body(decided.params).endswith("returned it: Sai chi bộ nhận")
    # The province took the step: it is not told about its own action.
    assert not Notification.objects.filter(kind="transfer.decided", user=w.users["province"]).exists()


def test_a_cancelled_or_expired_letter_is_reported_to_the_receiving_side(w, django_capture_on_commit_callbacks):
    from django.utils import translation

    from handbook.notifications.models import Notification
    from handbook.notifications.services import get_kind

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = _issue(w)
        services.transfer_cancel(actor=w.users["commune"], transfer=cancelled, reason="Nhầm")
        late = _issue(w, member=w.other_member, issued_on=_today() - datetime.timedelta(days=90))
        services.transfer_expire(actor=w.users["commune"], transfer=late)
    withdrawn = Notification.objects.filter(kind="transfer.withdrawn", user=w.users["province"])
    by_url = {n.url: n for n in withdrawn}
    assert set(by_url) == {f"/transfers/{cancelled.pk}/", f"/transfers/{late.pk}/"}
    kind = get_kind("transfer.withdrawn")
    with translation.override("en"):
        assert kind.body(by_url[f"/transfers/{cancelled.pk}/"].params) == "The sending committee cancelled it."
        assert kind.body(by_url[f"/transfers/{late.pk}/"].params).startswith("It was not presented by")
    mine = Notification.objects.filter(kind="transfer.mine", user=w.users["member"], url=f"/transfers/{cancelled.pk}/")
    assert sorted(n.params["step"] for n in mine) == ["cancelled", "issued"]


def test_nobody_is_told_about_their_own_step_nor_twice_as_handler_and_member(w, django_capture_on_commit_callbacks):
    from handbook.notifications.models import Notification

    # The secretary of A1a is also a member of A1a: their own letter reaches them once, as theirs.
    secretary = w.users["secretary"]
    with django_capture_on_commit_callbacks(execute=True):
        t = _issue(w, member=secretary.member)
        services.transfer_return(actor=w.users["province"], transfer=t, reason="Sai chi bộ nhận")
    assert not Notification.objects.filter(kind="transfer.decided", user=secretary).exists()
    assert Notification.objects.filter(kind="transfer.mine", user=secretary).count() == 2  # issued, returned
    # A member who records their own step (here: a staffer cancelling a letter they are the subject
    # of) is not told about it.
    from handbook.transfers import notices

    with django_capture_on_commit_callbacks(execute=True):
        t2 = _issue(w)
        t2.state = Transfer.State.CANCELLED
        notices.withdrawn(t2, w.users["member"])
    assert not Notification.objects.filter(kind="transfer.mine", user=w.users["member"], params__step="cancelled")
