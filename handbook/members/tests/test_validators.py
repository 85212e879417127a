import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from handbook.members import validators
from handbook.members.party_age import DAYS_PER_YEAR, party_age
from handbook.members.reference import CCCD_PROVINCES

TODAY = datetime.date(2026, 11, 25)
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
sexes = st.sampled_from(["M", "F"])
provinces = st.sampled_from(sorted(CCCD_PROVINCES))


def make_cccd(province: str, sex: str, born: datetime.date, serial: int) -> str:
    century_digit = {1800: 8, 1900: 0, 2000: 2}[born.year // 100 * 100] + (0 if sex == "M" else 1)
    return f"{province}{century_digit}{born.year % 100:02d}{serial:06d}"


@given(provinces, sexes, dates, st.integers(0, 999_999))
def test_a_well_formed_citizen_id_is_accepted(province, sex, born, serial):
    assert validators.cccd_problem(make_cccd(province, sex, born, serial), sex=sex, date_of_birth=born) is None


@given(provinces, sexes, dates, st.integers(0, 999_999))
def test_a_citizen_id_disagreeing_on_sex_is_refused(province, sex, born, serial):
    other = "F" if sex == "M" else "M"
    assert validators.cccd_problem(make_cccd(province, sex, born, serial), sex=other, date_of_birth=born)


@given(provinces, sexes, dates, dates, st.integers(0, 999_999))
def test_a_citizen_id_disagreeing_on_the_year_is_refused(province, sex, born, other_day, serial):
    assume(other_day.year != born.year)
    assert validators.cccd_problem(make_cccd(province, sex, born, serial), sex=sex, date_of_birth=other_day)


@given(st.text(max_size=14))
def test_anything_but_twelve_ascii_digits_is_refused(text):
    assume(not (len(text) == 12 and text.isascii() and text.isdigit()))
    assert validators.cccd_problem(text, sex=None, date_of_birth=None)


def test_an_unknown_province_code_is_refused():
    assert "003" not in CCCD_PROVINCES
    assert "(003)" in validators.cccd_problem("003080000001", sex="M", date_of_birth=None)


@given(st.sampled_from(["03", "05", "07", "08", "09"]), st.integers(0, 99_999_999), st.sampled_from(["", "+84", "84"]))
def test_vietnamese_mobile_numbers_are_accepted_in_any_usual_form(prefix, rest, country):
    number = f"{prefix}{rest:08d}"
    typed = f"{country}{number[1:]}" if country else f"{number[:4]} {number[4:7]}.{number[7:]}"
    assert validators.phone_problem(typed) is None
    assert validators.normalize_phone(typed) == number


@given(st.text(alphabet="0123456789", min_size=1, max_size=9))
def test_short_numbers_are_refused(digits):
    assert validators.phone_problem(digits)


@given(dates, st.integers(0, 80 * 365))
def test_admission_requires_eighteen_years(born, days):
    admission = born + datetime.timedelta(days=days)
    problem = validators.admission_problem(admission, date_of_birth=born)
    assert (problem is None) == (admission >= validators.add_years(born, 18))


@given(dates, st.integers(0, 5 * 365))
def test_official_membership_needs_twelve_months_of_probation(admission, days):
    official = admission + datetime.timedelta(days=days)
    problem = validators.official_date_problem(official, admission=admission)
    assert (problem is None) == (official >= validators.add_months(admission, 12))


@given(dates)
def test_future_dates_are_refused_and_past_ones_accepted(day):
    assert validators.not_future_problem(day, today=TODAY) is None
    assert validators.not_future_problem(TODAY + datetime.timedelta(days=1), today=TODAY)


statuses = st.sampled_from(["probationary", "official", "exempt", "away", "transferred", "removed", "expelled"])
histories = st.lists(st.tuples(dates, statuses), max_size=8)


@given(dates, histories)
def test_party_age_never_exceeds_the_time_since_admission(admission, history):
    age = party_age(admission, history, today=TODAY)
    assert 0 <= age.days <= (TODAY - admission).days


@given(dates)
def test_without_interruptions_party_age_is_the_time_since_admission(admission):
    age = party_age(admission, [(admission, "probationary")], today=TODAY)
    assert age.days == (TODAY - admission).days
    assert age.years == int((TODAY - admission).days // DAYS_PER_YEAR)


@given(dates, histories, dates)
def test_an_extra_interruption_never_adds_party_age(admission, history, removed_on):
    with_interruption = history + [(removed_on, "removed")]
    assert party_age(admission, with_interruption, today=TODAY).days <= party_age(admission, history, today=TODAY).days


@given(dates, histories, st.integers(0, 3650))
def test_party_age_does_not_shrink_as_time_passes(admission, history, later):
    later_day = TODAY + datetime.timedelta(days=later)
    assert party_age(admission, history, today=later_day).days >= party_age(admission, history, today=TODAY).days


def test_an_interruption_is_subtracted_exactly():
    admission = datetime.date(2000, 1, 1)
    history = [
        (admission, "probationary"),
        (datetime.date(2010, 1, 1), "removed"),
        (datetime.date(2012, 1, 1), "official"),
    ]
    age = party_age(admission, history, today=datetime.date(2020, 1, 1))
    assert (
        age.days
        == (datetime.date(2020, 1, 1) - admission).days - (datetime.date(2012, 1, 1) - datetime.date(2010, 1, 1)).days
    )
    assert age.years == 18


def test_death_ends_the_count():
    admission = datetime.date(1970, 1, 1)
    age = party_age(admission, [(datetime.date(2000, 1, 1), "deceased")], today=TODAY)
    assert age.days == (datetime.date(2000, 1, 1) - admission).days


def test_the_admission_age_and_probation_length_come_from_the_cells_rules(w):

    from handbook.core.errors import RuleViolation
    from handbook.members import services
    from handbook.rules import services as rule_services
    from handbook.rules.models import RuleSet

    today = datetime.date.today()
    born = datetime.date(1980, 3, 1)
    admitted = today - datetime.timedelta(days=300)  # ten months ago
    values = {"full_name": "Đinh Văn Mới", "sex": "M", "date_of_birth": born, "admission_date": admitted}
    with pytest.raises(RuleViolation) as err:
        services.member_create(
            actor=None, organization=w.a1a, cccd="037080999001", status="official", official_date=today, **values
        )
    assert "12" in err.value.errors["official_date"]
    # A province that keeps a six-month probation in its own rule set accepts the same record.
    default = RuleSet.objects.get(is_default=True).versions.order_by("-number").first()
    own = rule_services.rule_set_create(
        actor=w.users["admin"],
        name="Tỉnh A",
        owner=w.a,
        values={**default.values, "probation.months": 6},
        effective_from=today,
    )
    rule_services.rule_assign(actor=w.users["admin"], organization=w.a, rule_set=own.rule_set, effective_from=today)
    member = services.member_create(
        actor=None, organization=w.a1a, cccd="037080999001", status="official", official_date=today, **values
    )
    assert member.official_date == today
