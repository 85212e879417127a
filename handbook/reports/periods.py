"""Reporting periods: a month or a quarter, named by its first day. Pure date arithmetic (no
clock): callers pass `today`, so tests use fixed dates."""

import datetime

from django.utils.translation import gettext as _

MONTHLY = "monthly"
QUARTERLY = "quarterly"


def period_start(frequency: str, day: datetime.date) -> datetime.date:
    """The first day of the month or quarter that contains `day`."""
    if frequency == QUARTERLY:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return datetime.date(day.year, day.month, 1)


def is_period_start(frequency: str, day: datetime.date) -> bool:
    return period_start(frequency, day) == day


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def step(frequency: str) -> int:
    return 3 if frequency == QUARTERLY else 1


def next_period(frequency: str, start: datetime.date) -> datetime.date:
    return _add_months(start, step(frequency))


def previous_period(frequency: str, start: datetime.date) -> datetime.date:
    return _add_months(start, -step(frequency))


def period_end(frequency: str, start: datetime.date) -> datetime.date:
    """The period's last day."""
    return next_period(frequency, start) - datetime.timedelta(days=1)


def deadline(frequency: str, start: datetime.date, due_days: int) -> datetime.date:
    """The last day a report for the period counts as on time: `due_days` after the period ends."""
    return period_end(frequency, start) + datetime.timedelta(days=due_days)


def label(frequency: str, start: datetime.date) -> str:
    if frequency == QUARTERLY:
        return _("Quarter %(quarter)s/%(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return f"{start.month:02d}/{start.year}"


def recent(frequency: str, first: datetime.date, today: datetime.date, count: int = 12) -> list[datetime.date]:
    """The periods from `first` up to the one containing `today`, newest first, at most `count`."""
    current = period_start(frequency, today)
    out: list[datetime.date] = []
    while current >= first and len(out) < count:
        out.append(current)
        current = previous_period(frequency, current)
    return out


def parse(frequency: str, text: str | None) -> datetime.date | None:
    """A period from "YYYY-MM-DD" or "YYYY-MM" (any day inside it); None when unreadable."""
    if not text:
        return None
    text = text.strip()
    try:
        day = datetime.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        return None
    return period_start(frequency, day)
