"""Member portraits: checked (type, size), resized, re-encoded without metadata (EXIF, GPS), stored
under a random name, and served only to those who may see the record."""

import io
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation

from .models import Member

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ACCEPTED = {"JPEG", "PNG", "WEBP"}
BOX = (600, 800)


def _reencode(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED:
                raise RuleViolation(_("Upload a JPEG, PNG or WebP photo."), field="photo")
            if probe.width * probe.height > MAX_PIXELS:
                raise RuleViolation(_("The photo is too large (too many pixels)."), field="photo")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the orientation the phone meant
            image = image.convert("RGB")
            image.thumbnail(BOX)
            out = io.BytesIO()
            # A fresh JPEG from pixels only: no EXIF, GPS, camera or editing metadata survives.
            image.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise RuleViolation(_("This file is not a photo Handbook can read."), field="photo") from exc


@transaction.atomic
def member_photo_set(*, actor: Any, member: Member, data: bytes) -> Member:
    if len(data) > MAX_UPLOAD_BYTES:
        raise RuleViolation(_("The photo is larger than 8 MB."), field="photo")
    jpeg = _reencode(data)
    member = Member.objects.select_for_update().get(pk=member.pk)
    old = member.photo
    name = default_storage.save(f"photos/{uuid.uuid4().hex}.jpg", ContentFile(jpeg))
    member.photo = name
    member.save(update_fields=["photo", "updated_at"])
    audit_record(
        actor=actor, event_type=EventType.MEMBER_UPDATED, obj=member, before={"photo": bool(old)}, after={"photo": True}
    )
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))
    return member


def photo_bytes(member: Member) -> bytes | None:
    if not member.photo or not default_storage.exists(member.photo):
        return None
    with default_storage.open(member.photo, "rb") as handle:
        return handle.read()
