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
    """Completed years of age on `day` (a 29 February birthday completes a year on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def certificate_expiry(issued: datetime.date, months: int) -> datetime.date:
    """The last day a certificate issued on `issued` and valid for `months` months is valid."""
    return add_months(issued, months) - datetime.timedelta(days=1)


def worked_long_enough(since: datetime.date, application: datetime.date, years: int) -> bool:
    """Whether someone who worked with the applicant from `since` had done so for `years` full
    years on the application date."""
    return since <= add_months(application, -12 * years)
