"""Pure checks of member data. Each returns None when the value is right, else the message to show.

No database access here: the member services call these, and so will imports and the data
quality view, so a record is judged the same way everywhere.
"""

import datetime

from django.utils.translation import gettext as _

from .reference import CCCD_PROVINCES, CCCD_SEX_CENTURY, MOBILE_PREFIXES

#: Used only where no organisation (hence no rule set) is known; the services pass the rulebook's
#: `admission.age_min` and `probation.months` in force for the cell on the admission date.
ADULT_AGE = 18
PROBATION_MONTHS = 12


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def cccd_problem(cccd: str, *, sex: str | None, date_of_birth: datetime.date | None) -> str | None:
    """12 ASCII digits; a known province code; the sex/century digit and the two year digits
    agreeing with the record's sex and date of birth."""
    if len(cccd) != 12 or not (cccd.isascii() and cccd.isdigit()):
        return _("A citizen ID (CCCD) has exactly 12 digits.")
    if cccd[:3] not in CCCD_PROVINCES:
        return _("The first three digits of the citizen ID (%(code)s) are not a province code.") % {"code": cccd[:3]}
    century, id_sex = CCCD_SEX_CENTURY[cccd[3]]
    if sex and id_sex != sex:
        return _("The 4th digit of the citizen ID says the holder is %(sex)s, but the record says otherwise.") % {
            "sex": _("male") if id_sex == "M" else _("female")
        }
    if date_of_birth is not None:
        year = century + int(cccd[4:6])
        if year != date_of_birth.year:
            return _("The citizen ID says born in %(year)s, but the date of birth is in %(born)s.") % {
                "year": year,
                "born": date_of_birth.year,
            }
    return None


def normalize_phone(value: str) -> str:
    digits = "".join(ch for ch in (value or "") if ch.isascii() and ch.isdigit())
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def phone_problem(value: str) -> str | None:
    """A Vietnamese mobile (10 digits, 03/05/07/08/09…) or landline (11 digits, 02…) number."""
    digits = normalize_phone(value)
    if len(digits) == 10 and digits.startswith(MOBILE_PREFIXES):
        return None
    if len(digits) == 11 and digits.startswith("02"):
        return None
    return _("Enter a Vietnamese phone number: 10 digits for a mobile (e.g. 0912 345 678) or 11 for a landline.")


def not_future_problem(day: datetime.date | None, *, today: datetime.date) -> str | None:
    if day is not None and day > today:
        return _("This date is in the future.")
    return None


def admission_problem(
    admission: datetime.date | None, *, date_of_birth: datetime.date | None, min_age: int = ADULT_AGE
) -> str | None:
    if admission and date_of_birth and admission < add_years(date_of_birth, min_age):
        return _("A member is admitted at %(age)s years of age or older.") % {"age": min_age}
    return None


def official_date_problem(
    official: datetime.date | None, *, admission: datetime.date | None, probation_months: int = PROBATION_MONTHS
) -> str | None:
    if official is None:
        return None
    if admission is None:
        return _("Enter the admission date before the official-membership date.")
    if official < add_months(admission, probation_months):
        return _("Official membership comes at least %(months)s months after admission.") % {"months": probation_months}
    return None


def period_problem(start: datetime.date | None, end: datetime.date | None) -> str | None:
    if start and end and end < start:
        return _("The end date is before the start date.")
    return None


DATE_FIELDS = (
    "date_of_birth",
    "admission_date",
    "official_date",
    "youth_union_date",
    "military_enlisted",
    "military_discharged",
)


def record_problems(
    data: dict,
    *,
    today: datetime.date,
    sexes,
    statuses,
    theory_levels,
    min_age: int = ADULT_AGE,
    probation_months: int = PROBATION_MONTHS,
) -> dict[str, str]:
    """Every problem of one member record, by field: the same judgement for forms, API and imports.

    `data` holds the record's values already parsed (dates as dates). The choice lists and the
    rulebook's numbers (minimum admission age, probation length) are passed in so this module needs
    no model import.
    """
    problems: dict[str, str] = {}

    def report(field: str, message: str | None) -> None:
        if message and field not in problems:
            problems[field] = message

    name = data.get("full_name") or ""
    if not name:
        report("full_name", _("Enter the member's full name."))
    elif len(name) > 150:
        report("full_name", _("The name is longer than 150 characters."))
    if data.get("sex") not in sexes:
        report("sex", _("Choose the member's sex."))
    if data.get("status") not in statuses:
        report("status", _("Choose a valid status."))
    if data.get("political_theory", "") not in theory_levels:
        report("political_theory", _("Choose a level of political theory from the list."))
    for field in DATE_FIELDS:
        value = data.get(field)
        if value is not None and not isinstance(value, datetime.date):
            report(field, _("Enter a valid date."))
        else:
            report(field, not_future_problem(value, today=today))
    dob = data.get("date_of_birth")
    if dob is None:
        report("date_of_birth", _("Enter a valid date of birth."))
    dob = dob if isinstance(dob, datetime.date) else None
    report("cccd", cccd_problem(data.get("cccd") or "", sex=data.get("sex"), date_of_birth=dob))
    code = data.get("birth_province_code") or ""
    if code:
        if code not in CCCD_PROVINCES:
            report("birth_province_code", _("Choose a province from the list."))
        elif (data.get("cccd") or "")[:3] != code:
            report("cccd", _("The citizen ID was issued for another province of birth registration."))
    if data.get("phone"):
        report("phone", phone_problem(data["phone"]))
    admission = data.get("admission_date") if isinstance(data.get("admission_date"), datetime.date) else None
    report("admission_date", admission_problem(admission, date_of_birth=dob, min_age=min_age))
    official = data.get("official_date") if isinstance(data.get("official_date"), datetime.date) else None
    report("official_date", official_date_problem(official, admission=admission, probation_months=probation_months))
    if data.get("status") == "official" and admission and not official:
        report("official_date", _("An official member needs the official-membership date."))
    report("military_discharged", period_problem(data.get("military_enlisted"), data.get("military_discharged")))
    return problems
