"""Reads for the rulebook pages and API: versions, the chain of assignments, readable values."""

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from handbook.organizations.models import Organization
from handbook.organizations.paths import ancestor_paths

from . import registry
from .models import RuleAssignment, RuleSet, RuleSetVersion


def assignable_sets(visible: QuerySet, organization: Organization) -> QuerySet:
    """Sets that may be assigned to `organization`: national ones, or owned by it or above it."""
    chain = [*ancestor_paths(organization.path), organization.path]
    return visible.filter(Q(owner__isnull=True) | Q(owner__path__in=chain)).order_by("-is_default", "name")


def assignments_above(organization: Organization) -> list[RuleAssignment]:
    """Every assignment on the node and its ancestors, nearest first, newest first."""
    chain = [*ancestor_paths(organization.path), organization.path]
    return list(
        RuleAssignment.objects.filter(path__in=chain)
        .select_related("organization", "rule_set")
        .order_by("-path", "-effective_from", "-pk")
    )


def versions(rule_set: RuleSet) -> list[RuleSetVersion]:
    return list(rule_set.versions.select_related("rule_set").order_by("-effective_from"))


def current_version(rule_set: RuleSet, on: datetime.date) -> RuleSetVersion | None:
    return (
        rule_set.versions.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("rule_set")
        .first()
    )


def _share(rule: str) -> str:
    strict, num, den = registry.parse_fraction(rule)
    if strict:
        return _("more than %(share)s") % {"share": f"{num}/{den}"}
    return _("at least %(share)s") % {"share": f"{num}/{den}"}


def readable(key: str, raw) -> str:
    """A stored value as plain words for the version page."""
    spec = registry.REGISTRY.get(key)
    if spec is None:
        return str(raw)
    kind = spec.type
    if isinstance(kind, registry.Fraction):
        return _share(raw)
    if isinstance(kind, registry.CodeList):
        return "; ".join(kind.labels(raw))
    if isinstance(kind, registry.DateList):
        return ", ".join(d.strftime("%d/%m/%Y") for d in kind.load(raw))
    if isinstance(kind, registry.LevelBands):
        return "; ".join(
            _("%(level)s: from %(points)s points") % {"level": kind.levels.get(code, code), "points": points}
            for code, points in raw
        )
    if isinstance(kind, registry.MonthsByRange):
        return "; ".join(
            _("%(low)s–%(high)s years: %(months)s months") % {"low": low, "high": high, "months": months}
            for low, high, months in raw
        )
    if isinstance(kind, registry.IntegerList):
        return ", ".join(str(v) for v in raw)
    return str(raw)


def value_rows(version: RuleSetVersion) -> list[tuple[str, list[dict]]]:
    """[(group label, [{key, label, help, text}])] in registry order, for the version page."""
    groups: dict[str, list[dict]] = {}
    for key, spec in registry.REGISTRY.items():
        raw = version.values.get(key)
        groups.setdefault(spec.group, []).append(
            {
                "key": key,
                "label": spec.label,
                "help": spec.help,
                "text": readable(key, raw) if raw is not None else "—",
            }
        )
    return [(str(registry.GROUPS.get(g, g)), rows) for g, rows in groups.items()]
