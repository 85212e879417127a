"""The transfer's date rules over many generated cases (hypothesis): the deadline to present the
letter is the n-th working day of the rules in force, and temporary periods fit their bounds."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook.core.errors import RuleViolation
from handbook.members.validators import add_months
from handbook.rules import rulebook
from handbook.rules.models import RuleSet, RuleSetVersion
from handbook.transfers import services
from handbook.transfers.models import Transfer

HOLIDAYS = [datetime.date(2026, 1, 1), datetime.date(2026, 4, 30), datetime.date(2026, 5, 1), datetime.date(2026, 9, 2)]


def version(present=30, tmin=3, tmax=12, study=24) -> RuleSetVersion:
    """An unsaved version: the rules need no database."""
    return RuleSetVersion(
        rule_set=RuleSet(name="t"),
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values={
            "calendar.holidays": [d.isoformat() for d in HOLIDAYS],
            "transfer.present_working_days": present,
            "transfer.temporary_min_months": tmin,
            "transfer.temporary_max_months": tmax,
            "transfer.study_max_months": study,
        },
    )


days = st.dates(min_value=datetime.date(2025, 6, 1), max_value=datetime.date(2027, 6, 30))
spans = st.integers(min_value=1, max_value=1200)


@given(issued=days, n=st.integers(min_value=1, max_value=120))
def test_the_deadline_is_the_nth_working_day_after_issue(issued, n):
    rs = version(present=n)
    deadline = services.present_deadline(issued, rs)
    assert rulebook.working_days_between(issued, deadline, rs) == n
    assert rulebook.is_working_day(deadline, rs)
    # The day before the deadline still leaves one working day to go.
    assert rulebook.working_days_between(issued, deadline - datetime.timedelta(days=1), rs) == n - 1


@given(start=days, length=spans, tmin=st.integers(0, 12), extra=st.integers(1, 24))
def test_temporary_periods_are_at_least_the_minimum_and_under_the_maximum(start, length, tmin, extra):
    tmax = tmin + extra
    rs = version(tmin=tmin, tmax=tmax)
    end = start + datetime.timedelta(days=length)
    ok = services.period_problem(Transfer.Kind.TEMPORARY, start, end, rs) is None
    assert ok == (add_months(start, tmin) <= end < add_months(start, tmax))


@given(start=days, length=spans, study=st.integers(1, 60))
def test_study_transfers_last_up_to_the_maximum(start, length, study):
    rs = version(study=study)
    end = start + datetime.timedelta(days=length)
    ok = services.period_problem(Transfer.Kind.STUDY, start, end, rs) is None
    assert ok == (end <= add_months(start, study))


@given(start=days, length=st.integers(min_value=-30, max_value=0))
def test_a_period_must_end_after_it_starts(start, length):
    end = start + datetime.timedelta(days=length)
    for kind in Transfer.TEMPORARY_KINDS:
        assert services.period_problem(kind, start, end, version()) is not None


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(issued_ago=st.integers(min_value=0, max_value=80), presented_after=st.integers(min_value=0, max_value=80))
def test_a_letter_is_presented_only_by_its_deadline(w, issued_ago, presented_after):
    today = timezone.localdate()
    issued = today - datetime.timedelta(days=issued_ago)
    presented = issued + datetime.timedelta(days=min(presented_after, issued_ago))
    sid = transaction.savepoint()
    try:
        t = services.transfer_issue(
            actor=None, member=w.own_member, to_organization=w.a2a, kind="official", letter_number="1", issued_on=issued
        )
        rs = rulebook.for_organization(w.a1a, on=issued)
        n = rs.value("transfer.present_working_days")
        worked = rulebook.working_days_between(issued, presented, rs)
        # Within n working days: a weekend or holiday right after the n-th working day is too late.
        on_time = worked < n or (worked == n and rulebook.is_working_day(presented, rs))
        assert on_time == (presented <= t.present_by)
        if on_time:
            services.transfer_present(actor=None, transfer=t, presented_on=presented)
            t.refresh_from_db()
            assert t.state == Transfer.State.PRESENTED
        else:
            with pytest.raises(RuleViolation):
                services.transfer_present(actor=None, transfer=t, presented_on=presented)
        assert t.is_overdue(today) == (t.state == Transfer.State.ISSUED and today > t.present_by)
    finally:
        transaction.savepoint_rollback(sid)
