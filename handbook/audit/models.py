"""The audit trail: one append-only row per change to organisations, roles and members."""

from enum import IntEnum

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(IntEnum):
    """Event types in numbered ranges per domain (as Zulip's RealmAuditLog); never renumber."""

    ORGANIZATION_CREATED = 100
    ORGANIZATION_RENAMED = 101
    ORGANIZATION_MOVED = 102
    ORGANIZATION_MERGED = 103
    ORGANIZATION_SPLIT = 104
    ORGANIZATION_DISSOLVED = 105
    ORGANIZATION_MERGED_INTO = 106

    MEMBER_CREATED = 200
    MEMBER_UPDATED = 201
    MEMBER_MOVED = 202
    MEMBER_STATUS_CHANGED = 203
    MEMBER_TABLE_ROW_ADDED = 204
    MEMBER_TABLE_ROW_REMOVED = 205
    CHANGE_REQUEST_CREATED = 206
    CHANGE_REQUEST_DECIDED = 207
    MEMBER_SHEET_PRINTED = 208
    MEMBERS_EXPORTED = 209
    MEMBER_MERGED = 210
    MEMBER_MERGED_INTO = 211
    MEMBERS_IMPORTED = 212

    ROLE_GRANTED = 300
    ROLE_REVOKED = 301

    MEETING_SCHEDULED = 500
    MEETING_CREATED = 501
    MEETING_PUBLISHED = 502
    MEETING_CANCELLED = 503
    MEETING_UPDATED = 504
    ATTENDANCE_RECORDED = 510
    MOTION_CREATED = 520
    MOTION_OPENED = 521
    MOTION_CLOSED = 522
    MEETING_RATED = 530
    COMMENT_ADDED = 540
    COMMENT_TAKEN_IN = 541
    MINUTES_SAVED = 550
    MINUTES_FINALISED = 551
    MINUTES_AMENDED = 552
    RESOLUTION_ISSUED = 553
    MEETING_DOCUMENT_ADDED = 560
    MEETING_DOCUMENT_REMOVED = 561
    MEETING_GUEST_INVITED = 570
    MEETING_GUEST_REMOVED = 571
    MEETING_GUEST_PRESENCE = 572

    DOCUMENT_CREATED = 600
    DOCUMENT_UPDATED = 601
    DOCUMENT_PUBLISHED = 602
    DOCUMENT_CORRECTED = 603
    DOCUMENT_WITHDRAWN = 604
    DOCUMENT_ATTACHMENT_ADDED = 605
    DOCUMENT_ATTACHMENT_REMOVED = 606
    DOCUMENT_REMINDER_SENT = 607
    DOCUMENT_QUIZ_SET = 608
    FEEDBACK_SENT = 620
    FEEDBACK_ANSWERED = 621
    FEEDBACK_CLOSED = 622

    REPORT_DEFINED = 680
    REPORT_DEFINITION_CHANGED = 681
    REPORT_DEFINITION_ARCHIVED = 682
    REPORT_SUBMITTED = 690
    REPORT_RESUBMITTED = 691
    REPORT_ACCEPTED = 692
    REPORT_RETURNED = 693
    REPORTS_EXPORTED = 694
    RULE_SET_CREATED = 700
    RULE_VERSION_CREATED = 701
    RULE_VERSION_UPDATED = 702
    RULE_VERSION_CLOSED = 703
    RULE_SET_ASSIGNED = 704
    RULE_DEFAULT_CHANGED = 705
    TRANSFER_ISSUED = 840
    TRANSFER_PRESENTED = 841
    TRANSFER_ACCEPTED = 842
    TRANSFER_RETURNED = 843
    TRANSFER_CANCELLED = 844
    TRANSFER_EXPIRED = 845
    TRANSFER_ENDED = 846

    REVIEW_PERIOD_OPENED = 860
    REVIEW_PERIOD_CLOSED = 861
    REVIEW_SELF_ASSESSED = 862
    REVIEW_PROPOSED = 863
    REVIEW_DECIDED = 864
    RECOGNITION_DECIDED = 820
    BADGE_AWARDED = 830
    DISCIPLINE_CASE_OPENED = 880
    DISCIPLINE_CASE_DECIDED = 881
    DISCIPLINE_CASE_DROPPED = 882
    DISCIPLINE_CASE_NOTIFIED = 883
    DISCIPLINE_APPEAL_FILED = 884
    DISCIPLINE_APPEAL_DECIDED = 885
    EXEMPTION_GRANTED = 890
    EXEMPTION_ENDED = 891
    MEMBER_EXITED = 895

    CANDIDATE_CREATED = 800
    ADMISSION_CASE_OPENED = 802
    ADMISSION_STEP_RECORDED = 803
    ADMISSION_CASE_WITHDRAWN = 804
    ADMISSION_VOTE_PREPARED = 805
    ADMISSION_TARGET_SET = 810
    ENTERPRISE_ORGANIZATION_RECORDED = 811

    USER_CREATED = 400
    API_TOKEN_CREATED = 401
    API_TOKEN_REVOKED = 402
    USER_MEMBER_LINKED = 403

    NOTIFICATION_PREFERENCES_CHANGED = 650
    PUSH_SUBSCRIBED = 651
    PUSH_UNSUBSCRIBED = 652

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self, self.name.replace("_", " ").lower()))


