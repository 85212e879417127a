import json

import pytest

from handbook.audit.models import AuditEvent, EventType, SensitiveAccess
from handbook.core.errors import RuleViolation
from handbook.members import requests
from handbook.members.models import ChangeRequest, Member


def test_a_member_proposes_a_correction_and_the_secretary_approves_it(client_for, w):
    member_client = client_for("member")
    form = member_client.get(f"/members/{w.own_member.pk}/propose/").context["form"]
    data = {name: (form.initial.get(name) or "") for name in form.fields}
    data.update(hometown="Yên Thành, Yên Mô", phone="0912 000 009")
    data["date_of_birth"] = w.own_member.date_of_birth.isoformat()
    response = member_client.post(f"/members/{w.own_member.pk}/propose/", {**data, "comment": "Quê tôi ghi sai"})
    assert response.status_code == 302, response.context["form"].errors
    request = ChangeRequest.objects.get(member=w.own_member)
    assert request.changes == {"hometown": "Yên Thành, Yên Mô", "phone": "0912000009"}
    assert Member.objects.get(pk=w.own_member.pk).hometown == ""  # nothing applied yet

    secretary = client_for("secretary")
    detail = secretary.get(f"/members/requests/{request.pk}/")
    assert detail.context["can_decide"] and ("quê quán", "", "Yên Thành, Yên Mô") in detail.context["rows"]
    assert secretary.post(f"/members/requests/{request.pk}/", {"decision": "approve"}).status_code == 302
    assert Member.objects.get(pk=w.own_member.pk).hometown == "Yên Thành, Yên Mô"
    update = AuditEvent.objects.get(
        event_type=EventType.MEMBER_UPDATED, object_id=str(w.own_member.pk), actor=w.users["secretary"]
    )
    assert update.actor == w.users["secretary"] and update.after["hometown"] == "Yên Thành, Yên Mô"
    outcome = member_client.get("/members/requests/").context["page"]
    assert [r.state for r in outcome] == ["approved"]


def test_a_rejection_needs_a_reason_and_changes_nothing(w):
    request = requests.change_request_create(actor=w.users["member"], member=w.own_member, changes={"hometown": "X"})
    with pytest.raises(RuleViolation):
        requests.change_request_decide(actor=w.users["secretary"], request=request, approve=False)
    requests.change_request_decide(actor=w.users["secretary"], request=request, approve=False, reason="Sai chính tả")
    assert ChangeRequest.objects.get(pk=request.pk).state == "rejected"
    assert Member.objects.get(pk=w.own_member.pk).hometown == ""


def test_a_proposal_is_validated_like_an_edit(w):
    with pytest.raises(RuleViolation) as err:
        requests.change_request_create(actor=w.users["member"], member=w.own_member, changes={"phone": "123"})
    assert "phone" in err.value.errors
    with pytest.raises(RuleViolation):
        requests.change_request_create(actor=w.users["secretary"], member=w.own_member, changes={"hometown": "X"})
    with pytest.raises(RuleViolation):
        requests.change_request_create(actor=w.users["member"], member=w.own_member, changes={"status": "official"})


def test_nobody_decides_their_own_request(w):
    request = requests.change_request_create(
        actor=w.users["secretary"],
        member=w.other_member.__class__.objects.get(full_name="Trần Thị Bích"),
        changes={"hometown": "X"},
    )
    with pytest.raises(RuleViolation):
        requests.change_request_decide(actor=w.users["secretary"], request=request, approve=True)


def test_protected_changes_are_decided_only_by_someone_allowed_to_see_them(client_for, w):
    request = requests.change_request_create(
        actor=w.users["member"], member=w.own_member, changes={"religion": "Phật giáo"}
    )
    page = client_for("province").get(f"/members/requests/{request.pk}/")
    assert page.status_code == 200 and not page.context["complete"] and "Phật giáo" not in page.content.decode()
    assert client_for("province").post(f"/members/requests/{request.pk}/", {"decision": "approve"}).status_code == 404
    assert client_for("commune").post(f"/members/requests/{request.pk}/", {"decision": "approve"}).status_code == 302
    assert Member.objects.get(pk=w.own_member.pk).religion == "Phật giáo"


def test_a_member_downloads_all_their_data(client_for, w):
    client_for("commune").get(f"/members/{w.own_member.pk}/")
    response = client_for("member").get("/members/me/data.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["record"]["cccd"] == w.own_member.cccd and data["record"]["full_name"] == "Nguyễn Văn Ánh"
    assert [r["actor_label"] for r in data["sensitive_reads"]] == ["commune"]


def test_the_printable_sheet_is_audited_and_logs_protected_reads(client_for, w):
    page = client_for("commune").get(f"/members/{w.other_member.pk}/print/")
    assert page.status_code == 200 and w.other_member.cccd in page.content.decode()
    assert SensitiveAccess.objects.filter(member_id=w.other_member.pk, channel="print").exists()
    assert AuditEvent.objects.filter(
        event_type=EventType.MEMBER_SHEET_PRINTED, object_id=str(w.other_member.pk)
    ).exists()
    province_page = client_for("province").get(f"/members/{w.other_member.pk}/print/").content.decode()
    assert w.other_member.cccd not in province_page


def test_the_member_sheet_pdf_holds_only_what_the_reader_may_see(client_for, w):
    from handbook.members.record import record_view
    from handbook.members.sheet_pdf import sheet_lines

    response = client_for("commune").get(f"/members/{w.other_member.pk}/sheet.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert SensitiveAccess.objects.filter(member_id=w.other_member.pk, channel="print").count() == 1
    assert client_for("province").get(f"/members/{w.other_member.pk}/sheet.pdf").status_code == 200
    assert SensitiveAccess.objects.filter(actor=w.users["province"]).count() == 0
    shown = lambda who: " ".join(  # noqa: E731
        value
        for _title, rows in sheet_lines(record_view(w.users[who], w.other_member, channel="print"))
        for _l, value in rows
    )
    assert w.other_member.cccd in shown("commune") and w.other_member.cccd not in shown("province")
    assert "Ngô Thị Hằng" in shown("commune") and "Ngô Thị Hằng" not in shown("province")
