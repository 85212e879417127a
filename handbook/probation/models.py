"""Recognition of probationary members: the cell's vote and the committee's decision."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.members.models import MergeRule


class Recognition(models.Model):
    """The end of one member's probation: the cell's vote on official membership (a closed
    meeting motion, or counts recorded from the minutes) and the committee's decision — recognised
    as an official member, or removed from the rolls. Keeps the rule set version it was decided
    under, so later rule changes never change it."""

    class Outcome(models.TextChoices):
        RECOGNISED = "recognised", _("Recognised as an official member")
        REMOVED = "removed", _("Removed from the rolls")

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="recognitions", db_index=False)
    #: The cell the member belonged to when decided (scope of the decision, kept after moves).
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    admission_date = models.DateField(_("admission date"))
    probation_end = models.DateField(_("probation ends"))
    decision_due = models.DateField(_("decision due by"))
    motion = models.ForeignKey(
        "meetings.Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("vote")
    )
    votes_for = models.PositiveIntegerField(_("votes in favour"))
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    eligible = models.PositiveIntegerField(_("official members who may vote"))
    votes_needed = models.PositiveIntegerField(_("votes needed"))
    vote_passed = models.BooleanField(_("the cell voted for recognition"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    decision_number = models.CharField(_("decision number"), max_length=50)
    decision_date = models.DateField(_("decision date"))
    reason = models.TextField(_("reason"), blank=True)
    late = models.BooleanField(_("decided after the deadline"), default=False)
    rule_set = models.ForeignKey("rules.RuleSetVersion", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("recognitions as official member"))}

    class Meta:
        verbose_name = _("recognition")
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "admission_date"], name="recognition_once_per_admission"),
            models.CheckConstraint(
                condition=models.Q(votes_for__lte=models.F("eligible")), name="recognition_votes_within_eligible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.outcome} ({self.decision_date})"
