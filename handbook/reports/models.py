"""Reports upward (issue 5, point 6): a committee defines a periodic report, the organisations
below it submit one per period, and the committee tracks who is on time, late or missing."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.organizations.models import Organization, OrganizationType

from . import periods


class ReportDefinition(models.Model):
    """A periodic report a committee (`issuer`, never a cell) asks of the organisations below it:
    by default every active cell of its subtree, or only the nodes of `target_type` (e.g. communes).
    The fields asked live in versioned `ReportTemplate` rows; archiving stops new obligations."""

    class Frequency(models.TextChoices):
        MONTHLY = periods.MONTHLY, _("Monthly")
        QUARTERLY = periods.QUARTERLY, _("Quarterly")

    class Attachment(models.TextChoices):
        NONE = "none", _("No attachment")
        OPTIONAL = "optional", _("Attachment optional")
        REQUIRED = "required", _("Attachment required")

    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="report_definitions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    due_days = models.PositiveSmallIntegerField(_("days after the period to submit"), default=5)
    attachment = models.CharField(_("attachment"), max_length=10, choices=Attachment.choices, default="none")
    target_type = models.ForeignKey(
        OrganizationType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who submits"),
        help_text=_("Empty: every cell below the committee."),
    )
    start_period = models.DateField(_("first period"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["issuer", "archived_at"], name="reportdef_issuer_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_days__lte=90), name="reportdef_due_days_90"),
        ]
        verbose_name = _("report definition")

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.archived_at is None

    def current_template(self) -> "ReportTemplate":
        cached = getattr(self, "_current_template", None)
        if cached is None:
            cached = self.templates.order_by("-version").first()
            self._current_template = cached
        return cached

    def deadline(self, period):
        return periods.deadline(self.frequency, period, self.due_days)

    def period_label(self, period) -> str:
        return periods.label(self.frequency, period)


class ReportTemplate(models.Model):
    """One version of a definition's field list. Never changed once written: a new version is added
    when the committee edits the fields, and each submission points at the version it answered."""

    definition = models.ForeignKey(ReportDefinition, on_delete=models.PROTECT, related_name="templates", db_index=False)
    version = models.PositiveIntegerField()
    fields = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["definition", "version"]
        constraints = [models.UniqueConstraint(fields=["definition", "version"], name="reporttemplate_version_once")]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.version}"


class ReportSubmission(models.Model):
    """One organisation's report for one period: unique per (definition, organisation, period).

    A resubmission before acceptance replaces the content and keeps the replaced one as a
    `SubmissionVersion`; an accepted report is final. `late` is fixed at the first submission (a
    report returned for correction and sent again does not become late)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for correction")

    definition = models.ForeignKey(
        ReportDefinition, on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="report_submissions")
    period = models.DateField(_("period"))
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    #: Storage name of the attachment (random); served only through the access-checked view.
    attachment = models.CharField(max_length=100, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    late = models.BooleanField(default=False)
    first_submitted_at = models.DateTimeField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["definition", "-period", "organization"]
        indexes = [models.Index(fields=["definition", "period"], name="reportsub_def_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["definition", "organization", "period"], name="reportsub_once_per_period")
        ]
        verbose_name = _("report submission")

    def __str__(self) -> str:
        return f"{self.definition_id}/{self.organization_id}/{self.period:%Y-%m}"


class SubmissionVersion(models.Model):
    """A replaced version of a submission, kept when the cell sends a corrected report."""

    submission = models.ForeignKey(ReportSubmission, on_delete=models.PROTECT, related_name="versions", db_index=False)
    version = models.PositiveIntegerField()
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    attachment = models.CharField(max_length=100, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=ReportSubmission.State.choices)
    review_comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["submission", "-version"]
        constraints = [models.UniqueConstraint(fields=["submission", "version"], name="submissionversion_once")]

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.version}"
