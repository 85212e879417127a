"""The appeal deadline and the vote threshold over many generated cases (hypothesis)."""

import datetime
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from handbook.discipline import services
from handbook.discipline.models import DisciplineCase
from handbook.rules.models import RuleSet, RuleSetVersion

days = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2027, 12, 31))
appeal_days = st.integers(min_value=1, max_value=365)


def version(n: int) -> RuleSetVersion:
    return RuleSetVersion(
        rule_set=RuleSet(name="t"),
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values={"discipline.appeal_days": n},
    )


@given(notified=days, n=appeal_days, offset=st.integers(min_value=-400, max_value=400))
def test_an_appeal_is_in_time_exactly_from_notification_to_n_days_after(notified, n, offset):
    filed = notified + datetime.timedelta(days=offset)
    assert services.appeal_in_time(notified_on=notified, filed_on=filed, days=n) == (0 <= offset <= n)


@given(notified=days, n=appeal_days)
def test_the_deadline_is_the_last_day_in_time(notified, n):
    case = DisciplineCase(notified_on=notified, rule_set=version(n))
    deadline = services.appeal_deadline(case)
    assert services.appeal_in_time(notified_on=notified, filed_on=deadline, days=n)
    assert not services.appeal_in_time(notified_on=notified, filed_on=deadline + datetime.timedelta(days=1), days=n)


def test_no_deadline_before_notification():
    assert services.appeal_deadline(DisciplineCase(notified_on=None, rule_set=version(30))) is None


shares = st.tuples(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9)).filter(
    lambda t: t[0] <= t[1]
)


@given(voters=st.integers(min_value=1, max_value=500), data=st.data(), share=shares, strict=st.booleans())
def test_a_vote_passes_exactly_when_the_share_in_favour_meets_the_rule(voters, data, share, strict):
    votes_for = data.draw(st.integers(min_value=0, max_value=voters))
    p, q = share
    rule = f"{'>' if strict else ''}{p}/{q}"
    ratio = Fraction(votes_for, voters)
    expected = ratio > Fraction(p, q) if strict else ratio >= Fraction(p, q)
    assert services.vote_passes(votes_for=votes_for, voters=voters, rule=rule) == expected


@given(voters=st.integers(min_value=1, max_value=500), data=st.data())
def test_more_than_half_means_a_strict_majority_of_the_whole_body(voters, data):
    votes_for = data.draw(st.integers(min_value=0, max_value=voters))
    # A tie never passes; one vote more than the rest always does.
    assert services.vote_passes(votes_for=votes_for, voters=voters, rule=">1/2") == (2 * votes_for > voters)
