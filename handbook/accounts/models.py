"""Users, their role grants on organisation nodes, and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member, MergeRule
from handbook.organizations.models import Organization


class User(AbstractUser):
    """A login. May be linked to one member record (their own); officials may have none."""

    phone = models.CharField(_("phone"), max_length=15, unique=True, null=True, blank=True)
    member = models.OneToOneField(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="user", verbose_name=_("member")
    )

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.REFUSE, _("logins"))}

    class Meta:
        verbose_name = _("user")


class Role(models.TextChoices):
    """What a grant on an organisation node allows, for that node's whole subtree."""

    CELL_SECRETARY = "cell_secretary", _("Cell secretary")
    COMMITTEE_STAFF = "committee_staff", _("Committee staff")
    LEADER = "leader", _("Leader / supervisor")
    ADMIN = "admin", _("System administrator")


class RoleGrant(models.Model):
    """A role held on one node (and so its subtree). Revoked grants are kept for the record.

    The plain "member" role needs no grant: a user linked to a member record sees their own record.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="grants")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    sensitive_data = models.BooleanField(
        _("may see sensitive data"),
        default=False,
        help_text=_("Religion, ethnicity, citizen ID, family, discipline and economic situation."),
    )
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="rolegrant_one_active",
            )
        ]
        indexes = [models.Index(fields=["organization", "revoked_at"], name="rolegrant_org_idx")]
        verbose_name = _("role grant")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored. A token stops working when it is
    revoked, when it expires, and when its user's password changes (`password_stamp`)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    password_stamp = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
