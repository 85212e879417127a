import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.meetings import documents, minutes
from handbook.meetings.models import MeetingDocument

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


def test_the_secretary_attaches_a_file_and_the_cell_downloads_it_through_the_access_layer(client_for, w):
    secretary = client_for("secretary")
    response = secretary.post(
        f"/meetings/{w.meeting.pk}/documents/",
        {"title": "Dự thảo nghị quyết", "file": SimpleUploadedFile("dự thảo.pdf", PDF)},
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get(meeting=w.meeting)
    assert document.title == "Dự thảo nghị quyết" and document.filename == "dự thảo.pdf"
    assert "dự" not in document.file and document.file.startswith("meeting-documents/")  # a random stored name
    assert AuditEvent.objects.filter(event_type=EventType.MEETING_DOCUMENT_ADDED).exists()

    member = client_for("member")
    page = member.get(f"/meetings/{w.meeting.pk}/").content.decode()
    assert "Dự thảo nghị quyết" in page and f"/meetings/documents/{document.pk}/" in page
    download = member.get(f"/meetings/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    api = member.get(f"/api/v1/meetings/{w.meeting.pk}/documents").json()
    assert api[0]["title"] == "Dự thảo nghị quyết"
    assert b"".join(member.get(api[0]["download_url"]).streaming_content) == PDF
    assert client_for("outsider").get(f"/meetings/documents/{document.pk}/").status_code == 404
    assert client_for("outsider").get(api[0]["download_url"]).status_code == 404


def test_a_member_cannot_attach_or_remove(client_for, w):
    member = client_for("member")
    upload = {"file": SimpleUploadedFile("a.pdf", PDF)}
    assert member.post(f"/meetings/{w.meeting.pk}/documents/", upload).status_code == 404
    assert member.post(f"/api/v1/meetings/{w.meeting.pk}/documents", upload).status_code == 404
    assert not MeetingDocument.objects.exists()
    document = documents.document_add(
        actor=w.users["secretary"], meeting=w.meeting, title="x", filename="x.pdf", data=PDF
    )
    assert member.post(f"/meetings/documents/{document.pk}/remove/").status_code == 404
    assert member.delete(f"/api/v1/meetings/{w.meeting.pk}/documents/{document.pk}").status_code == 404
    assert MeetingDocument.objects.filter(pk=document.pk).exists()


def test_a_draft_meetings_documents_stay_with_the_secretary(client_for, w):
    document = documents.document_add(
        actor=w.users["secretary"], meeting=w.draft_meeting, title="x", filename="x.pdf", data=PDF
    )
    assert client_for("member").get(f"/meetings/documents/{document.pk}/").status_code == 404
    assert client_for("secretary").get(f"/meetings/documents/{document.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bao-cao.pdf", PDF),
        ("anh.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
        ("nghi-quyet.docx", DOCX),
        ("nghi-quyet.odt", ODT),
        ("bang.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 20),
        ("ban-tin.mp3", b"ID3\x03\x00" + b"0" * 20),
        ("ban-tin.m4a", b"\x00\x00\x00\x20ftypM4A " + b"0" * 20),
        ("ghi-am.amr", b"#!AMR\n" + b"0" * 20),
    ],
)
def test_accepted_types_pass_when_their_content_matches(w, name, data):
    document = documents.document_add(actor=w.users["secretary"], meeting=w.meeting, title="", filename=name, data=data)
    assert document.title == name.rpartition(".")[0]  # no title given: the file's name
    assert default_storage.exists(document.file)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("virus.exe", b"MZ" + b"0" * 20, "file_type"),
        ("khong-duoi", PDF, "file_type"),
        ("trang.html", b"<html>", "file_type"),
        ("gia.pdf", b"MZ\x90\x00 not a pdf", "file_content"),
        ("gia.docx", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "file_content"),
        ("gia.jpg", PDF, "file_content"),
        ("rong.pdf", b"", "empty"),
        ("to.pdf", b"%PDF-" + b"0" * documents.MAX_DOCUMENT_BYTES, "too_large"),
    ],
)
def test_wrong_types_contents_and_sizes_are_refused_with_a_clear_error(w, name, data, code):
    with pytest.raises(RuleViolation) as caught:
        documents.document_add(actor=w.users["secretary"], meeting=w.meeting, title="x", filename=name, data=data)
    assert caught.value.code == code and caught.value.field == "file"
    assert not MeetingDocument.objects.exists()


def test_the_api_explains_a_refused_file_in_vietnamese(client_for, w):
    response = client_for("secretary").post(
        f"/api/v1/meetings/{w.meeting.pk}/documents",
        {"file": SimpleUploadedFile("virus.exe", b"MZ")},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_type" and body["field"] == "file"
    assert "không được nhận" in body["detail"]


def test_removal_is_audited_deletes_the_file_and_stops_once_the_minutes_are_final(
    client_for, w, django_capture_on_commit_callbacks
):
    first = documents.document_add(actor=w.users["secretary"], meeting=w.meeting, title="a", filename="a.pdf", data=PDF)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("secretary").delete(f"/api/v1/meetings/{w.meeting.pk}/documents/{first.pk}")
    assert response.status_code == 204 and not default_storage.exists(first.file)
    event = AuditEvent.objects.get(event_type=EventType.MEETING_DOCUMENT_REMOVED)
    assert event.before["filename"] == "a.pdf"
    second = documents.document_add(
        actor=w.users["secretary"], meeting=w.meeting, title="b", filename="b.pdf", data=PDF
    )
    minutes.minutes_save(actor=None, meeting=w.meeting)
    minutes.minutes_finalise(actor=None, meeting=w.meeting)
    w.meeting.refresh_from_db()
    with pytest.raises(RuleViolation):
        documents.document_remove(actor=w.users["secretary"], document=second)
