"""Report attachments: PDF, office documents and images only, checked by extension AND content
(magic bytes), at most 10 MB, stored under a random name and served only through the
access-checked download view (never as a public media URL)."""

import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from handbook.core.errors import RuleViolation

MAX_BYTES = 10 * 1024 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: extension -> (content type, accepted leading bytes)
KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (_ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (_ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (_ZIP,)),
    "doc": ("application/msword", (_OLE,)),
    "xls": ("application/vnd.ms-excel", (_OLE,)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def check(name: str, data: bytes) -> str:
    """The file's extension when it is acceptable; RuleViolation (field "attachment") otherwise."""
    ext = extension(name)
    if ext not in KINDS:
        raise RuleViolation(
            _("Attach a PDF, Word, Excel, PowerPoint, OpenDocument, JPEG or PNG file."), field="attachment"
        )
    if len(data) > MAX_BYTES:
        raise RuleViolation(_("The attachment is larger than 10 MB."), field="attachment")
    if not data:
        raise RuleViolation(_("The attachment is empty."), field="attachment")
    if not any(data.startswith(magic) for magic in KINDS[ext][1]):
        raise RuleViolation(
            _("The file's content does not match its type (.%(ext)s).") % {"ext": ext}, field="attachment"
        )
    return ext


def store(name: str, data: bytes) -> str:
    ext = check(name, data)
    return default_storage.save(f"reports/{uuid.uuid4().hex}.{ext}", ContentFile(data))


def content_type(stored: str) -> str:
    return KINDS.get(extension(stored), ("application/octet-stream", ()))[0]


def read(stored: str) -> bytes | None:
    if not stored or not default_storage.exists(stored):
        return None
    with default_storage.open(stored, "rb") as handle:
        return handle.read()


def safe_filename(name: str, stored: str) -> str:
    """A download name without quotes or path parts (the original name is shown, not trusted)."""
    base = os.path.basename(name or "").replace('"', "").replace("\\", "").strip() or "attachment"
    ext = extension(stored)
    if extension(base) != ext:
        base = f"{base}.{ext}"
    return base[:150]
