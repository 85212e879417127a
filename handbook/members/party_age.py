"""Party age: time as a member from the admission decision, minus interruptions.

An interruption runs from removal from the rolls or expulsion until re-admission; death ends the
count. Other statuses (probationary, official, exempt, temporarily away, transferred out) count.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

INTERRUPTING = {"removed", "expelled"}
ENDING = {"deceased"}
DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True)
class PartyAge:
    days: int

    @property
    def years(self) -> int:
        return int(self.days // DAYS_PER_YEAR)

    @property
    def months(self) -> int:
        """Whole months beyond the whole years."""
        rest = self.days - self.years * DAYS_PER_YEAR
        return int(rest // (DAYS_PER_YEAR / 12))


def party_age(
    admission: datetime.date | None, history: Iterable[tuple[datetime.date, str]], *, today: datetime.date
) -> PartyAge:
    """`history` holds (effective date, new status) pairs in any order."""
    if admission is None or admission > today:
        return PartyAge(0)
    counting, since, total = True, admission, 0
    for day, status in sorted(history):
        day = min(max(day, admission), today)
        if counting and status in INTERRUPTING | ENDING:
            total += (day - since).days
            counting = False
        elif not counting and status not in INTERRUPTING | ENDING:
            counting, since = True, day
        if status in ENDING:
            return PartyAge(total)
    if counting:
        total += (today - since).days
    return PartyAge(total)
