"""Working days and vote shares: properties checked over many generated cases (hypothesis)."""

import datetime
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.core.errors import RuleViolation
from handbook.rules import rulebook
from handbook.rules.models import RuleSet, RuleSetVersion

HOLIDAYS = [
    datetime.date(2025, 1, 1),
    datetime.date(2025, 1, 27),
    datetime.date(2025, 1, 28),
    datetime.date(2025, 1, 29),
    datetime.date(2025, 1, 30),
    datetime.date(2025, 1, 31),
    datetime.date(2025, 4, 30),
    datetime.date(2025, 5, 1),
    datetime.date(2025, 5, 3),  # a Saturday: no effect
    datetime.date(2025, 9, 2),
]


def version(holidays=HOLIDAYS) -> RuleSetVersion:
    """An unsaved version holding only a calendar: the arithmetic needs no database."""
    return RuleSetVersion(
        rule_set=RuleSet(name="t"),
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values={"calendar.holidays": [d.isoformat() for d in holidays]},
    )


RS = version()
days = st.dates(min_value=datetime.date(2024, 11, 1), max_value=datetime.date(2025, 12, 31))
counts = st.integers(min_value=0, max_value=400)


def brute_between(a, b, rs):
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    n = 0
    d = a
    while d < b:
        d += datetime.timedelta(days=1)
        n += rulebook.is_working_day(d, rs)
    return sign * n


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=400))
def test_the_result_is_a_working_day(start, n):
    result = rulebook.working_days_after(start, n, RS)
    assert result > start
    assert result.weekday() < 5
    assert result not in RS.holidays


@settings(max_examples=300, deadline=None)
@given(start=days, n=counts)
def test_between_undoes_after(start, n):
    assert rulebook.working_days_between(start, rulebook.working_days_after(start, n, RS), RS) == n


@settings(max_examples=300, deadline=None)
@given(start=days, n=counts, m=counts)
def test_after_is_monotonic_and_adds_up(start, n, m):
    a = rulebook.working_days_after(start, n, RS)
    b = rulebook.working_days_after(start, n + m, RS)
    assert a <= b
    if m:
        assert a < b
    assert rulebook.working_days_after(a, m, RS) == b


@settings(max_examples=300, deadline=None)
@given(a=days, b=days)
def test_between_counts_exactly_the_working_days(a, b):
    assert rulebook.working_days_between(a, b, RS) == brute_between(a, b, RS)
    assert rulebook.working_days_between(a, b, RS) == -rulebook.working_days_between(b, a, RS)


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=60))
def test_weekends_and_holidays_are_skipped(start, n):
    result = rulebook.working_days_after(start, n, RS)
    skipped = [
        start + datetime.timedelta(days=i)
        for i in range(1, (result - start).days)
        if not rulebook.is_working_day(start + datetime.timedelta(days=i), RS)
    ]
    assert (result - start).days == n + len(skipped)


@settings(max_examples=100, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=60))
def test_a_holiday_only_ever_pushes_the_deadline_later(start, n):
    without = rulebook.working_days_after(start, n, version([]))
    assert rulebook.working_days_after(start, n, RS) >= without


def test_tet_2025_examples():
    # Friday 24 Jan 2025 + 1 working day: Tết (27–31 Jan) and the weekends are skipped.
    assert rulebook.working_days_after(datetime.date(2025, 1, 24), 1, RS) == datetime.date(2025, 2, 3)
    assert rulebook.working_days_between(datetime.date(2025, 1, 24), datetime.date(2025, 2, 3), RS) == 1
    assert rulebook.working_days_after(datetime.date(2025, 1, 24), 0, RS) == datetime.date(2025, 1, 24)
    with pytest.raises(RuleViolation):
        rulebook.working_days_after(datetime.date(2025, 1, 24), -1, RS)


def satisfies(k: int, n: int, rule: str) -> bool:
    strict = rule.startswith(">")
    share = Fraction(rule.lstrip(">=≥"))
    return k > share * n if strict else k >= share * n


shares = st.tuples(st.integers(1, 12), st.integers(1, 12)).filter(lambda t: t[0] <= t[1])


@settings(max_examples=500, deadline=None)
@given(n=st.integers(min_value=0, max_value=2000), share=shares, strict=st.booleans())
def test_fraction_threshold_is_the_smallest_count_that_satisfies(n, share, strict):
    rule = f"{'>' if strict else ''}{share[0]}/{share[1]}"
    k = rulebook.fraction_threshold(n, rule)
    assert satisfies(k, n, rule)
    assert k == 0 or not satisfies(k - 1, n, rule)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=1, max_value=2000), share=shares)
def test_strict_needs_one_more_exactly_when_the_share_is_a_whole_count(n, share):
    p, q = share
    at_least = rulebook.fraction_threshold(n, f"{p}/{q}")
    more_than = rulebook.fraction_threshold(n, f">{p}/{q}")
    assert more_than == at_least + (1 if (p * n) % q == 0 else 0)


def test_fraction_examples():
    assert rulebook.fraction_threshold(9, "2/3") == 6
    assert rulebook.fraction_threshold(10, "2/3") == 7
    assert rulebook.fraction_threshold(10, ">1/2") == 6
    assert rulebook.fraction_threshold(11, ">1/2") == 6
    assert rulebook.fraction_threshold(10, ">=1/2") == 5
    assert rulebook.fraction_threshold(0, "2/3") == 0
    assert rulebook.fraction_threshold(3, ">1/1") == 4  # cannot be met
    for bad in ("3/2", "0/3", "1/0", "half", ""):
        with pytest.raises(RuleViolation):
            rulebook.fraction_threshold(10, bad)
    with pytest.raises(RuleViolation):
        rulebook.fraction_threshold(-1, "2/3")
