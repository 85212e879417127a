"""Transfers of party activity: a member moves to another cell for good (official) or for a
while (temporary, or to study), on a letter issued by the sending committee, presented by the
member to the receiving organisation within a deadline, and accepted (or returned) there."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member, MergeRule
from handbook.organizations.models import Organization

#: A letter in progress, or a temporary stay elsewhere: at most one per member.
OPEN = Q(state__in=["issued", "presented"]) | Q(state="accepted", kind__in=["temporary", "temporary_study"])


class Transfer(models.Model):
    """One transfer letter and what became of it. The deadline, the duration bounds and the
    version of the rules used are fixed when the letter is issued (`rule_set`)."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official transfer")
        TEMPORARY = "temporary", _("Temporary transfer")
        STUDY = "temporary_study", _("Temporary transfer to study")

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued, waiting to be presented")
        PRESENTED = "presented", _("Presented to the receiving organisation")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned by the receiving organisation")
        EXPIRED = "expired", _("Expired, not presented in time")
        CANCELLED = "cancelled", _("Cancelled")
        ENDED = "ended", _("Ended, back at the home cell")

    TEMPORARY_KINDS = (Kind.TEMPORARY, Kind.STUDY)
    #: Open letters: at most one per member (a database constraint), and the temporary transfers
    #: under way (accepted, not yet ended) count as open too.
    PENDING_STATES = (State.ISSUED, State.PRESENTED)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ISSUED)
    from_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("sending cell")
    )
    to_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("receiving cell")
    )
    letter_number = models.CharField(_("letter number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    present_by = models.DateField(_("present by"))
    presented_on = models.DateField(_("presented on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: Temporary transfers: the planned period, and the day the member came back.
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    ended_on = models.DateField(_("came back on"), null=True, blank=True)
    #: The member's status when the temporary transfer was accepted, restored when it ends.
    status_before = models.CharField(max_length=12, choices=Member.Status.choices, blank=True)
    #: There is no dues app yet: the sending cell writes down how far dues are paid.
    dues_paid_until = models.DateField(_("dues paid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    rule_set = models.ForeignKey("rules.RuleSetVersion", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("transfers"))}

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("transfer")
        indexes = [
            models.Index(fields=["from_organization", "state"], name="transfer_from_state_idx"),
            models.Index(fields=["to_organization", "state"], name="transfer_to_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=OPEN,
                name="transfer_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=~Q(from_organization=models.F("to_organization")), name="transfer_to_another_cell"
            ),
            models.CheckConstraint(
                condition=Q(kind="official") | (Q(start__isnull=False) & Q(end__gt=models.F("start"))),
                name="transfer_temporary_has_period",
            ),
            models.CheckConstraint(
                condition=Q(present_by__gte=models.F("issued_on")), name="transfer_deadline_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_number} · {self.member}"

    @classmethod
    def member_merge_blocker(cls, rows) -> str:
        if rows.filter(OPEN).exists():
            return str(_("The record to merge in has a transfer in progress. Finish or cancel it first."))
        return ""

    @property
    def is_temporary(self) -> bool:
        return self.kind in self.TEMPORARY_KINDS

    def is_overdue(self, today) -> bool:
        """Not presented by the deadline, or a temporary transfer past its end."""
        if self.state == self.State.ISSUED:
            return today > self.present_by
        return self.state == self.State.ACCEPTED and self.is_temporary and self.end is not None and today > self.end
