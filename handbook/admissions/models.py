"""Admissions: candidates ("sources") per cell, the admission case that follows one candidate
through the steps of the 2025 rules, yearly targets and new party organisations in non-state
enterprises.

A case keeps each step's data in its own columns (so the pipeline filters and the overdue checks
are plain indexed queries) and one `AdmissionStep` row per recorded step (the timeline: date,
document reference, who recorded it). Dates, shares and deadlines come from the rulebook
version in force; the decision keeps the version it used.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member, MergeRule
from handbook.organizations.models import Organization


class Candidate(models.Model):
    """A person a cell is preparing for admission (a "source")."""

    class Category(models.TextChoices):
        RELIGIOUS = "religious", _("Religious follower")
        BUSINESS_OWNER = "business_owner", _("Business owner")
        STUDENT = "student", _("Student")
        WORKER = "worker", _("Worker")
        NON_STATE_EMPLOYEE = "non_state", _("Non-state enterprise employee")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("cell"))
    full_name = models.CharField(_("full name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Member.Sex.choices)
    cccd = models.CharField(_("citizen ID (CCCD)"), max_length=12, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "full_name", "pk"]
        verbose_name = _("admission candidate")
        indexes = [models.Index(fields=["organization", "category"], name="candidate_org_cat_idx")]

    def __str__(self) -> str:
        return self.full_name


class Step(models.TextChoices):
    """The steps of an admission, in the order they must happen."""

    COURSE = "course", _("Party-awareness course")
    APPLICATION = "application", _("Application")
    LIFE_HISTORY = "life_history", _("Life history")
    INTRODUCERS = "introducers", _("Introducers")
    VERIFICATION = "verification", _("Verification")
    CELL_VOTE = "cell_vote", _("Cell vote")
    COMMITTEE_VOTE = "committee_vote", _("Grassroots committee vote")
    DECISION = "decision", _("Admission decision")
    CEREMONY = "ceremony", _("Admission ceremony")


STEP_ORDER: list[str] = list(Step.values)


class AdmissionCase(models.Model):
    """One candidate's way to admission. `step` is the last step recorded ("" = none yet)."""

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        COMPLETED = "completed", _("Admitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="cases")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    step = models.CharField(_("last step"), max_length=20, choices=Step.choices, blank=True, default="")
    step_date = models.DateField(_("date of the last step"), null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: Older than the rulebook's highest admission age: a higher committee approved it.
    over_age_approved = models.BooleanField(_("approved by a higher level (over the age limit)"), default=False)

    # course
    course_date = models.DateField(_("course date"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    certificate_issued = models.DateField(_("certificate issued on"), null=True, blank=True)
    certificate_expires = models.DateField(_("certificate valid until"), null=True, blank=True)
    # application, life history
    application_date = models.DateField(_("application date"), null=True, blank=True)
    life_history_date = models.DateField(_("life history date"), null=True, blank=True)
    life_history_verified = models.BooleanField(_("life history certified"), default=False)
    #: The personal data of the certified life history (place of birth, hometown, residence,
    #: ethnicity, religion, education, phone…): it becomes the member record at admission.
    #: Ethnicity and religion are protected like on the member record.
    life_history = models.JSONField(_("life history data"), default=dict, blank=True)
    # introducers
    introducer_1 = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("first introducer")
    )
    introducer_1_since = models.DateField(_("worked with the applicant since"), null=True, blank=True)
    introducer_2 = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("second introducer")
    )
    introducer_2_since = models.DateField(_("worked with the applicant since"), null=True, blank=True)
    youth_union_resolution = models.CharField(_("Youth Union resolution"), max_length=100, blank=True)
    # verification
    verification_date = models.DateField(_("verification date"), null=True, blank=True)
    verification_result = models.CharField(_("verification result"), max_length=300, blank=True)
    # cell vote
    cell_motion = models.ForeignKey(
        "meetings.Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cell_vote_date = models.DateField(_("cell vote date"), null=True, blank=True)
    cell_votes_for = models.PositiveIntegerField(null=True, blank=True)
    cell_votes_against = models.PositiveIntegerField(null=True, blank=True)
    cell_members = models.PositiveIntegerField(null=True, blank=True)
    # committee vote
    committee_vote_date = models.DateField(_("committee vote date"), null=True, blank=True)
    committee_votes_for = models.PositiveIntegerField(null=True, blank=True)
    committee_votes_against = models.PositiveIntegerField(null=True, blank=True)
    committee_members = models.PositiveIntegerField(null=True, blank=True)
    # decision
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    member = models.OneToOneField(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="admission_case"
    )
    rule_set = models.ForeignKey("rules.RuleSetVersion", null=True, blank=True, on_delete=models.PROTECT)
    # ceremony
    ceremony_due = models.DateField(_("ceremony due by"), null=True, blank=True)
    ceremony_date = models.DateField(_("ceremony date"), null=True, blank=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {
        "member": MergeRule(MergeRule.MOVE, _("admission cases")),
        "introducer_1": MergeRule(MergeRule.MOVE, _("introductions (as first introducer)")),
        "introducer_2": MergeRule(MergeRule.MOVE, _("introductions (as second introducer)")),
    }

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("admission case")
        indexes = [models.Index(fields=["organization", "state", "step"], name="admcase_org_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"], condition=models.Q(state="open"), name="admcase_one_open_per_candidate"
            ),
            models.CheckConstraint(
                condition=models.Q(decision_date__isnull=True) | models.Q(rule_set__isnull=False),
                name="admcase_decision_keeps_rules",
            ),
        ]

    def __str__(self) -> str:
        return str(self.candidate)

    @property
    def held_late(self) -> bool:
        """The ceremony was held after its deadline (kept visible once the case is complete)."""
        return bool(self.ceremony_date and self.ceremony_due and self.ceremony_date > self.ceremony_due)

    @property
    def next_step(self) -> str | None:
        if self.state != self.State.OPEN:
            return None
        index = STEP_ORDER.index(self.step) + 1 if self.step else 0
        return STEP_ORDER[index] if index < len(STEP_ORDER) else None

    @property
    def next_step_label(self) -> str:
        nxt = self.next_step
        return Step(nxt).label if nxt else ""


class AdmissionStep(models.Model):
    """One recorded step of a case: the timeline, with the step's document reference."""

    case = models.ForeignKey(AdmissionCase, on_delete=models.PROTECT, related_name="steps", db_index=False)
    step = models.CharField(max_length=20, choices=Step.choices)
    date = models.DateField(_("date"))
    document = models.CharField(_("document"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    #: An optional scan of the step's document: type read from its bytes, stored under a random
    #: name, served only through the access-checked view (as documents' attachments).
    stored_name = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    original_name = models.CharField(_("file"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "date", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="admstep_once_per_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.step} {self.date}"


class AdmissionTarget(models.Model):
    """A committee's admission plan for one year: a number, or a percentage of the membership at
    the start of the year (kept as `base_membership` when the target is set)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("members to admit"), null=True, blank=True)
    percent = models.DecimalField(_("percent of membership"), max_digits=5, decimal_places=2, null=True, blank=True)
    base_membership = models.PositiveIntegerField(_("membership at the start of the year"), null=True, blank=True)
    #: {category code: number}
    by_category = models.JSONField(_("per category"), default=dict, blank=True)
    enterprise_organizations = models.PositiveIntegerField(
        _("new party organisations in non-state enterprises"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "-year"]
        verbose_name = _("admission target")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="admtarget_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(number__isnull=False) | models.Q(percent__isnull=False),
                name="admtarget_number_or_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"

    @property
    def plan(self) -> int:
        """The number to admit: the number, else the percentage of the base (rounded half up)."""
        if self.number is not None:
            return self.number
        from decimal import ROUND_HALF_UP, Decimal

        return int((Decimal(self.base_membership or 0) * self.percent / 100).quantize(Decimal(1), ROUND_HALF_UP))


class EnterpriseOrganization(models.Model):
    """A new party organisation founded in a non-state enterprise (counted against the target)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("under the organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    enterprise = models.CharField(_("enterprise"), max_length=200, blank=True)
    founded_on = models.DateField(_("founded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-founded_on", "pk"]
        verbose_name = _("party organisation in a non-state enterprise")

    def __str__(self) -> str:
        return self.name
