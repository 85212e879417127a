"""Who is due for recognition in a subtree: one indexed query for the probationary members, the
dates computed with the rules that apply to each cell."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from handbook.members.models import Member
from handbook.members.validators import add_months
from handbook.organizations.paths import subtree_q
from handbook.rules import rulebook
from handbook.rules.models import RuleAssignment

from .dates import Probation, probation_for
from .models import Recognition

#: At most this many rows on a page or in an API answer (the count is always exact).
LIMIT = 500


def rules_by_cell(root, on: datetime.date) -> tuple[Callable, bool]:
    """A function cell -> rule set version in force on `on`, and whether every cell follows the
    root's rules. When nothing below `root` has its own assignment (the usual case) that is so,
    and there is no query per cell."""
    root_rs = rulebook.for_organization(root, on=on)
    inner = RuleAssignment.objects.filter(subtree_q(root.path)).exclude(path=root.path).exists()
    if not inner:
        return (lambda cell: root_rs), True
    found: dict[int, object] = {}

    def lookup(cell):
        if cell.pk not in found:
            found[cell.pk] = rulebook.for_organization(cell, on=on)
        return found[cell.pk]

    return lookup, False


@dataclass
class DueRow:
    member: Member
    probation: Probation
    state: str  # "upcoming", "due", "overdue"
    rule_set: object


def due(root, *, today: datetime.date, window_days: int = 60) -> dict:
    """Probationary members of the subtree whose probation ends within `window_days` (upcoming),
    has ended with the decision still due (due), or whose decision is late (overdue)."""
    horizon = today + datetime.timedelta(days=window_days)
    rules, uniform = rules_by_cell(root, today)
    qs = Member.objects.filter(
        subtree_q(root.path, "organization__path"),
        status=Member.Status.PROBATIONARY,
        admission_date__isnull=False,
    )
    if uniform:
        # Everyone follows one rule set: only admissions old enough can be near the end (a few
        # days' slack for month-end clamping; the exact test is below).
        latest = add_months(horizon, -rules(root).value("probation.months")) + datetime.timedelta(days=3)
        qs = qs.filter(admission_date__lte=latest)
    rows: list[DueRow] = []
    counts = {"upcoming": 0, "due": 0, "overdue": 0}
    for member in qs.select_related("organization").order_by("admission_date", "sort_key", "pk").iterator():
        rs = rules(member.organization)
        p = probation_for(member.admission_date, rs)
        if p.ends > horizon:
            continue
        state = p.state(today)
        state = "upcoming" if state == "running" else state
        counts[state] += 1
        if len(rows) < LIMIT:
            rows.append(DueRow(member=member, probation=p, state=state, rule_set=rs))
    return {"rows": rows, "counts": counts, "window_days": window_days, "today": today}


def recognitions(root):
    """Decisions taken in the subtree, newest first."""
    return (
        Recognition.objects.filter(subtree_q(root.path, "organization__path"))
        .select_related("member", "organization", "rule_set")
        .order_by("-decision_date", "-id")
    )
