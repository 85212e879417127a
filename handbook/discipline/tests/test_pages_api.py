"""Discipline pages and API: who sees what, logged sensitive reads, and the workflow end to end."""

import datetime

from django.utils import timezone

from handbook.audit.models import SensitiveAccess
from handbook.discipline import services
from handbook.discipline.models import DisciplineCase, Exit
from handbook.members.models import Member

TODAY = timezone.localdate()


def ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def _case(w, member=None) -> DisciplineCase:
    return services.case_open(actor=None, member=member or w.other_member, violation="Vi phạm", opened_on=ago(60))


def test_officials_without_the_sensitive_flag_get_404_for_a_case(client_for, w):
    case = _case(w)
    for who in ("province", "leader", "outsider", "member"):
        assert client_for(who).get(f"/discipline/cases/{case.pk}/").status_code == 404, who
        assert client_for(who).get(f"/api/v1/discipline/cases/{case.pk}").status_code == 404, who
    assert client_for("commune").get(f"/discipline/cases/{case.pk}/").status_code == 200


def test_the_case_list_leaves_out_cases_the_caller_may_not_read(client_for, w):
    _case(w)
    own = _case(w, w.own_member)
    assert client_for("province").get(f"/api/v1/discipline/cases?organization_id={w.a1.pk}").json() == []
    assert [c["id"] for c in client_for("member").get("/api/v1/discipline/cases").json()] == [own.pk]
    assert len(client_for("commune").get(f"/api/v1/discipline/cases?organization_id={w.a1.pk}").json()) == 2


def test_reading_another_members_case_is_logged_but_reading_ones_own_is_not(client_for, w):
    case = _case(w, w.own_member)
    client_for("member").get(f"/discipline/cases/{case.pk}/")
    assert not SensitiveAccess.objects.filter(member_id=w.own_member.pk).exists()
    client_for("commune").get(f"/api/v1/discipline/cases/{case.pk}")
    read = SensitiveAccess.objects.get(member_id=w.own_member.pk)
    assert (read.actor.username, read.fields, read.channel) == ("commune", ["discipline"], "api")


def test_the_member_page_links_to_discipline_only_for_sensitive_readers(client_for, w):
    link = f'href="/discipline/members/{w.other_member.pk}/"'
    assert link in client_for("commune").get(f"/members/{w.other_member.pk}/").content.decode()
    assert link not in client_for("province").get(f"/members/{w.other_member.pk}/").content.decode()


def test_the_organisation_page_links_to_discipline_and_exits(client_for, w):
    html = client_for("commune").get(f"/org/{w.a1.pk}/").content.decode()
    assert f"/discipline/org/{w.a1.pk}/" in html and f"/discipline/org/{w.a1.pk}/exits/" in html
    html = client_for("leader").get(f"/org/{w.a1.pk}/").content.decode()
    assert f'/discipline/org/{w.a1.pk}/"' not in html and f"/discipline/org/{w.a1.pk}/exits/" in html


