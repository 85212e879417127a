"""Test profile: the base settings with a fast password hasher (Argon2 is slow by design)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background tasks run inline in tests (the database backend needs a separate worker process).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HANDBOOK_BASE_URL = "https://handbook.test"
# Push tests use these throw-away keys and mock the push service (no network).
VAPID_PUBLIC_KEY = "BCx7rpyahaN898I2Ttk4g9B_v3uZ-FyG33hY5YOCpdRO5H1PZPHMRamShZbWlr6x_Y13zX6G5Svt02gvUFa4HeY"
VAPID_PRIVATE_KEY = "72PbM4CDfYHpFiuAkmxJ06zi97m618_Ih47GnwahlA8"  # noqa: S105 - test-only key
VAPID_SUBJECT = "mailto:test@example.org"

import tempfile  # noqa: E402

# Uploaded photos go to a throw-away folder.
MEDIA_ROOT = tempfile.mkdtemp(prefix="handbook-test-media-")
