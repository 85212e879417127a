"""Probation date arithmetic: when probation ends and when the decision is due.

Months are calendar months clamped at month ends (admitted 31 August, 6 months → 28/29
February); the decision is due within `probation.decision_working_days` working days after the
end (the rule set's holidays are not working days).
"""

import datetime
from dataclasses import dataclass

from handbook.members.validators import add_months
from handbook.rules import rulebook


@dataclass(frozen=True)
class Probation:
    admission: datetime.date
    ends: datetime.date
    decision_due: datetime.date

    def state(self, today: datetime.date) -> str:
        """'running' before the end, 'due' from the end to the deadline, 'overdue' after it."""
        if today < self.ends:
            return "running"
        if today <= self.decision_due:
            return "due"
        return "overdue"


def probation_end(admission: datetime.date, months: int) -> datetime.date:
    """The day probation is complete: `months` calendar months after the admission decision."""
    return add_months(admission, months)


def probation_for(admission: datetime.date, rs) -> Probation:
    ends = probation_end(admission, rs.value("probation.months"))
    due = rulebook.working_days_after(ends, rs.value("probation.decision_working_days"), rs)
    return Probation(admission=admission, ends=ends, decision_due=due)
