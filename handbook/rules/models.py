"""The versioned rulebook: rule sets, their dated versions, and which subtree uses which set."""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from handbook.organizations.models import Organization


class RuleSet(models.Model):
    """A named body of rules ("Quy định 2025", or a province's own set). Its values live in
    versions; which organisations use it is decided by `RuleAssignment` rows.

    Exactly one set is the national default (used where no ancestor has an assignment). A set
    with an `owner` belongs to that organisation: its staff may add versions and assign it inside
    its subtree. A set without an owner is national: only administrators change it.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    is_default = models.BooleanField(_("national default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("rule set")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="ruleset_one_default"
            ),
            models.CheckConstraint(
                condition=models.Q(is_default=False) | models.Q(owner__isnull=True), name="ruleset_default_is_national"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleSetVersion(models.Model):
    """The values of a rule set from `effective_from` to `effective_to` (inclusive; open = for now).

    Versions of one set never overlap and leave no gap: adding a version closes the previous one
    the day before. A version that is in force or past never changes its values (decisions keep a
    PROTECT foreign key to the version they used); only a future version nobody used may be edited.
    """

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="versions", db_index=False)
    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    values = models.JSONField(_("values"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule_set", "-effective_from"]
        verbose_name = _("rule set version")
        indexes = [models.Index(fields=["rule_set", "effective_from"], name="rulever_set_from_idx")]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="rulever_unique_number"),
            models.UniqueConstraint(fields=["rule_set", "effective_from"], name="rulever_unique_from"),
            models.UniqueConstraint(
                fields=["rule_set"], condition=models.Q(effective_to__isnull=True), name="rulever_one_open"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="rulever_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return gettext("%(name)s, version %(number)s (from %(date)s)") % {
            "name": self.rule_set.name,
            "number": self.number,
            "date": self.effective_from.strftime("%d/%m/%Y"),
        }

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def value(self, key: str) -> Any:
        """The typed value of a declared rule (int, Decimal, share text, list, dict, dates).

        Raises `rulebook.UnknownRule` (a RuleViolation and a KeyError) for an undeclared key or a
        key this version does not hold."""
        from . import registry
        from .rulebook import UnknownRule

        cache = self.__dict__.setdefault("_loaded", {})
        if key in cache:
            return cache[key]
        spec = registry.get(key)
        if key not in self.values:
            raise UnknownRule(
                gettext("“%(key)s” is not set in %(label)s.") % {"key": key, "label": self.label},
                code="rule_missing",
                field=key,
            )
        cache[key] = spec.type.load(self.values[key])
        return cache[key]

    @property
    def holidays(self) -> frozenset[datetime.date]:
        cached = self.__dict__.get("_holidays")
        if cached is None:
            cached = frozenset(self.value("calendar.holidays"))
            self.__dict__["_holidays"] = cached
        return cached


class RuleAssignment(models.Model):
    """From `effective_from` on, the subtree of `organization` uses `rule_set` (none: inherit
    from above again). `path` copies the organisation's path so resolution is one
    `path IN (ancestors)` lookup; the organisation services rewrite it when a subtree moves."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", db_index=False)
    path = models.CharField(max_length=255)
    rule_set = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    effective_from = models.DateField(_("from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["path", "-effective_from"]
        verbose_name = _("rule set assignment")
        indexes = [models.Index(fields=["path", "effective_from"], name="ruleassign_path_from_idx")]
        constraints = [
            models.UniqueConstraint(fields=["organization", "effective_from"], name="ruleassign_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} → {self.rule_set_id} ({self.effective_from})"
