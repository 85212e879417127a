"""Regression tests for the privacy review of the member record (2026-11-25)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handbook.audit.models import SensitiveAccess
from handbook.core.errors import RuleViolation
from handbook.members import requests, services
from handbook.members.models import ImportJob, Member


def test_an_official_without_the_permission_cannot_learn_cccd_digits_from_errors(client_for, w):
    client = client_for("province")
    response = client.patch(
        f"/api/v1/members/{w.other_member.pk}", {"date_of_birth": "1994-05-17"}, content_type="application/json"
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "1980" not in text and "80" not in response.json()["detail"]
    response = client.patch(f"/api/v1/members/{w.other_member.pk}", {"sex": "F"}, content_type="application/json")
    assert response.status_code == 400 and "nam" not in response.json()["detail"].lower().split()


def test_an_official_without_the_permission_cannot_write_protected_fields(client_for, w):
    for change in ({"religion": "Phật giáo"}, {"cccd": "037080999991"}, {"birth_province_code": "001"}):
        response = client_for("province").patch(
            f"/api/v1/members/{w.other_member.pk}", change, content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["code"] == "protected"
    assert Member.objects.get(pk=w.other_member.pk).religion == ""


def test_the_quality_page_describes_cccd_problems_without_digits_to_those_not_allowed(client_for, w):
    Member.objects.filter(pk=w.other_member.pk).update(date_of_birth=datetime.date(1994, 1, 1))  # legacy data
    page = client_for("leader").get("/members/quality/", {"org": w.a.pk})
    problems = [p for p in page.context["invalid"] if p.member.pk == w.other_member.pk][0].problems
    assert "1980" not in " ".join(problems.values())
    page = client_for("commune").get("/members/quality/", {"org": w.a1.pk})
    problems = [p for p in page.context["invalid"] if p.member.pk == w.other_member.pk][0].problems
    assert "1980" in problems["cccd"]


def test_reading_protected_values_in_forms_and_requests_is_logged(client_for, w):
    client_for("commune").get(f"/members/{w.other_member.pk}/edit/")
    assert SensitiveAccess.objects.filter(actor=w.users["commune"], member_id=w.other_member.pk).exists()
    request = requests.change_request_create(
        actor=w.users["member"], member=w.own_member, changes={"religion": "Phật giáo"}
    )
    client_for("secretary").get(f"/members/requests/{request.pk}/")
    assert SensitiveAccess.objects.filter(
        actor=w.users["secretary"], member_id=w.own_member.pk, fields=["religion"]
    ).exists()


def test_audit_pages_show_that_protected_values_changed_not_the_values(client_for, w):
    services.member_update(actor=w.users["commune"], member=w.other_member, religion="Phật giáo")
    page = client_for("admin").get("/audit/", {"object_type": "members.member", "object_id": w.other_member.pk})
    text = page.content.decode()
    assert "Phật giáo" not in text and w.other_member.cccd not in text and "•••" in text


def test_a_status_change_to_official_needs_the_official_date(w):
    member = services.member_create(
        actor=None,
        organization=w.a1a,
        full_name="Mới Văn Dự",
        sex="M",
        date_of_birth=datetime.date(1990, 1, 1),
        cccd="037090555555",
        status="probationary",
        admission_date=datetime.date(2026, 3, 1),
    )
    with pytest.raises(RuleViolation):
        services.member_status_change(
            actor=None, member=member, status="official", effective_date=datetime.date(2026, 4, 1)
        )


def test_imports_apply_the_field_lengths(client_for, w):
    text = "Mã chi bộ,Họ và tên,Giới tính,Ngày sinh,Số CCCD,Nơi cư trú\n"
    text += f"{w.a1a.pk},Lê Văn Dài,Nam,17/05/1980,037080444444,{'x' * 400}\n"
    client_for("secretary").post(
        "/members/import/", {"file": SimpleUploadedFile("m.csv", text.encode()), "mode": "all"}
    )
    job = ImportJob.objects.get()
    assert job.state == "failed" and job.errors[0]["column"] == "Nơi cư trú"
