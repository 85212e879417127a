"""When a member reaches a badge milestone, counting party age as `members.party_age` does:
from the admission decision, minus interruptions (removal from the rolls or expulsion until
re-admission); death ends the count.

Without interruptions the milestone falls on the calendar anniversary (admitted 29 February →
28 February in a common year). Each interruption before it pushes it later by its length, so
`party_age(admission, history, today=milestone_date(...)).days` is exactly the length of the
uninterrupted span — the property the hypothesis tests check.
"""

import datetime
from collections.abc import Iterable

from handbook.members.party_age import ENDING, INTERRUPTING
from handbook.members.validators import add_months, add_years

#: Occasions on which badges are usually presented: (day, month).
OCCASIONS = [(3, 2), (19, 5), (2, 9), (7, 11)]


def milestone_date(
    admission: datetime.date | None, history: Iterable[tuple[datetime.date, str]], years: int
) -> datetime.date | None:
    """The day the member's party age reaches `years`, or None when it never will on the
    record as it stands (still removed or expelled, or deceased first)."""
    if admission is None:
        return None
    need = (add_years(admission, years) - admission).days
    counting, since, total = True, admission, 0
    stopping = INTERRUPTING | ENDING
    for day, status in sorted(history):
        day = max(day, admission)
        if counting and status in stopping:
            span = (day - since).days
            if total + span >= need:
                return since + datetime.timedelta(days=need - total)
            total += span
            counting = False
        elif not counting and status not in stopping:
            counting, since = True, day
        if status in ENDING:
            return None
    if counting:
        return since + datetime.timedelta(days=need - total)
    return None


def early_months(years: int, bands: list[dict]) -> int:
    """Months early a seriously ill member may receive the `years` badge (0 if no band)."""
    for band in bands:
        if band["from"] <= years <= band["to"]:
            return band["months"]
    return 0


def eligibility(reach: datetime.date | None, award_date: datetime.date, months_early: int) -> str | None:
    """'due' when the milestone is reached by the award date, 'early' when within the early
    months after it (only for the seriously ill), else None."""
    if reach is None:
        return None
    if reach <= award_date:
        return "due"
    if reach <= add_months(award_date, months_early):
        return "early"
    return None


def next_occasions(today: datetime.date, count: int = 4) -> list[datetime.date]:
    """The next `count` usual award occasions from today (today included)."""
    found: list[datetime.date] = []
    year = today.year
    while len(found) < count:
        for day, month in OCCASIONS:
            d = datetime.date(year, month, day)
            if d >= today and len(found) < count:
                found.append(d)
        year += 1
    return found
