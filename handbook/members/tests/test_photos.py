import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from handbook.core.errors import RuleViolation
from handbook.members import photos
from handbook.members.models import Member


def jpeg_with_gps(size=(2400, 3200)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_a_photo_is_resized_and_stripped_of_metadata(client_for, w):
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()  # the upload carries EXIF
    response = client_for("secretary").post(
        f"/members/{w.other_member.pk}/photo/", {"photo": SimpleUploadedFile("p.jpg", raw, "image/jpeg")}
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=w.other_member.pk)
    assert member.photo.startswith("photos/") and "Lê" not in member.photo
    served = client_for("province").get(f"/members/{member.pk}/photo.jpg")
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "JPEG" and max(image.size) <= 800 and not image.getexif()
    assert served["Cache-Control"] == "no-store"
    assert client_for("outsider").get(f"/members/{member.pk}/photo.jpg").status_code == 404


def test_what_is_not_a_photo_is_refused(w):
    with pytest.raises(RuleViolation):
        photos.member_photo_set(actor=None, member=w.other_member, data=b"%PDF-1.4 not an image")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(RuleViolation):
        photos.member_photo_set(actor=None, member=w.other_member, data=gif.getvalue())
    with pytest.raises(RuleViolation):
        photos.member_photo_set(actor=None, member=w.other_member, data=b"x" * (photos.MAX_UPLOAD_BYTES + 1))
    assert Member.objects.get(pk=w.other_member.pk).photo == ""
