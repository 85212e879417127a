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

import tempfile  # noqa: E402

# Uploaded photos go to a throw-away folder.
MEDIA_ROOT = tempfile.mkdtemp(prefix="handbook-test-media-")
