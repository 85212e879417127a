"""Attachments: the file's type is read from its first bytes (never trusted from the name or the
browser), its size is capped, it is stored under a random name and served only through the
access-checked download view."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from handbook.core.errors import RuleViolation

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024

#: (kind, content type, extension) by signature.
_SIGNATURES = [
    (b"%PDF-", ("pdf", "application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image", "image/png", "png")),
    (b"\xff\xd8\xff", ("image", "image/jpeg", "jpg")),
    (b"ID3", ("audio", "audio/mpeg", "mp3")),
    (b"\xff\xfb", ("audio", "audio/mpeg", "mp3")),
    (b"\xff\xf3", ("audio", "audio/mpeg", "mp3")),
    (b"\xff\xf2", ("audio", "audio/mpeg", "mp3")),
    (b"OggS", ("audio", "audio/ogg", "ogg")),
]


def sniff(data: bytes) -> tuple[str, str, str]:
    """(kind, content type, extension) of an accepted file, or a RuleViolation."""
    for signature, found in _SIGNATURES:
        if data.startswith(signature):
            return found
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("image", "image/webp", "webp")
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return ("audio", "audio/wav", "wav")
    if data[4:8] == b"ftyp" and data[8:11] in (b"M4A", b"mp4", b"iso", b"isom"[:3]):
        return ("audio", "audio/mp4", "m4a")
    raise RuleViolation(
        _("Attach a PDF, an image (JPEG, PNG, WebP) or a recording (MP3, M4A, OGG, WAV)."), field="file"
    )


def check(data: bytes) -> tuple[str, str, str]:
    if not data:
        raise RuleViolation(_("The file is empty."), field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise RuleViolation(_("The file is larger than 25 MB."), field="file")
    return sniff(data)


def store(data: bytes, extension: str) -> str:
    return default_storage.save(f"documents/{uuid.uuid4().hex}.{extension}", ContentFile(data))


def read(stored_name: str) -> bytes:
    with default_storage.open(stored_name, "rb") as fh:
        return fh.read()


def delete(stored_name: str) -> None:
    default_storage.delete(stored_name)
