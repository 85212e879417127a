"""The admission date and share rules, checked over many generated cases (hypothesis)."""

import datetime
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.admissions import dates
from handbook.rules import rulebook
from handbook.rules.models import RuleSet, RuleSetVersion

HOLIDAYS = ["2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02", "2026-01-01"]


def version(working_days: int = 30) -> RuleSetVersion:
    """An unsaved version: the arithmetic needs no database."""
    return RuleSetVersion(
        rule_set=RuleSet(name="t"),
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values={"calendar.holidays": HOLIDAYS, "admission.ceremony_working_days": working_days},
    )


days = st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2060, 12, 31))
recent = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2026, 6, 30))


def brute_age(born: datetime.date, day: datetime.date) -> int:
    k = 0
    while dates.add_months(born, 12 * (k + 1)) <= day:
        k += 1
    return k


@settings(max_examples=300, deadline=None)
@given(born=days, day=days)
def test_age_counts_completed_years(born, day):
    if day < born:
        born, day = day, born
    assert dates.age_on(born, day) == brute_age(born, day)


@given(born=days)
def test_age_changes_exactly_on_the_birthday(born):
    for years in (18, 60):
        birthday = dates.add_months(born, 12 * years)
        assert dates.age_on(born, birthday) == years
        assert dates.age_on(born, birthday - datetime.timedelta(days=1)) == years - 1


@settings(max_examples=300)
@given(day=days, months=st.integers(min_value=-240, max_value=240))
def test_adding_months_keeps_the_day_or_the_month_end(day, months):
    result = dates.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + datetime.timedelta(days=1)).day == 1)


@settings(max_examples=300)
@given(issued=days, months=st.integers(min_value=1, max_value=240))
def test_a_certificate_is_valid_until_the_day_before_the_same_date_months_later(issued, months):
    expires = dates.certificate_expiry(issued, months)
    assert expires >= issued
    assert expires + datetime.timedelta(days=1) == dates.add_months(issued, months)


@settings(max_examples=300)
@given(application=days, years=st.integers(min_value=0, max_value=20), shift=st.integers(-800, 800))
def test_introducers_need_the_full_number_of_years(application, years, shift):
    boundary = dates.add_months(application, -12 * years)
    since = boundary + datetime.timedelta(days=shift)
    assert dates.worked_long_enough(since, application, years) == (shift <= 0)


@settings(max_examples=200, deadline=None)
@given(decision=recent, n=st.integers(min_value=1, max_value=90))
def test_the_ceremony_is_due_n_working_days_after_the_decision(decision, n):
    rs = version(n)
    due = dates.ceremony_due(decision, rs)
    assert rulebook.working_days_between(decision, due, rs) == n
    assert rulebook.is_working_day(due, rs)
    # The day before the deadline is one working day short (or not a working day at all).
    assert rulebook.working_days_between(decision, due - datetime.timedelta(days=1), rs) == n - 1


@settings(max_examples=500)
@given(
    members=st.integers(min_value=0, max_value=300),
    data=st.data(),
    rule=st.sampled_from(["2/3", "1/2", ">1/2", "3/4"]),
)
def test_a_vote_passes_exactly_when_the_share_is_reached(members, data, rule):
    votes_for = data.draw(st.integers(min_value=0, max_value=members))
    strict = rule.startswith(">")
    share = Fraction(rule.lstrip(">"))
    reached = Fraction(votes_for) > share * members if strict else Fraction(votes_for) >= share * members
    assert dates.vote_passes(votes_for, members, rule) == reached
