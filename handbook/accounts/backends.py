"""Log in with a phone number as well as a username or email (allauth handles those two)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from handbook.members.validators import normalize_phone


def login_key(value: str) -> str:
    """One rate-limit key per account however the login is typed: a phone number in any format
    ('+84 912…', '0912.…') becomes its national form; usernames and emails are case-folded."""
    value = (value or "").strip()
    phone = normalize_phone(value)
    if len(phone) == 10 and phone.startswith("0") and not any(c.isalpha() for c in value):
        return phone
    return value.lower()


class PhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        phone = normalize_phone(username)
        if len(phone) != 10 or not phone.startswith("0"):
            return None
        model = get_user_model()
        user = model.objects.filter(phone=phone).first()
        if user is None:
            # Hash anyway, so response time does not tell which phone numbers have accounts.
            model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
