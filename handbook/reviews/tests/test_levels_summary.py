"""The 100-point scale → level mapping (hypothesis), and summaries that add up."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.reviews import levels, queries, services
from handbook.rules.registry import REVIEW_LEVELS

from .factories import decide, open_period

DEFAULT_BANDS = {"excellent": 90, "good": 70, "completed": 50, "not_completed": 0}


@st.composite
def bands_and_scale(draw):
    """Any valid `review.levels` (four levels, lowest scores strictly falling to 0) and a top."""
    top = draw(st.integers(3, 1000))
    mins = sorted(draw(st.sets(st.integers(1, top), min_size=3, max_size=3)), reverse=True)
    return dict(zip(REVIEW_LEVELS, [*mins, 0], strict=True)), top


@given(st.integers(0, 100))
def test_the_2025_bands(score):
    expected = (
        "excellent" if score >= 90 else "good" if score >= 70 else "completed" if score >= 50 else "not_completed"
    )
    assert levels.level_for(score, DEFAULT_BANDS) == expected


@given(bands_and_scale(), st.data())
def test_every_score_maps_to_exactly_one_level(spec, data):
    bands, top = spec
    score = data.draw(st.integers(0, top))
    holding = [
        code
        for i, (code, lowest) in enumerate(bands.items())
        if score >= lowest and (i == 0 or score < list(bands.values())[i - 1])
    ]
    assert holding == [levels.level_for(score, bands)]


@given(bands_and_scale(), st.data())
def test_a_higher_score_never_gets_a_lower_level(spec, data):
    bands, top = spec
    a = data.draw(st.integers(0, top))
    b = data.draw(st.integers(a, top))
    rank = list(bands)
    assert rank.index(levels.level_for(b, bands)) <= rank.index(levels.level_for(a, bands))


@given(bands_and_scale())
def test_each_level_starts_at_its_lowest_score(spec):
    bands, _top = spec
    for code, lowest in bands.items():
        assert levels.level_for(lowest, bands) == code


def test_a_negative_score_has_no_level():
    with pytest.raises(RuleViolation):
        levels.level_for(-1, DEFAULT_BANDS)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scores=st.lists(st.one_of(st.none(), st.integers(0, 100)), min_size=12, max_size=12))
def test_summaries_add_up(w, scores):
    """Whatever is decided, the children add up to the total, the levels to the decided, and
    decided + not reviewed to the subjects; a drill-down gives the child's row."""
    from django.db import transaction

    with transaction.atomic():
        period = open_period(w.a)
        members = list(Member.objects.filter(organization__path__startswith=w.a.path).order_by("pk"))
        for member, score in zip(members, scores, strict=False):
            if score is not None:
                decide(period, member, score)
        s = queries.summary(period)
        total = s.total
        assert total.subjects == len(members)
        assert total.decided == sum(1 for _m, sc in zip(members, scores, strict=False) if sc is not None)
        assert sum(total.levels.values()) == total.decided
        assert total.decided + total.not_reviewed == total.subjects
        for code in REVIEW_LEVELS:
            assert sum(r.levels[code] for r in s.children) == total.levels[code]
        assert sum(r.subjects for r in s.children) == total.subjects
        if total.decided:
            assert abs(sum(total.percent(c) for c in REVIEW_LEVELS) - 100) <= 2 * 0.01 * len(REVIEW_LEVELS)
        for row in s.children:
            drill = queries.summary(period, row.organization).total
            assert (drill.subjects, drill.levels) == (row.subjects, row.levels)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_summary_counts_steps_and_the_not_reviewed(w):
    period = open_period(w.a1)
    decide(period, w.own_member, 95)
    decide(period, w.other_member, 60)
    services.review_self_assess(actor=None, period=period, subject=w.a1b.members.first(), text="x")
    s = queries.summary(period)
    a1a = next(r for r in s.children if r.organization == w.a1a)
    a1b = next(r for r in s.children if r.organization == w.a1b)
    assert (a1a.subjects, a1a.levels["excellent"], a1a.levels["completed"], a1a.not_reviewed) == (4, 1, 1, 2)
    assert a1a.percent("excellent") == 50
    assert (a1b.subjects, a1b.self_assessed, a1b.decided, a1b.not_started) == (2, 1, 0, 1)
    assert s.total.subjects == 6


@pytest.mark.django_db
def test_organisation_summaries_count_the_organisations_below(w):
    period = open_period(w.a, subject="organizations")
    decide(period, w.a1a, 91)
    s = queries.summary(period)
    assert s.total.subjects == 5  # A1, A1a, A1b, A2, A2a — not the province itself
    a1 = next(r for r in s.children if r.organization == w.a1)
    assert (a1.subjects, a1.levels["excellent"]) == (3, 1)


@pytest.mark.django_db
def test_the_summary_query_count_does_not_grow_with_the_subtree(w):
    period = open_period(w.central)
    for member in Member.objects.filter(status__in=Member.ON_ROLLS)[:8]:
        decide(period, member, 80)
    with CaptureQueriesContext(connection) as ctx:
        queries.summary(period)
    assert len(ctx) <= 3
