"""Discipline cases (members and organisations), exemptions from activities, and exits.

A decided case keeps the rule set version it was decided under; an exit or an exemption changes
the member's status only through the members service, so the status history (and party age)
stays complete and the record itself is never deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from handbook.members.models import MergeRule


class DisciplineCase(models.Model):
    """A discipline case against one member or one party organisation (sensitive data)."""

    class State(models.TextChoices):
        OPEN = "open", _("Under consideration")
        DECIDED = "decided", _("Decided")
        DROPPED = "dropped", _("Closed without discipline")

    class Appeal(models.TextChoices):
        NONE = "", _("No appeal")
        PENDING = "pending", _("Appeal pending")
        UPHELD = "upheld", _("Decision upheld")
        CHANGED = "changed", _("Form changed")
        ANNULLED = "annulled", _("Decision annulled")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="discipline_cases"
    )
    #: The organisation disciplined (decides who sees the case), or the member's cell when the case was
    #: opened (where the cell votes); a member's case is seen over the member's current cell.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="discipline_cases"
    )
    against_organization = models.BooleanField(_("against the organisation"), default=False)
    violation = models.TextField(_("violation"))
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    # The vote: a secret ballot at the cell meeting, or the committee's recorded counts.
    motion = models.ForeignKey(
        "meetings.Motion", on_delete=models.PROTECT, null=True, blank=True, related_name="discipline_cases"
    )
    votes_for = models.PositiveIntegerField(_("votes in favour"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    voters = models.PositiveIntegerField(_("members of the voting body"), null=True, blank=True)
    votes_needed = models.PositiveIntegerField(null=True, blank=True)
    # The decision.
    form = models.CharField(_("form of discipline"), max_length=20, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    effective_date = models.DateField(_("effective from"), null=True, blank=True)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    rule_set = models.ForeignKey("rules.RuleSetVersion", on_delete=models.PROTECT, null=True, blank=True)
    #: The member's status before an expulsion, restored if the appeal annuls or softens it.
    status_before = models.CharField(max_length=12, blank=True)
    record_row = models.ForeignKey(
        "members.DisciplineRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The appeal.
    appeal = models.CharField(_("appeal"), max_length=8, choices=Appeal.choices, blank=True, default="")
    appeal_filed_on = models.DateField(_("appeal filed on"), null=True, blank=True)
    appeal_decided_on = models.DateField(_("appeal decided on"), null=True, blank=True)
    appeal_form = models.CharField(_("form after the appeal"), max_length=20, blank=True)
    appeal_note = models.TextField(_("appeal note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("discipline cases"))}

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["organization", "opened_on"], name="disc_case_org_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(against_organization=True, member__isnull=True)
                | Q(against_organization=False, member__isnull=False),
                name="disc_case_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.form or self.state}"

    def _label(self, code: str) -> str:
        from handbook.rules.registry import MEMBER_DISCIPLINE, ORGANIZATION_DISCIPLINE

        labels = ORGANIZATION_DISCIPLINE if self.against_organization else MEMBER_DISCIPLINE
        return str(labels.get(code, code))

    @property
    def form_label(self) -> str:
        return self._label(self.form)

    @property
    def final_form_label(self) -> str:
        return self._label(self.final_form) if self.final_form else ""

    @property
    def appeal_form_label(self) -> str:
        return self._label(self.appeal_form)

    @property
    def final_form(self) -> str:
        if self.appeal == self.Appeal.ANNULLED:
            return ""
        if self.appeal == self.Appeal.CHANGED:
            return self.appeal_form
        return self.form


class Exemption(models.Model):
    """Exemption from work and meetings (elderly or ill): status `exempt`, still counted."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="exemptions")
    reason = models.CharField(_("reason"), max_length=300)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    start = models.DateField(_("exempt from"))
    end = models.DateField(_("exempt until"), null=True, blank=True)
    status_before = models.CharField(max_length=12)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("exemptions"))}

    class Meta:
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.start}"

    @classmethod
    def member_merge_blocker(cls, rows) -> str:
        if rows.filter(end__isnull=True).exists():
            return str(_("The record to merge in is exempt from activities now. End the exemption first."))
        return ""


class Exit(models.Model):
    """A member leaving the party: death, removal from the rolls, expulsion or resignation.

    The member record stays (status deceased / removed / expelled) with its whole history."""

    class Kind(models.TextChoices):
        DEATH = "death", _("Death")
        REMOVAL = "removal", _("Removal from the rolls")
        EXPULSION = "expulsion", _("Expulsion")
        RESIGNATION = "resignation", _("Resignation")

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="exits")
    #: The member's cell when they left: exit lists per subtree use it.
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    decision = models.CharField(_("decision reference"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status_before = models.CharField(max_length=12)
    case = models.ForeignKey(DisciplineCase, on_delete=models.PROTECT, null=True, blank=True, related_name="exits")
    #: Set when an appeal revoked the expulsion: the exit stays listed, marked as revoked.
    reversed_on = models.DateField(_("revoked on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("exits"))}

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "date"], name="exit_org_date_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.kind} {self.date}"

    @classmethod
    def member_merge_blocker(cls, rows) -> str:
        if rows.filter(reversed_on__isnull=True).exists():
            return str(
                _(
                    "The record to merge in has left the party (death, removal, expulsion or resignation). "
                    "Merge the other record into it instead."
                )
            )
        return ""
