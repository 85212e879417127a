"""The member record (minimal: the full record is a later issue) and per-cell counters."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.organizations.models import Organization


class Member(models.Model):
    """One member of the organisation, belonging to one cell (a node whose type holds members)."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("Probationary")
        OFFICIAL = "official", _("Official")
        EXEMPT = "exempt", _("Exempt from activities")
        TEMPORARILY_AWAY = "away", _("Temporarily away")
        TRANSFERRED_OUT = "transferred", _("Transferred out")
        REMOVED = "removed", _("Removed from the rolls")
        EXPELLED = "expelled", _("Expelled")
        DECEASED = "deceased", _("Deceased")

    #: Statuses that count as belonging to the cell today.
    ON_ROLLS = (Status.PROBATIONARY, Status.OFFICIAL, Status.EXEMPT, Status.TEMPORARILY_AWAY)

    full_name = models.CharField(_("full name"), max_length=150)
    family_name = models.CharField(max_length=50, blank=True)
    middle_name = models.CharField(max_length=80, blank=True)
    given_name = models.CharField(max_length=50, blank=True)
    search_name = models.CharField(max_length=150, db_index=True, editable=False)
    sort_key = models.CharField(max_length=400, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    cccd = models.CharField(
        _("citizen ID (CCCD)"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{12}$", _("A citizen ID has exactly 12 digits."))],
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROBATIONARY)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        indexes = [models.Index(fields=["organization", "sort_key"], name="member_org_sort_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(cccd__regex=r"^[0-9]{12}$"), name="member_cccd_12_digits"),
        ]

    def __str__(self) -> str:
        return self.full_name


class MemberCount(models.Model):
    """How many members of one status a cell holds. Kept exact by the member services in the same
    transaction as the change; a subtree's count is the sum over its path range (no row scan of
    the members table), so the nation's count reads ~900 k small rows, not 5.6 M members.

    `path` copies the cell's path so a subtree sum is one index range on this table alone (no join);
    the organisation services rewrite it when a subtree moves (`MemberContents.subtree_moved`)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="member_counts")
    path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=12, choices=Member.Status.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "status"], name="membercount_unique"),
            models.CheckConstraint(condition=models.Q(count__gte=0), name="membercount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.status}: {self.count}"
