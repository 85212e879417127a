"""Date arithmetic of the admission rules (pure functions, tested with hypothesis)."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Completed years of age on `day`: the most years k with `add_months(born, 12k) <= day`
    (so, like every other date rule here, a 29 February birthday falls on 28 February)."""
    years = day.year - born.year
    if add_months(born, 12 * years) > day:
        years -= 1
    return years


def certificate_expiry(issued: datetime.date, months: int) -> datetime.date:
    """The last day a certificate issued on `issued` and valid for `months` months is valid."""
    return add_months(issued, months) - datetime.timedelta(days=1)


def ceremony_due(decision: datetime.date, rs) -> datetime.date:
    """The last day for the admission ceremony: the rulebook's number of working days after the
    decision (the decision day itself not counted)."""
    from handbook.rules import rulebook

    return rulebook.working_days_after(decision, rs.value("admission.ceremony_working_days"), rs)


def vote_passes(votes_for: int, members: int, rule: str) -> bool:
    """Whether `votes_for` of `members` meets the share `rule` ("2/3", ">1/2", ...)."""
    from handbook.rules import rulebook

    return votes_for >= rulebook.fraction_threshold(members, rule)


def worked_long_enough(since: datetime.date, application: datetime.date, years: int) -> bool:
    """Whether someone who worked with the applicant from `since` had done so for `years` full
    years on the application date."""
    return since <= add_months(application, -12 * years)
