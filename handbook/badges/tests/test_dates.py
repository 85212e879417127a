"""Badge milestones with party age interruptions, early-award margins (hypothesis)."""

import datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from handbook.badges.dates import early_months, eligibility, milestone_date, next_occasions
from handbook.members.party_age import party_age
from handbook.members.validators import add_months, add_years

BANDS = [{"from": 30, "to": 65, "months": 12}, {"from": 70, "to": 90, "months": 24}]
admissions = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2000, 12, 31))
milestones = st.sampled_from([30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90])


def test_without_interruptions_the_milestone_is_the_anniversary():
    assert milestone_date(datetime.date(1995, 9, 2), [], 30) == datetime.date(2025, 9, 2)
    assert milestone_date(datetime.date(1996, 2, 29), [], 30) == datetime.date(2026, 2, 28)


def test_a_removal_pushes_the_milestone_by_its_length():
    history = [
        (datetime.date(1995, 9, 2), "probationary"),
        (datetime.date(2000, 1, 1), "removed"),
        (datetime.date(2002, 1, 1), "official"),
    ]
    assert milestone_date(datetime.date(1995, 9, 2), history, 30) == datetime.date(2025, 9, 2) + datetime.timedelta(
        days=731
    )


def test_a_member_still_removed_or_deceased_first_never_reaches_it():
    admitted = datetime.date(1990, 1, 1)
    assert milestone_date(admitted, [(datetime.date(2000, 1, 1), "expelled")], 30) is None
    assert milestone_date(admitted, [(datetime.date(2010, 1, 1), "deceased")], 30) is None
    # Death after the milestone does not take it back.
    assert milestone_date(admitted, [(datetime.date(2025, 1, 1), "deceased")], 30) == datetime.date(2020, 1, 1)


@st.composite
def histories(draw, admission):
    """Alternating interruptions and re-admissions after the admission, maybe a death."""
    events = []
    day = admission
    for _i in range(draw(st.integers(min_value=0, max_value=4))):
        day += datetime.timedelta(days=draw(st.integers(min_value=0, max_value=4000)))
        events.append((day, draw(st.sampled_from(["removed", "expelled"]))))
        if draw(st.booleans()):
            day += datetime.timedelta(days=draw(st.integers(min_value=0, max_value=3000)))
            events.append((day, draw(st.sampled_from(["official", "probationary", "exempt"]))))
        else:
            break
    if draw(st.booleans()):
        events.append((day + datetime.timedelta(days=draw(st.integers(0, 20000))), "deceased"))
    return events


@settings(max_examples=400, deadline=None)
@given(data=st.data(), admission=admissions, years=milestones)
def test_party_age_on_the_milestone_day_is_exactly_the_milestone(data, admission, years):
    history = data.draw(histories(admission))
    reach = milestone_date(admission, history, years)
    need = (add_years(admission, years) - admission).days
    if reach is None:
        far = datetime.date(2200, 1, 1)
        assert party_age(admission, history, today=far).days < need
        return
    assert reach >= add_years(admission, years)
    assert party_age(admission, history, today=reach).days == need
    assert party_age(admission, history, today=reach - datetime.timedelta(days=1)).days == need - 1


@settings(max_examples=300, deadline=None)
@given(admission=admissions, years=milestones, award=st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 1, 1)))
def test_eligibility_margins(admission, years, award):
    reach = milestone_date(admission, [], years)
    months = early_months(years, BANDS)
    state = eligibility(reach, award, months)
    if reach <= award:
        assert state == "due"
    elif reach <= add_months(award, months):
        assert state == "early"
    else:
        assert state is None


def test_early_months_by_band():
    assert early_months(30, BANDS) == 12
    assert early_months(65, BANDS) == 12
    assert early_months(70, BANDS) == 24
    assert early_months(95, BANDS) == 0


def test_a_badge_twelve_months_early_but_not_thirteen():
    award = datetime.date(2025, 9, 2)
    assert eligibility(datetime.date(2026, 9, 2), award, 12) == "early"
    assert eligibility(datetime.date(2026, 9, 3), award, 12) is None
    assert eligibility(award, award, 12) == "due"


@given(today=st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)))
def test_next_occasions_are_the_usual_days_in_order(today):
    found = next_occasions(today)
    assume(found)
    assert len(found) == 4
    assert found == sorted(found)
    assert found[0] >= today
    assert all((d.day, d.month) in [(3, 2), (19, 5), (2, 9), (7, 11)] for d in found)
