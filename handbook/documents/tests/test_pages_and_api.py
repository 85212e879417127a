import io
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from handbook.core.errors import RuleViolation
from handbook.documents import audio, files, search, services
from handbook.documents.models import Attachment, Document, Receipt


def _publish(w, title, body="", issuer=None):
    document = services.document_create(
        actor=None, issuer=issuer or w.a, title=title, body=body, issued_on=timezone.localdate()
    )
    return services.document_publish(actor=None, document=document)


def test_search_ignores_diacritics_and_scope(w):
    _publish(w, "Kế hoạch tổ chức Đại hội", "Chuẩn bị nhân sự đại hội đảng bộ")
    _publish(w, "Đại hội tỉnh B", issuer=w.b)
    mine = Document.objects.filter(
        pk__in=[d.pk for d in __import__("handbook.core.access", fromlist=["x"]).documents_received(w.users["member"])]
    )
    found = {d.title for d in search.search(mine, "dai hoi")}
    assert found == {"Kế hoạch tổ chức Đại hội"}  # not province B's, which the member may not see
    assert {d.title for d in search.search(mine, "Nghị quyết chuyển")} == {"Nghị quyết về chuyển đổi số"}
    assert {d.title for d in search.search(mine, "nghi quyet chuyen doi")} == {"Nghị quyết về chuyển đổi số"}
    assert not search.search(mine, "khongcotu").exists()
    assert search.search(mine, "  ").count() == mine.count()


def test_search_follows_corrections(w):
    services.document_update(actor=None, document=w.document, title="Chỉ thị về an ninh mạng", note="Tên")
    mine = Document.objects.filter(pk=w.document.pk)
    assert search.search(mine, "an ninh mang").exists()
    assert not search.search(mine, "chuyen doi").exists()


def test_inbox_api_flags_and_unread_count(client_for, w):
    client = client_for("member")
    assert client.get("/api/v1/documents/unread-count").json() == {"unread": 1}
    rows = client.get("/api/v1/documents?show=unread").json()
    assert [r["id"] for r in rows] == [w.document.pk] and rows[0]["read"] is False
    body = client.get(f"/api/v1/documents/{w.document.pk}").json()
    assert body["read"] is True and body["summary"].startswith("Đẩy mạnh")
    assert client.get("/api/v1/documents/unread-count").json() == {"unread": 0}
    assert client.get("/api/v1/documents?show=unread").json() == []
    assert client.post(f"/api/v1/documents/{w.document.pk}/acknowledge").json()["acknowledged"] is True
    assert client.put(f"/api/v1/documents/{w.document.pk}/bookmark").json()["bookmarked"] is True
    assert [r["id"] for r in client.get("/api/v1/documents?show=bookmarked").json()] == [w.document.pk]
    assert [r["id"] for r in client.get("/api/v1/documents?q=chuyen doi").json()] == [w.document.pk]


def test_an_official_reading_does_not_count_as_a_member(client_for, w):
    client_for("province").get(f"/documents/{w.document.pk}/")
    receipt = Receipt.objects.get(document=w.document, user=w.users["province"])
    assert receipt.member_id is None and receipt.cell_path == ""


def test_outsiders_cannot_tell_a_document_exists(client_for, w):
    client = client_for("outsider")
    missing = client.get("/api/v1/documents/999999")
    hidden = client.get(f"/api/v1/documents/{w.document.pk}")
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert w.document.pk not in [r["id"] for r in client.get("/api/v1/documents").json()]
    assert client.get("/api/v1/documents?q=chuyen").json() == []


def test_study_api_with_an_idempotency_key(client_for, w):
    client = client_for("member")
    url = f"/api/v1/documents/{w.document.pk}/study"
    body = {"reflection": "Tôi sẽ dùng sổ tay điện tử."}
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["studied"] is True
    third = client.post(url, body, content_type="application/json")
    assert third.status_code == 400 and third.json()["code"] == "already_studied"


