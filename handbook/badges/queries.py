"""Who is due for a party badge in a subtree on an award occasion.

Four queries whatever the subtree's size: the members old enough in the party (the subtree's
path range and the admission date), the status histories of those among them who had an
interruption or died, and the badges they already hold (record table and awards)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from handbook.members.models import Badge, Member, StatusChange
from handbook.members.party_age import ENDING, INTERRUPTING
from handbook.members.validators import add_months, add_years
from handbook.organizations.paths import subtree_q

from .dates import early_months, eligibility, milestone_date
from .models import BadgeAward

LIMIT = 500
#: Who can receive a badge: members on the rolls who are no longer probationary.
AWARDABLE = (Member.Status.OFFICIAL, Member.Status.EXEMPT, Member.Status.TEMPORARILY_AWAY)


@dataclass
class Candidate:
    member: Member
    years: int
    reaches_on: datetime.date
    early: bool
    held: int | None  # the highest badge already held


def _history(member_ids) -> dict[int, list[tuple[datetime.date, str]]]:
    interrupted = StatusChange.objects.filter(member_id__in=member_ids, status__in=INTERRUPTING | ENDING).values(
        "member_id"
    )
    history: dict[int, list] = defaultdict(list)
    for member_id, day, status in StatusChange.objects.filter(member_id__in=interrupted).values_list(
        "member_id", "effective_date", "status"
    ):
        history[member_id].append((day, status))
    return history


def _held(member_ids) -> dict[int, set[int]]:
    held: dict[int, set[int]] = defaultdict(set)
    for member_id, years in Badge.objects.filter(member_id__in=member_ids).values_list("member_id", "years"):
        held[member_id].add(years)
    for member_id, years in BadgeAward.objects.filter(member_id__in=member_ids).values_list("member_id", "years"):
        held[member_id].add(years)
    return held


def member_options(member: Member, history, held: set[int], award_date: datetime.date, rs) -> list[Candidate]:
    """Every milestone above the member's highest badge that they reach by `award_date` (or
    early, within the rule's months), highest first."""
    bands = rs.value("badges.early_months")
    top = max(held) if held else None
    found = []
    for years in sorted(rs.value("badges.milestones"), reverse=True):
        if top is not None and years <= top:
            break
        reach = milestone_date(member.admission_date, history, years)
        state = eligibility(reach, award_date, early_months(years, bands))
        if state:
            found.append(Candidate(member=member, years=years, reaches_on=reach, early=state == "early", held=top))
    return found


def due(root, *, award_date: datetime.date, rs) -> dict:
    """Members of the subtree to propose for a badge on `award_date`: for each, the highest
    milestone they reach (by then, or early) that is above every badge they hold."""
    milestones = rs.value("badges.milestones")
    bands = rs.value("badges.early_months")
    most_early = max((early_months(y, bands) for y in milestones), default=0)
    latest = add_years(add_months(award_date, most_early), -min(milestones))
    members = Member.objects.filter(
        subtree_q(root.path, "organization__path"), status__in=AWARDABLE, admission_date__lte=latest
    )
    ids = members.values("pk")
    history = _history(ids)
    held = _held(ids)
    rows: list[Candidate] = []
    counts = {"due": 0, "early": 0}
    for member in members.select_related("organization").order_by("admission_date", "sort_key", "pk").iterator():
        options = member_options(member, history.get(member.pk, []), held.get(member.pk, set()), award_date, rs)
        if not options:
            continue
        best = options[0]
        counts["early" if best.early else "due"] += 1
        if len(rows) < LIMIT:
            rows.append(best)
    return {"rows": rows, "counts": counts, "award_date": award_date}


def awards(root):
    return (
        BadgeAward.objects.filter(subtree_q(root.path, "organization__path"))
        .select_related("member", "organization", "rule_set")
        .order_by("-decision_date", "-id")
    )
