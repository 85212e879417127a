"""Probation dates: month arithmetic at month ends and the working-day deadline (hypothesis)."""

import calendar
import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.probation.dates import probation_end, probation_for
from handbook.rules import rulebook
from handbook.rules.models import RuleSet, RuleSetVersion

HOLIDAYS = [
    datetime.date(2026, 1, 1),
    datetime.date(2026, 2, 16),
    datetime.date(2026, 2, 17),
    datetime.date(2026, 9, 2),
]


def version(months=12, days=30) -> RuleSetVersion:
    return RuleSetVersion(
        rule_set=RuleSet(name="t"),
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values={
            "calendar.holidays": [d.isoformat() for d in HOLIDAYS],
            "probation.months": months,
            "probation.decision_working_days": days,
        },
    )


admissions = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2030, 12, 31))


def test_a_year_after_the_31st_of_august_is_the_31st_of_august():
    assert probation_end(datetime.date(2025, 8, 31), 12) == datetime.date(2026, 8, 31)


def test_six_months_after_the_31st_of_august_is_the_end_of_february():
    assert probation_end(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert probation_end(datetime.date(2027, 8, 31), 6) == datetime.date(2028, 2, 29)


def test_a_year_after_a_leap_day_is_the_28th_of_february():
    assert probation_end(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)


@settings(max_examples=400, deadline=None)
@given(admission=admissions, months=st.integers(min_value=1, max_value=60))
def test_the_end_is_the_same_day_months_later_or_the_month_end(admission, months):
    ends = probation_end(admission, months)
    assert (ends.year * 12 + ends.month) - (admission.year * 12 + admission.month) == months
    last = calendar.monthrange(ends.year, ends.month)[1]
    assert ends.day == min(admission.day, last)


@settings(max_examples=200, deadline=None)
@given(
    admission=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2026, 6, 30)),
    months=st.integers(min_value=1, max_value=24),
    days=st.integers(min_value=1, max_value=90),
)
def test_the_decision_is_due_that_many_working_days_after_the_end(admission, months, days):
    rs = version(months, days)
    p = probation_for(admission, rs)
    assert p.ends == probation_end(admission, months)
    assert rulebook.working_days_between(p.ends, p.decision_due, rs) == days
    assert rulebook.is_working_day(p.decision_due, rs)
    assert p.state(p.ends - datetime.timedelta(days=1)) == "running"
    assert p.state(p.ends) == "due"
    assert p.state(p.decision_due) == "due"
    assert p.state(p.decision_due + datetime.timedelta(days=1)) == "overdue"


def test_a_holiday_moves_the_deadline():
    # Probation ends Friday 2026-02-13; 16 and 17 February are holidays.
    p = probation_for(datetime.date(2025, 2, 13), version(12, 1))
    assert p.ends == datetime.date(2026, 2, 13)
    assert p.decision_due == datetime.date(2026, 2, 18)


@settings(max_examples=400, deadline=None)
@given(eligible=st.integers(min_value=1, max_value=500), data=st.data())
def test_recognition_needs_two_thirds_of_those_who_could_vote(eligible, data):
    from handbook.probation.services import cell_vote

    votes_for = data.draw(st.integers(min_value=0, max_value=eligible))
    needed, passed = cell_vote(votes_for, eligible, "2/3")
    assert passed == (3 * votes_for >= 2 * eligible)
    assert 3 * needed >= 2 * eligible > 3 * (needed - 1)
    _n, strict = cell_vote(votes_for, eligible, ">1/2")
    assert strict == (2 * votes_for > eligible)