EVENT_LABELS = {
    EventType.ORGANIZATION_CREATED: _("organisation created"),
    EventType.ORGANIZATION_RENAMED: _("organisation renamed"),
    EventType.ORGANIZATION_MOVED: _("organisation moved"),
    EventType.ORGANIZATION_MERGED: _("organisation merged (received)"),
    EventType.ORGANIZATION_SPLIT: _("organisation split"),
    EventType.ORGANIZATION_DISSOLVED: _("organisation dissolved"),
    EventType.ORGANIZATION_MERGED_INTO: _("organisation merged into another"),
    EventType.MEMBER_CREATED: _("member added"),
    EventType.MEMBER_UPDATED: _("member record changed"),
    EventType.MEMBER_MOVED: _("member moved to another cell"),
    EventType.MEMBER_STATUS_CHANGED: _("member status changed"),
    EventType.MEMBER_TABLE_ROW_ADDED: _("member record row added"),
    EventType.MEMBER_TABLE_ROW_REMOVED: _("member record row removed"),
    EventType.CHANGE_REQUEST_CREATED: _("correction requested by the member"),
    EventType.CHANGE_REQUEST_DECIDED: _("correction request decided"),
    EventType.MEMBER_SHEET_PRINTED: _("member sheet printed"),
    EventType.MEMBERS_EXPORTED: _("member list exported"),
    EventType.MEMBER_MERGED: _("duplicate record merged in"),
    EventType.MEMBER_MERGED_INTO: _("record merged into another"),
    EventType.MEMBERS_IMPORTED: _("members imported from a file"),
    EventType.ROLE_GRANTED: _("role granted"),
    EventType.ROLE_REVOKED: _("role revoked"),
    EventType.MEETING_SCHEDULED: _("meeting schedule set"),
    EventType.MEETING_CREATED: _("meeting created"),
    EventType.MEETING_PUBLISHED: _("meeting published"),
    EventType.MEETING_CANCELLED: _("meeting cancelled"),
    EventType.MEETING_UPDATED: _("meeting changed"),
    EventType.ATTENDANCE_RECORDED: _("attendance recorded"),
    EventType.MOTION_CREATED: _("vote prepared"),
    EventType.MOTION_OPENED: _("vote opened"),
    EventType.MOTION_CLOSED: _("vote closed"),
    EventType.MEETING_RATED: _("meeting rated"),
    EventType.COMMENT_ADDED: _("opinion added"),
    EventType.COMMENT_TAKEN_IN: _("opinion taken into the resolution"),
    EventType.MINUTES_SAVED: _("minutes saved"),
    EventType.MINUTES_FINALISED: _("minutes finalised"),
    EventType.DOCUMENT_CREATED: _("document drafted"),
    EventType.DOCUMENT_UPDATED: _("document draft changed"),
    EventType.DOCUMENT_PUBLISHED: _("document published"),
    EventType.DOCUMENT_CORRECTED: _("document corrected"),
    EventType.DOCUMENT_WITHDRAWN: _("document withdrawn"),
    EventType.DOCUMENT_ATTACHMENT_ADDED: _("document attachment added"),
    EventType.DOCUMENT_ATTACHMENT_REMOVED: _("document attachment removed"),
    EventType.DOCUMENT_REMINDER_SENT: _("reminder sent to those who have not read"),
    EventType.DOCUMENT_QUIZ_SET: _("study quiz set"),
    EventType.FEEDBACK_SENT: _("feedback sent"),
    EventType.FEEDBACK_ANSWERED: _("feedback answered"),
    EventType.FEEDBACK_CLOSED: _("feedback closed"),
    EventType.RESOLUTION_ISSUED: _("meeting's resolution issued to the cell"),
    EventType.MINUTES_AMENDED: _("minutes amended"),
    EventType.MEETING_DOCUMENT_ADDED: _("document attached to a meeting"),
    EventType.MEETING_DOCUMENT_REMOVED: _("document removed from a meeting"),
    EventType.MEETING_GUEST_INVITED: _("guest invited to a meeting"),
    EventType.MEETING_GUEST_REMOVED: _("guest invitation withdrawn"),
    EventType.MEETING_GUEST_PRESENCE: _("guest's presence recorded"),
    EventType.REPORT_DEFINED: _("periodic report defined"),
    EventType.REPORT_DEFINITION_CHANGED: _("periodic report changed"),
    EventType.REPORT_DEFINITION_ARCHIVED: _("periodic report archived"),
    EventType.REPORT_SUBMITTED: _("report submitted"),
    EventType.REPORT_RESUBMITTED: _("report submitted again"),
    EventType.REPORT_ACCEPTED: _("report accepted"),
    EventType.REPORT_RETURNED: _("report returned for correction"),
    EventType.REPORTS_EXPORTED: _("report submissions exported"),
    EventType.RULE_SET_CREATED: _("rule set created"),
    EventType.RULE_VERSION_CREATED: _("rule set version added"),
    EventType.RULE_VERSION_UPDATED: _("future rule set version corrected"),
    EventType.RULE_VERSION_CLOSED: _("rule set version given an end date"),
    EventType.RULE_SET_ASSIGNED: _("rule set assigned to a subtree"),
    EventType.RULE_DEFAULT_CHANGED: _("national default rule set changed"),
    EventType.REVIEW_PERIOD_OPENED: _("review period opened"),
    EventType.REVIEW_PERIOD_CLOSED: _("review period closed"),
    EventType.REVIEW_SELF_ASSESSED: _("review self-assessment written"),
    EventType.REVIEW_PROPOSED: _("review proposal made"),
    EventType.REVIEW_DECIDED: _("review decided"),
    EventType.RECOGNITION_DECIDED: _("probation decided (recognised or removed)"),
    EventType.BADGE_AWARDED: _("party badge awarded"),
    EventType.TRANSFER_ISSUED: _("transfer letter issued"),
    EventType.TRANSFER_PRESENTED: _("transfer letter presented"),
    EventType.TRANSFER_ACCEPTED: _("transfer accepted"),
    EventType.TRANSFER_RETURNED: _("transfer returned"),
    EventType.TRANSFER_CANCELLED: _("transfer cancelled"),
    EventType.TRANSFER_EXPIRED: _("transfer letter expired"),
    EventType.TRANSFER_ENDED: _("temporary transfer ended"),
    EventType.DISCIPLINE_CASE_OPENED: _("discipline case opened"),
    EventType.DISCIPLINE_CASE_DECIDED: _("discipline decided"),
    EventType.DISCIPLINE_CASE_DROPPED: _("discipline case closed without discipline"),
    EventType.DISCIPLINE_CASE_NOTIFIED: _("discipline decision notified"),
    EventType.DISCIPLINE_APPEAL_FILED: _("discipline appeal filed"),
    EventType.DISCIPLINE_APPEAL_DECIDED: _("discipline appeal decided"),
    EventType.EXEMPTION_GRANTED: _("exemption from activities granted"),
    EventType.EXEMPTION_ENDED: _("exemption from activities ended"),
    EventType.MEMBER_EXITED: _("member left the party (exit recorded)"),
    EventType.CANDIDATE_CREATED: _("admission candidate added"),
    EventType.ADMISSION_CASE_OPENED: _("admission case opened"),
    EventType.ADMISSION_STEP_RECORDED: _("admission step recorded"),
    EventType.ADMISSION_CASE_WITHDRAWN: _("admission case withdrawn"),
    EventType.ADMISSION_VOTE_PREPARED: _("cell vote on an admission prepared"),
    EventType.ADMISSION_TARGET_SET: _("admission target set"),
    EventType.ENTERPRISE_ORGANIZATION_RECORDED: _("party organisation in a non-state enterprise recorded"),
    EventType.USER_CREATED: _("account created"),
    EventType.API_TOKEN_CREATED: _("API token created"),
    EventType.API_TOKEN_REVOKED: _("API token revoked"),
    EventType.USER_MEMBER_LINKED: _("account linked to a member"),
    EventType.NOTIFICATION_PREFERENCES_CHANGED: _("notification settings changed"),
    EventType.PUSH_SUBSCRIBED: _("device turned on for notifications"),
    EventType.PUSH_UNSUBSCRIBED: _("device turned off for notifications"),
}
EVENT_TYPE_CHOICES = [(e.value, EVENT_LABELS[e]) for e in EventType]


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One change: who did what to which object, when, with before/after values.

    Rows are written only by `audit.services.audit_record` inside the changing service's
    transaction. The application cannot change or delete them: the queryset and model refuse it,
    and a database trigger (see migration 0002) refuses UPDATE on both SQLite and PostgreSQL.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    # No `choices=` here: labels are translatable and live in EVENT_LABELS, not in migrations.
    event_type = models.PositiveSmallIntegerField(db_index=True)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_object_idx")]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.event_label} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")

    @property
    def event_label(self) -> str:
        try:
            return EventType(self.event_type).label
        except ValueError:
            return str(self.event_type)


class SensitiveAccess(models.Model):
    """One read of a member's sensitive fields by someone other than the member: who, whose
    record, which fields, when, through which channel. Append-only, like AuditEvent. The member
    sees these rows for their own record."""

    class Channel(models.TextChoices):
        PAGE = "page", _("page")
        API = "api", _("API")
        EXPORT = "export", _("export")
        PRINT = "print", _("printed sheet")

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    member_id = models.BigIntegerField(db_index=True)
    fields = models.JSONField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["member_id", "occurred_at"], name="sensitive_member_idx")]
        verbose_name = _("sensitive data access")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} → member {self.member_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Access records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Access records are append-only.")
