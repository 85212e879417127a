"""The organisation tree: typed nodes on a materialized path, with an append-only history."""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

STEPLEN = 4


class OrganizationType(models.Model):
    """A kind of node (province committee, cell, ...). Types and their parent rules are data."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Display order, top of the tree first.")
    holds_members = models.BooleanField(
        default=False, help_text="Members belong directly to nodes of this type (cells); such nodes are leaves."
    )
    allowed_parents = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="allowed_children")

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("organisation type")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The type's name in the active language (types are data: Vietnamese name, English name)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class Organization(MP_Node):
    """One node of the tree: the central committee, a province, a commune, a cell...

    `path`/`depth` come from treebeard's materialized path (4 characters a level), so a subtree is
    one index range. `parent` duplicates the path's parent for the database triggers that enforce
    the parent-type rules and forbid cycles (migration 0002). Nodes are never deleted: a merged or
    dissolved node is archived and keeps its history.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    steplen = STEPLEN
    node_order_by: list[str] = []

    name = models.CharField(max_length=200)
    search_name = models.CharField(max_length=200, db_index=True, editable=False, default="")
    type = models.ForeignKey(OrganizationType, on_delete=models.PROTECT, related_name="organizations")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        indexes = [models.Index(fields=["parent", "status"], name="org_parent_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | models.Q(status="archived"),
                name="org_merged_only_when_archived",
            ),
            models.CheckConstraint(
                condition=(models.Q(depth=1, parent__isnull=True) | models.Q(depth__gt=1, parent__isnull=False)),
                name="org_root_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", args=[self.pk])


class OrganizationVersion(models.Model):
    """What a node was called and where it hung between two moments (valid_to open = now).

    Appended by the organisation services on create, rename, move, merge, split and dissolve, so
    "where was this cell on 2024-06-01" is one query per level (`queries.organization_at`).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField(max_length=200)
    type = models.ForeignKey(OrganizationType, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Organization.Status.choices)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=30)

    class Meta:
        ordering = ["organization", "valid_from", "id"]
        indexes = [models.Index(fields=["organization", "valid_from"], name="orgversion_org_from_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(valid_to__isnull=True), name="orgversion_one_current"
            )
        ]
        verbose_name = _("organisation version")

    def __str__(self) -> str:
        until = self.valid_to.date().isoformat() if self.valid_to else ""
        return f"{self.name} ({self.valid_from.date().isoformat()}–{until})"

    REASONS = {
        "created": _("created"),
        "renamed": _("renamed"),
        "moved": _("moved"),
        "merged": _("merged"),
        "split": _("split"),
        "dissolved": _("dissolved"),
    }

    @property
    def reason_label(self) -> str:
        return str(self.REASONS.get(self.reason, self.reason))