def test_attachments_are_sniffed_and_served_through_scope(client_for, w):
    with pytest.raises(RuleViolation):
        services.attachment_add(actor=None, document=w.document, data=b"MZ\x90\x00 executable", filename="x.pdf")
    with pytest.raises(RuleViolation):
        services.attachment_add(actor=None, document=w.document, data=b"", filename="x.pdf")
    with pytest.raises(RuleViolation):
        files.check(b"%PDF-" + b"0" * files.MAX_ATTACHMENT_BYTES)
    province = client_for("province")
    upload = SimpleUploadedFile("ảnh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="application/pdf")
    response = province.post(f"/api/v1/documents/{w.document.pk}/attachments", {"file": upload})
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    item = Attachment.objects.get(pk=response.json()["id"])
    got = client_for("member").get(f"/documents/{w.document.pk}/attachments/{item.pk}/")
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG") and "no-store" in got["Cache-Control"]
    assert client_for("outsider").get(f"/documents/{w.document.pk}/attachments/{item.pk}/").status_code == 404
    again = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert (
        client_for("member").post(f"/api/v1/documents/{w.document.pk}/attachments", {"file": again}).status_code == 404
    )


def test_create_page_makes_a_draft_for_chosen_roles(client_for, w):
    client = client_for("commune")
    response = client.post(
        f"/documents/new/{w.a1.pk}/",
        {
            "title": "Hướng dẫn bí thư",
            "type": "guidance",
            "issued_on": timezone.localdate().isoformat(),
            "organizations": [w.a1.pk],
            "roles": ["cell_secretary"],
        },
    )
    document = Document.objects.get(title="Hướng dẫn bí thư")
    assert response.status_code == 302 and document.state == "draft"
    assert list(document.audience.values_list("path", "role")) == [(w.a1.path, "cell_secretary")]
    assert client.post(f"/documents/{document.pk}/publish/").status_code == 302
    assert client_for("secretary").get("/api/v1/documents").json()[0]["title"] == "Hướng dẫn bí thư"
    assert "Hướng dẫn bí thư" not in [r["title"] for r in client_for("member").get("/api/v1/documents").json()]


def test_create_page_shows_field_errors(client_for, w):
    response = client_for("commune").post(f"/documents/new/{w.a1.pk}/", {"title": "", "organizations": [w.a1.pk]})
    assert response.status_code == 200 and response.context["form"].errors["title"]


def test_stats_page_drills_down_to_members_only_for_those_allowed(client_for, w):
    services.document_read(user=w.users["member"], document=w.document)
    page = client_for("province").get(f"/documents/{w.document.pk}/stats/?org={w.a1a.pk}")
    assert page.status_code == 200 and page.context["total"].read == 1
    assert page.context["members"] is not None  # committee staff of the province see members
    top = client_for("province").get(f"/documents/{w.document.pk}/stats/")
    assert [r.organization.name for r in top.context["rows"]] == ["Xã A1", "Xã A2"]


def test_feedback_round_trip(client_for, w):
    member = client_for("member")
    response = member.post(
        f"/documents/feedback/new/?document={w.document.pk}",
        {"organization": w.a.pk, "subject": "Về nghị quyết", "body": "Đề nghị tổ chức học tập buổi tối."},
    )
    assert response.status_code == 302
    item_id = int(response["Location"].rstrip("/").split("/")[-1])
    assert client_for("commune").get(f"/documents/feedback/{item_id}/").status_code == 404  # addressed above A1
    province = client_for("province")
    assert (
        province.post(f"/documents/feedback/{item_id}/", {"action": "answer", "answer": "Đồng ý."}).status_code == 302
    )
    body = member.get(f"/api/v1/feedback/{item_id}").json()
    assert body["status"] == "answered" and body["answer"] == "Đồng ý." and body["document_id"] == w.document.pk
    assert (
        client_for("leader").post(f"/documents/feedback/{item_id}/", {"action": "answer", "answer": "x"}).status_code
        == 404
    )


def _wav_ok(data: bytes) -> bool:
    with wave.open(io.BytesIO(data)) as sound:
        return sound.getnframes() > 0


@pytest.mark.skipif(audio.espeak_path() is None, reason="espeak-ng is not installed")
def test_audio_bulletin_is_generated_from_the_text(w):
    audio.request(actor=w.users["province"], document=w.document)  # immediate backend in tests
    item = Attachment.objects.get(document=w.document, generated=True)
    assert item.kind == "audio" and _wav_ok(files.read(item.stored_name))


def test_audio_without_espeak_says_what_to_install(w, monkeypatch):
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    with pytest.raises(RuleViolation) as err:
        audio.request(actor=w.users["province"], document=w.document)
    assert err.value.code == "espeak_missing" and "espeak-ng" in err.value.message