def test_a_case_is_decided_notified_and_appealed_through_the_page(client_for, w):
    case = _case(w)
    client = client_for("commune")
    url = f"/discipline/cases/{case.pk}/"
    response = client.post(
        url,
        {
            "action": "decide",
            "form": "expulsion",
            "decided_by": "Ủy ban kiểm tra huyện",
            "decision_number": "7-QĐ/UBKT",
            "decision_date": ago(40).isoformat(),
            "votes_for": "2",
            "votes_against": "3",
            "voters": "5",
        },
    )
    assert response.status_code == 200 and "votes_for" in response.context["forms"]["decide"].errors
    assert Member.objects.get(pk=w.other_member.pk).status == Member.Status.OFFICIAL
    response = client.post(
        url,
        {
            "action": "decide",
            "form": "expulsion",
            "decided_by": "Ủy ban kiểm tra huyện",
            "decision_number": "7-QĐ/UBKT",
            "decision_date": ago(40).isoformat(),
            "votes_for": "4",
            "votes_against": "1",
            "voters": "5",
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=w.other_member.pk).status == Member.Status.EXPELLED
    assert client.post(url, {"action": "notify", "notified_on": ago(31).isoformat()}).status_code == 302
    late = client.post(url, {"action": "appeal", "filed_on": ago(0).isoformat()})
    assert late.status_code == 200 and DisciplineCase.objects.get(pk=case.pk).appeal == ""
    assert client.post(url, {"action": "appeal", "filed_on": ago(1).isoformat()}).status_code == 302
    response = client.post(url, {"action": "appeal_decide", "outcome": "annulled", "decided_on": ago(0).isoformat()})
    assert response.status_code == 302
    assert Member.objects.get(pk=w.other_member.pk).status == Member.Status.OFFICIAL
    # The expelled member's exit stays in the subtree's list, marked as revoked.
    rows = client.get(f"/api/v1/discipline/exits?organization_id={w.a1.pk}").json()
    assert [(r["kind"], r["reversed_on"]) for r in rows] == [("expulsion", ago(0).isoformat())]


def test_a_secretary_cannot_act_on_a_case_against_the_organisation(client_for, w):
    case = services.case_open(actor=None, organization=w.a1a, violation="Mất đoàn kết", opened_on=ago(10))
    assert client_for("secretary").get(f"/discipline/cases/{case.pk}/").status_code == 200
    response = client_for("secretary").post(f"/discipline/cases/{case.pk}/", {"action": "drop"})
    assert response.status_code == 404
    assert client_for("commune").post(f"/discipline/cases/{case.pk}/", {"action": "drop"}).status_code == 302


def test_exit_list_covers_the_subtree_and_the_period(client_for, w):
    services.exit_record(actor=None, member=w.other_member, kind="death", date=ago(3))
    a2a_member = Member.objects.get(full_name="Vũ Văn Hải")
    services.exit_record(actor=None, member=a2a_member, kind="resignation", date=ago(400), note="Xin ra khỏi Đảng")
    client = client_for("province")
    rows = client.get(f"/api/v1/discipline/exits?organization_id={w.a.pk}").json()
    assert {r["member_name"] for r in rows} == {"Lê Văn Cường", "Vũ Văn Hải"}
    start = ago(30).isoformat()
    rows = client.get(f"/api/v1/discipline/exits?organization_id={w.a.pk}&start={start}").json()
    assert [r["member_name"] for r in rows] == ["Lê Văn Cường"]
    rows = client.get(f"/api/v1/discipline/exits?organization_id={w.a1.pk}").json()
    assert [r["member_name"] for r in rows] == ["Lê Văn Cường"]
    html = client.get(f"/discipline/org/{w.a.pk}/exits/?start={ago(500).isoformat()}").content.decode()
    assert "Lê Văn Cường" in html and "Vũ Văn Hải" in html
    # The record stays readable after the exit.
    assert client.get(f"/members/{w.other_member.pk}/").status_code == 200


def test_expulsion_cannot_be_recorded_as_a_plain_exit(client_for, w):
    response = client_for("commune").post(
        "/api/v1/discipline/exits",
        {"member_id": w.other_member.pk, "kind": "expulsion", "date": ago(1).isoformat(), "decision": "1"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "needs_case"
    assert not Exit.objects.exists()


def test_exemption_and_its_end_through_the_page(client_for, w):
    client = client_for("secretary")
    url = f"/discipline/members/{w.other_member.pk}/status/"
    client.post(url, {"action": "exempt", "reason": "Ốm dài ngày", "start": ago(20).isoformat()})
    assert Member.objects.get(pk=w.other_member.pk).status == Member.Status.EXEMPT
    assert "Ốm dài ngày" in client.get(url).content.decode()
    client.post(url, {"action": "exempt_end", "end": ago(2).isoformat()})
    assert Member.objects.get(pk=w.other_member.pk).status == Member.Status.OFFICIAL


def test_a_decision_refused_by_the_rules_answers_400(client_for, w):
    case = _case(w)
    response = client_for("commune").post(
        f"/api/v1/discipline/cases/{case.pk}/decide",
        {
            "form": "dissolution",
            "decided_by": "Đảng ủy",
            "decision_number": "1",
            "decision_date": ago(5).isoformat(),
            "votes_for": 5,
            "voters": 5,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_form"


def test_a_members_case_follows_the_member_to_the_new_cell(client_for, w):
    from handbook.members import services as member_services

    case = _case(w)
    assert client_for("secretary").get(f"/api/v1/discipline/cases/{case.pk}").status_code == 200
    member_services.member_move(actor=None, member=w.other_member, organization=w.a1b)
    assert client_for("secretary").get(f"/api/v1/discipline/cases/{case.pk}").status_code == 404
    assert client_for("commune").get(f"/api/v1/discipline/cases/{case.pk}").status_code == 200
    rows = client_for("commune").get(f"/api/v1/discipline/cases?organization_id={w.a1b.pk}").json()
    assert [r["id"] for r in rows] == [case.pk]
