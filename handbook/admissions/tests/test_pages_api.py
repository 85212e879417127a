import json

from handbook.admissions.models import AdmissionCase, AdmissionTarget, Candidate
from handbook.admissions.tests.helpers import open_case, walk
from handbook.audit.models import AuditEvent, EventType


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_secretary_adds_a_candidate_and_records_the_course_on_the_pages(client_for, w):
    client = client_for("secretary")
    response = client.post(
        f"/admissions/org/{w.a1a.pk}/candidates/",
        {"full_name": "Lý Thị Sen", "date_of_birth": "2001-04-05", "sex": "F", "category": "religious"},
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(full_name="Lý Thị Sen")
    assert candidate.created_by == w.users["secretary"]
    page = client.get(f"/admissions/org/{w.a1a.pk}/candidates/")
    assert "Lý Thị Sen" in page.content.decode()

    response = client.post(f"/admissions/candidates/{candidate.pk}/open/")
    case = AdmissionCase.objects.get(candidate=candidate)
    assert response["Location"] == f"/admissions/cases/{case.pk}/"
    response = client.post(
        f"/admissions/cases/{case.pk}/steps/course/",
        {"date": "2025-03-03", "certificate_number": "07/GCN", "document": "GCN 07"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.step == "course" and case.certificate_number == "07/GCN"
    detail = client.get(f"/admissions/cases/{case.pk}/").content.decode()
    assert "GCN 07" in detail and "secretary" in detail


def test_a_step_out_of_order_shows_the_translated_error(client_for, w):
    case = open_case(w)
    response = client_for("secretary").post(f"/admissions/cases/{case.pk}/steps/application/", {"date": "2025-03-03"})
    assert response.status_code == 200
    assert "không thể ghi nhận lúc này" in response.content.decode()
    case.refresh_from_db()
    assert case.step == ""


def test_the_secretary_cannot_record_the_decision_but_commune_staff_can(client_for, w):
    case = walk(w, open_case(w), "committee_vote")
    payload = {"date": "2025-06-16", "values": {"number": "30-QĐ/ĐU", "decided_by": w.a1.pk}}
    url = f"/api/v1/admissions/cases/{case.pk}/steps/decision"
    assert post_json(client_for("secretary"), url, payload).status_code == 404
    response = post_json(client_for("commune"), url, payload)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["member_id"] and body["rule_set_version_id"] and body["ceremony_due"] == "2025-07-28"
    assert body["steps"][-1]["recorded_by"] == "commune"


def test_a_member_sees_no_admission_data(client_for, w):
    case = open_case(w)
    client = client_for("member")
    assert client.get(f"/admissions/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/admissions/cases/{case.pk}").status_code == 404
    assert client.get(f"/admissions/org/{w.a1a.pk}/").status_code == 404
    assert (
        post_json(client, f"/api/v1/admissions/cases/{case.pk}/steps/course", {"date": "2025-03-03"}).status_code == 404
    )


def test_the_outsider_gets_404_for_a_case_in_another_province(client_for, w):
    case = open_case(w)
    client = client_for("outsider")
    assert client.get(f"/admissions/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/admissions/cases/{case.pk}").status_code == 404
    assert client.get(f"/api/v1/admissions/cases?organization_id={w.a1.pk}").status_code == 404


def test_the_api_reports_step_errors_with_their_field(client_for, w):
    case = walk(w, open_case(w), "verification")
    url = f"/api/v1/admissions/cases/{case.pk}/steps/cell_vote"
    client = client_for("secretary")
    missing = post_json(client, url, {"date": "2025-06-02", "values": {"votes_for": "x"}})
    assert missing.status_code == 400 and missing.json()["field"] == "votes_for"
    failed = post_json(
        client, url, {"date": "2025-06-02", "values": {"votes_for": 1, "votes_against": 2, "members": 3}}
    )
    assert failed.status_code == 400 and failed.json()["code"] == "vote_failed"
    passed = post_json(
        client, url, {"date": "2025-06-02", "values": {"votes_for": 2, "votes_against": 1, "members": 3}}
    )
    assert passed.status_code == 200 and passed.json()["step"] == "cell_vote"


def test_targets_and_progress_through_the_api(client_for, w):
    client = client_for("province")
    response = post_json(
        client,
        "/api/v1/admissions/targets",
        {
            "organization_id": w.a.pk,
            "year": 2025,
            "number": 2,
            "by_category": {"worker": 1},
            "enterprise_organizations": 1,
        },
    )
    assert response.status_code == 201 and response.json()["plan"] == 2
    assert AuditEvent.objects.filter(event_type=EventType.ADMISSION_TARGET_SET).exists()
    walk(w, open_case(w), "decision")
    post_json(
        client,
        "/api/v1/admissions/enterprise-organizations",
        {"organization_id": w.a1.pk, "name": "Chi bộ Công ty Y", "founded_on": "2025-02-02"},
    )
    progress = client.get(f"/api/v1/admissions/progress?organization_id={w.a.pk}&year=2025").json()
    assert (progress["admitted"], progress["plan"], progress["percent"]) == (1, 2, "50.00")
    assert progress["categories"][0]["key"] == "worker" and progress["categories"][0]["percent"] == "100.00"
    assert progress["enterprise_percent"] == "100.00"
    page = client.get(f"/admissions/org/{w.a.pk}/progress/?year=2025").content.decode()
    assert "50.00%" in page or "50,00%" in page
    assert AdmissionTarget.objects.get(organization=w.a, year=2025).by_category == {"worker": 1}
    # The leader reads progress but cannot set targets.
    leader = client_for("leader")
    assert leader.get(f"/api/v1/admissions/progress?organization_id={w.a.pk}").status_code == 200
    assert (
        post_json(
            leader, "/api/v1/admissions/targets", {"organization_id": w.a.pk, "year": 2025, "number": 1}
        ).status_code
        == 404
    )


def test_the_pipeline_page_flags_overdue_cases(client_for, w):
    walk(w, open_case(w, name="Chờ lễ kết nạp"), "decision")
    page = client_for("commune").get(f"/admissions/org/{w.a1.pk}/").content.decode()
    assert "Chờ lễ kết nạp" in page
    assert "28/07/2025" in page


def test_a_step_keeps_a_scan_of_its_document_for_those_who_see_the_case(client_for, w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = open_case(w)
    client = client_for("secretary")
    refused = client.post(
        f"/admissions/cases/{case.pk}/steps/course/",
        {"date": "2025-03-03", "certificate_number": "1", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
    )
    assert refused.status_code == 200
    case.refresh_from_db()
    assert case.step == ""
    response = client.post(
        f"/admissions/cases/{case.pk}/steps/course/",
        {
            "date": "2025-03-03",
            "certificate_number": "1",
            "file": SimpleUploadedFile("giay-chung-nhan.pdf", b"%PDF-1.4 gcn", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    step = case.steps.get()
    assert step.content_type == "application/pdf" and step.original_name == "giay-chung-nhan.pdf"
    assert step.stored_name.startswith("admissions/")
    download = client.get(f"/admissions/steps/{step.pk}/file/")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 gcn"
    assert client_for("member").get(f"/admissions/steps/{step.pk}/file/").status_code == 404
    assert client_for("outsider").get(f"/admissions/steps/{step.pk}/file/").status_code == 404


def test_a_religious_category_is_shown_only_with_the_sensitive_data_permission(client_for, w):
    case = open_case(w, category=Candidate.Category.RELIGIOUS, name="Giáo dân")
    url = f"/api/v1/admissions/cases/{case.pk}"
    assert client_for("commune").get(url).json()["candidate"]["category"] == "religious"
    assert client_for("province").get(url).json()["candidate"]["category"] == ""
    listing = f"/api/v1/admissions/cases?organization_id={w.a.pk}&category=religious"
    assert len(client_for("commune").get(listing).json()) == 1
    # Without the permission the filter is ignored, so it cannot single out religious candidates.
    assert len(client_for("province").get(listing).json()) == len(client_for("province").get(listing[:-19]).json())
    page = client_for("province").get(f"/admissions/cases/{case.pk}/").content.decode()
    assert "Người theo tôn giáo" not in page
    assert "Người theo tôn giáo" in client_for("secretary").get(f"/admissions/cases/{case.pk}/").content.decode()
