"""Documents attached to a meeting: the draft resolution, reports, slides, an audio bulletin.

A file is accepted only when its extension is on the list below AND its first bytes (or, for
office documents, its inner structure) match that extension — a renamed executable is refused.
Files are stored under a random name and read back only through the access layer
(`views.document_download`, `api.document_download`); nothing is reachable by a public address.
"""

import io
import os
import unicodedata
import uuid
import zipfile
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation

from .models import Meeting, MeetingDocument

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCUMENTS_PER_MEETING = 30

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt

#: extension -> (content type, kind); the kind picks the content check.
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "png": ("image/png", "png"),
    "webp": ("image/webp", "webp"),
    "doc": ("application/msword", "ole2"),
    "xls": ("application/vnd.ms-excel", "ole2"),
    "ppt": ("application/vnd.ms-powerpoint", "ole2"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml:word/"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml:xl/"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml:ppt/"),
    "odt": ("application/vnd.oasis.opendocument.text", "odf"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "odf"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "odf"),
    "mp3": ("audio/mpeg", "mp3"),
    "m4a": ("audio/mp4", "mp4"),
    "ogg": ("audio/ogg", "ogg"),
    "opus": ("audio/ogg", "ogg"),
    "wav": ("audio/wav", "wav"),
    "amr": ("audio/amr", "amr"),
}
ACCEPTED_LABEL = "PDF, JPG, PNG, WebP, DOC(X), XLS(X), PPT(X), ODT, ODS, ODP, MP3, M4A, OGG, WAV, AMR"


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _content_matches(kind: str, ext: str, data: bytes) -> bool:
    head = data[:16]
    if kind == "pdf":
        return data[:1024].lstrip().startswith(b"%PDF-")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if kind == "wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if kind == "ole2":
        return head.startswith(_OLE2)
    if kind == "mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if kind == "mp4":
        return head[4:8] == b"ftyp"
    if kind == "ogg":
        return head.startswith(b"OggS")
    if kind == "amr":
        return head.startswith(b"#!AMR")
    if kind.startswith("ooxml:"):
        names = _zip_names(data)
        folder = kind.split(":", 1)[1]
        return bool(names) and "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
    if kind == "odf":
        names = _zip_names(data)
        if not names or "mimetype" not in names:
            return False
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("mimetype").decode("ascii", "replace").strip() == TYPES[ext][0]
    return False


def clean_filename(name: str) -> str:
    """The uploaded name without folders or control characters (kept for the download)."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".") or "document"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 200:
        name = f"{stem[: 199 - len(ext)]}.{ext}"
    return name[:200]


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """(extension, content type) of an acceptable file, or a RuleViolation saying what is wrong."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise RuleViolation(
            _("The file is larger than %(n)s MB.") % {"n": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    if not data:
        raise RuleViolation(_("The file is empty."), code="empty", field="file")
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext not in TYPES:
        raise RuleViolation(
            _("This type of file is not accepted. Accepted: %(types)s.") % {"types": ACCEPTED_LABEL},
            code="file_type",
            field="file",
        )
    content_type, kind = TYPES[ext]
    if not _content_matches(kind, ext, data):
        raise RuleViolation(
            _("The file's content does not match its name (.%(ext)s). Save it again as a real .%(ext)s file.")
            % {"ext": ext},
            code="file_content",
            field="file",
        )
    return ext, content_type


def _editable(meeting: Meeting) -> None:
    if meeting.state == Meeting.State.CANCELLED:
        raise RuleViolation(_("This meeting was cancelled."), code="cancelled")
    if hasattr(meeting, "minutes") and meeting.minutes.finalised_at:
        raise RuleViolation(_("The minutes are final; the meeting can no longer change."), code="final")


@transaction.atomic
def document_add(*, actor: Any, meeting: Meeting, title: str, filename: str, data: bytes) -> MeetingDocument:
    """The secretary attaches a file. `data` may be one byte over the limit (read with a cap)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _editable(meeting)
    filename = clean_filename(filename)
    ext, content_type = check_upload(filename, data)
    if MeetingDocument.objects.filter(meeting=meeting).count() >= MAX_DOCUMENTS_PER_MEETING:
        raise RuleViolation(
            _("A meeting has at most %(n)s documents.") % {"n": MAX_DOCUMENTS_PER_MEETING}, code="too_many"
        )
    title = " ".join((title or "").split()) or filename.rpartition(".")[0] or filename
    stored = default_storage.save(f"meeting-documents/{uuid.uuid4().hex}.{ext}", ContentFile(data))
    try:
        document = MeetingDocument.objects.create(
            meeting=meeting,
            title=title[:200],
            file=stored,
            filename=filename,
            content_type=content_type,
            size=len(data),
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            event_type=EventType.MEETING_DOCUMENT_ADDED,
            obj=meeting,
            after={"document": document.pk, "title": document.title, "filename": filename, "size": len(data)},
        )
    except Exception:
        default_storage.delete(stored)  # no orphan file when the row could not be written
        raise
    return document


@transaction.atomic
def document_remove(*, actor: Any, document: MeetingDocument) -> None:
    document = MeetingDocument.objects.select_related("meeting").select_for_update().get(pk=document.pk)
    _editable(document.meeting)
    name = document.file
    audit_record(
        actor=actor,
        event_type=EventType.MEETING_DOCUMENT_REMOVED,
        obj=document.meeting,
        before={"document": document.pk, "title": document.title, "filename": document.filename},
    )
    document.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


def document_open(document: MeetingDocument):
    """The stored file, opened for reading (the caller has checked access); None if it is gone."""
    if not document.file or not default_storage.exists(document.file):
        return None
    return default_storage.open(document.file, "rb")
