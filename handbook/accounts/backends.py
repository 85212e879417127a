"""Log in with a phone number as well as a username or email (allauth handles those two)."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

_DIGITS = re.compile(r"\D")


def normalize_phone(value: str) -> str:
    """'+84 912 345 678', '0912.345.678' -> '0912345678' (Vietnamese national format)."""
    digits = _DIGITS.sub("", value or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


class PhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        phone = normalize_phone(username)
        if len(phone) != 10 or not phone.startswith("0"):
            return None
        user = get_user_model().objects.filter(phone=phone).first()
        if user and user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
