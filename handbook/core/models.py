"""Cross-cutting tables."""

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key` header: a retry with the same
    key and body gets the same answer without doing the work again; the same key with another body
    is refused. Kept per user for a day (clients retry within minutes), then deleted by
    `handbook prune_idempotency_records`. A ballot's record holds nothing derived from its choice
    (see `meetings.api.motion_vote`)."""

    # Served by the unique (user, key) index: no index of its own to write on every request.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
