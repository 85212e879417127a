"""Party badge awards decided by a committee, with the rules they were decided under."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.members.models import MergeRule


class BadgeAward(models.Model):
    """A party badge (huy hiệu Đảng) awarded to a member for `years` of party age, for the award
    occasion on `award_date` (3/2, 19/5, 2/9, 7/11 …). An early award (the member was seriously ill
    and reaches the milestone within the rule's early months) records why. The record's badge
    table row (`members.Badge`) is written in the same transaction and linked here."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="badge_awards", db_index=False)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    years = models.PositiveSmallIntegerField(_("years of party age"))
    award_date = models.DateField(_("award occasion"))
    reaches_on = models.DateField(_("reaches the milestone on"))
    early = models.BooleanField(_("early award"), default=False)
    early_reason = models.CharField(_("reason for the early award"), max_length=300, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50)
    decision_date = models.DateField(_("decision date"))
    badge = models.OneToOneField("members.Badge", null=True, blank=True, on_delete=models.PROTECT, related_name="award")
    rule_set = models.ForeignKey("rules.RuleSetVersion", on_delete=models.PROTECT, related_name="+")
    awarded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("badge awards"))}

    class Meta:
        verbose_name = _("badge award")
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "years"], name="badgeaward_once_per_milestone"),
            models.CheckConstraint(
                condition=models.Q(early=False) | ~models.Q(early_reason=""), name="badgeaward_early_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.years}"
