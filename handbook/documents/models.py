"""Documents sent down the tree (with their audience, versions and attachments), what members do
with them (read, acknowledge, bookmark, study) and the feedback that flows back up.

A document's audience is a few rows (organisation path, optional role): publishing writes no
per-recipient rows, whatever the audience's size. A receipt is written only when someone reads.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member, MergeRule
from handbook.organizations.models import Organization


class DocumentType(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    DIRECTIVE = "directive", _("Directive")
    CONCLUSION = "conclusion", _("Conclusion")
    REGULATION = "regulation", _("Regulation")
    PLAN = "plan", _("Plan")
    GUIDANCE = "guidance", _("Guidance")
    NOTICE = "notice", _("Notice")
    REPORT = "report", _("Report")
    BULLETIN = "bulletin", _("Bulletin")
    OTHER = "other", _("Other document")


class StudyMode(models.TextChoices):
    NONE = "", _("Not assigned for study")
    REFLECTION = "reflection", _("Study with a short reflection")
    QUIZ = "quiz", _("Study with a short quiz")


class Document(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="issued_documents")
    #: The issuer's path, copied: the sender's scope is one index range.
    issuer_path = models.CharField(max_length=255, db_index=True)
    number = models.CharField(_("number"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=300)
    type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices, default=DocumentType.NOTICE)
    issued_on = models.DateField(_("date issued"))
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"), blank=True)
    requires_ack = models.BooleanField(_("members must confirm they have read it"), default=False)
    study_mode = models.CharField(_("study"), max_length=12, choices=StudyMode.choices, blank=True, default="")
    study_deadline = models.DateField(_("study deadline"), null=True, blank=True)
    quiz_pass_mark = models.PositiveSmallIntegerField(_("correct answers needed to pass"), default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    #: Visible to its audience from this moment (a future value schedules the document).
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    #: Number, title, summary and text in one column, indexed for diacritic-insensitive full-text
    #: search (see documents/search.py).
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [models.Index(fields=["state", "publish_at"], name="document_state_publish_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Audience(models.Model):
    """One addressee of a document: the whole subtree of `organization`, or (with `role`) the
    holders of that role anywhere in the subtree (e.g. every cell secretary of a province)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="audience", db_index=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)
    role = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "organization", "role"], name="audience_unique"),
        ]
        indexes = [models.Index(fields=["path", "role"], name="audience_path_role_idx")]

    def __str__(self) -> str:
        return f"{self.document_id} -> {self.path}:{self.role or '*'}"


class DocumentVersion(models.Model):
    """The content of a document before a correction (the current content is on the document)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions", db_index=False)
    version = models.PositiveIntegerField()
    number = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=300)
    type = models.CharField(max_length=20)
    issued_on = models.DateField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("what was corrected"), max_length=300, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["document", "version"], name="documentversion_unique")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.version}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        IMAGE = "image", _("Image")
        AUDIO = "audio", _("Audio")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    #: Storage name (random; served only through the access-checked download view).
    stored_name = models.CharField(max_length=120, editable=False)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    #: True for a bulletin generated from the document's text (text to speech).
    generated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class Receipt(models.Model):
    """Someone read a document (and perhaps confirmed it). Written on first reading only."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="receipts", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    #: The reader's cell when they read (empty for officials without a member record): read
    #: rates per sub-unit are receipts grouped by this path's prefix.
    cell_path = models.CharField(max_length=255, blank=True)
    read_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("document receipts"))}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "user"], name="receipt_unique")]
        indexes = [
            models.Index(fields=["document", "cell_path"], name="receipt_doc_path_idx"),
            models.Index(fields=["user", "document"], name="receipt_user_doc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} read by {self.user_id}"


class Bookmark(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "user"], name="bookmark_unique")]

    def __str__(self) -> str:
        return f"{self.document_id} kept by {self.user_id}"


class QuizQuestion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="questions", db_index=False)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    options = models.JSONField()
    correct = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="quizquestion_unique")]

    def __str__(self) -> str:
        return self.text


class StudyRecord(models.Model):
    """A member studied a document: with a reflection, or by answering its quiz."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="study_records", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    cell_path = models.CharField(max_length=255, blank=True)
    completed_at = models.DateTimeField()
    reflection = models.TextField(blank=True)
    answers = models.JSONField(default=list, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("study records"))}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "user"], name="studyrecord_unique")]
        indexes = [models.Index(fields=["document", "cell_path"], name="study_doc_path_idx")]

    def __str__(self) -> str:
        return f"{self.document_id} studied by {self.user_id}"


class Reminder(models.Model):
    """A reminder sent to those in the audience who had not read the document yet."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reminders")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.document_id} reminder {self.sent_at:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """A member's opinion on a document, or a general question, sent to a committee."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: The committee (or cell) it is addressed to; those who oversee it read and answer it.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255, db_index=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("your opinion or question"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("opinions and questions sent"))}

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
