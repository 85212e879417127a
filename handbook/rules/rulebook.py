"""The public interface of the rulebook: which rules apply, and the date and share arithmetic.

    from handbook.rules import rulebook
    rs = rulebook.for_organization(org, on=date)    # RuleSetVersion in force on `date`
    rs.value("probation.months")                    # 12
    rulebook.working_days_after(start, 30, rs)      # the 30th working day after `start`
    rulebook.fraction_threshold(7, "2/3")           # 5: the fewest of 7 that make two thirds

Decisions keep a `ForeignKey(RuleSetVersion, on_delete=PROTECT)` to `rs`, so they keep the rules
they were made under whatever changes later.
"""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.core.errors import RuleViolation
from handbook.organizations.paths import ancestor_paths

from .models import RuleAssignment, RuleSet, RuleSetVersion
from .registry import parse_fraction

__all__ = [
    "UnknownRule",
    "assignment_for",
    "for_organization",
    "fraction_threshold",
    "is_working_day",
    "national_default",
    "rules_changed",
    "working_days_after",
    "working_days_between",
]

_GENERATION_KEY = "rules:generation"
#: A backstop only: every change bumps the generation, so entries never outlive a change.
_CACHE_SECONDS = 600


class UnknownRule(RuleViolation, KeyError):
    """A key that is not declared in the registry (or not set in this version)."""


def _generation() -> int:
    gen = cache.get(_GENERATION_KEY)
    if gen is None:
        gen = int(timezone.now().timestamp() * 1000)
        cache.add(_GENERATION_KEY, gen, None)
        gen = cache.get(_GENERATION_KEY, gen)
    return gen


def _bump() -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, int(timezone.now().timestamp() * 1000), None)


def rules_changed() -> None:
    """Forget every cached resolution. Called by every service that changes versions or
    assignments, and when a subtree moves: at once (for reads later in the same transaction)
    and again on commit (so a read by another process between the two cannot stay cached)."""
    _bump()
    transaction.on_commit(_bump)


def national_default() -> RuleSet:
    rule_set = RuleSet.objects.filter(is_default=True).first()
    if rule_set is None:
        raise RuleViolation(_("No national rule set is configured."), code="no_default_rules")
    return rule_set


def assignment_for(path: str, on: datetime.date) -> RuleAssignment | None:
    """The assignment that decides the rules of the node at `path` on `on`: the nearest
    ancestor-or-self with an assignment in force that names a set (one indexed query)."""
    chain = [*ancestor_paths(path), path]
    rows = (
        RuleAssignment.objects.filter(path__in=chain, effective_from__lte=on)
        .select_related("rule_set")
        .order_by("-path", "-effective_from", "-pk")
    )
    seen: set[str] = set()
    for row in rows:
        if row.path in seen:
            continue  # an older assignment of a node whose latest one was already considered
        seen.add(row.path)
        if row.rule_set_id is not None:
            return row
    return None


def _version_in_force(rule_set_q: Q, on: datetime.date) -> RuleSetVersion | None:
    return (
        RuleSetVersion.objects.filter(rule_set_q, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("rule_set")
        .first()
    )


def for_organization(org, on: datetime.date | None = None) -> RuleSetVersion:
    """The version, in force on `on` (default today), of the rule set assigned to the nearest
    ancestor-or-self of `org` that has an assignment, else of the national default set.

    Two indexed queries on a miss, none on a hit (cached per generation, see `rules_changed`).
    """
    on = on or timezone.localdate()
    path = org.path
    key = f"rules:{_generation()}:{path}:{on.isoformat()}"
    found = cache.get(key)
    if found is not None:
        return found
    assignment = assignment_for(path, on)
    if assignment is not None:
        version = _version_in_force(Q(rule_set_id=assignment.rule_set_id), on)
    else:
        version = _version_in_force(Q(rule_set__is_default=True), on)
    if version is None:
        raise RuleViolation(
            _("No rules are in force for “%(name)s” on %(date)s.")
            % {"name": org.name, "date": on.strftime("%d/%m/%Y")},
            code="no_rules_in_force",
        )
    cache.set(key, version, _CACHE_SECONDS)
    return version


def is_working_day(day: datetime.date, rs: RuleSetVersion) -> bool:
    return day.weekday() < 5 and day not in rs.holidays


def working_days_after(start: datetime.date, n: int, rs: RuleSetVersion) -> datetime.date:
    """The n-th working day after `start` (start itself not counted; n=0 gives `start`).

    Working days are Monday to Friday except the version's `calendar.holidays`; so
    `working_days_between(start, result, rs) == n` and, for n >= 1, the result is a working day.
    """
    if n < 0:
        raise RuleViolation(_("The number of working days cannot be negative."), code="negative_days")
    day = start
    left = n
    holidays = rs.holidays
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date, rs: RuleSetVersion) -> int:
    """How many working days d with a < d <= b (negative when b is before a)."""
    if b < a:
        return -working_days_between(b, a, rs)
    days = (b - a).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (a + datetime.timedelta(days=i)).weekday() < 5:
            count += 1
    count -= sum(1 for h in rs.holidays if a < h <= b and h.weekday() < 5)
    return count


def fraction_threshold(numerator_of: int, rule: str) -> int:
    """The smallest count k out of `numerator_of` that satisfies `rule`.

    "2/3" (or ">=2/3"): k/n >= 2/3; ">1/2": k/n > 1/2. Exact integer arithmetic (k*q >= p*n, or
    k*q > p*n), so with n = 0 a non-strict rule gives 0 and a strict one 1. The answer can exceed
    n when the rule cannot be met (">1/1"), so `count >= threshold` then fails as it should.
    """
    if numerator_of < 0:
        raise RuleViolation(_("A count cannot be negative."), code="negative_count")
    strict, p, q = parse_fraction(rule)
    if strict:
        return p * numerator_of // q + 1
    return -(-p * numerator_of // q)
