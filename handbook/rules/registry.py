"""Every rule key the rulebook knows: its type, a readable label, help, and how to validate it.

A rule set version stores plain JSON. Each key is declared here once, with a `RuleType` that
turns the stored JSON into a typed Python value (`load`), turns the text of a form field into JSON
(`parse`) and back (`as_text`), and refuses wrong values with a translated message. Keys that are
not declared are refused, so a typo cannot create a rule nobody reads.
"""

import datetime
import decimal
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handbook.core.errors import RuleViolation

FRACTION_RE = re.compile(r"^\s*(>=|≥|>)?\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")


def parse_fraction(rule: str) -> tuple[bool, int, int]:
    """'2/3' -> (False, 2, 3): at least two thirds; '>1/2' -> (True, 1, 2): more than half."""
    match = FRACTION_RE.match(rule or "") if isinstance(rule, str) else None
    if not match:
        raise RuleViolation(
            _("Write a share as “2/3” (at least two thirds) or “>1/2” (more than half)."), code="bad_fraction"
        )
    strict = match.group(1) == ">"
    num, den = int(match.group(2)), int(match.group(3))
    if den == 0 or num == 0 or num > den:
        raise RuleViolation(_("A share must be more than 0 and at most 1, e.g. “2/3”."), code="bad_fraction")
    return strict, num, den


class RuleType:
    """How one kind of value is stored (JSON), shown, typed in, and checked."""

    #: Shown under the form field: how to type a value of this kind.
    hint: Any = ""

    def load(self, raw: Any) -> Any:
        """Stored JSON -> typed Python value; raises RuleViolation if the JSON is of the wrong shape."""
        raise NotImplementedError

    def parse(self, text: str) -> Any:
        """Text from a form field -> JSON to store (validated)."""
        raise NotImplementedError

    def as_text(self, raw: Any) -> str:
        """Stored JSON -> the text a form field shows."""
        raise NotImplementedError

    def check(self, raw: Any) -> Any:
        """Validate stored/submitted JSON; returns it normalised."""
        self.load(raw)
        return raw


def _wrong(message: str) -> RuleViolation:
    return RuleViolation(message, code="wrong_type")


@dataclass(frozen=True)
class Integer(RuleType):
    minimum: int = 0
    maximum: int = 10_000
    hint: Any = gettext_lazy("A whole number.")

    def load(self, raw):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _wrong(_("Enter a whole number."))
        if not self.minimum <= raw <= self.maximum:
            raise _wrong(_("Enter a number from %(min)s to %(max)s.") % {"min": self.minimum, "max": self.maximum})
        return raw

    def parse(self, text):
        try:
            return self.check(int(str(text).strip()))
        except ValueError as exc:
            raise _wrong(_("Enter a whole number.")) from exc

    def as_text(self, raw):
        return str(raw)


@dataclass(frozen=True)
class Fraction(RuleType):
    """A share such as "2/3" (at least) or ">1/2" (more than); kept as that text."""

    hint: Any = gettext_lazy("“2/3” means at least two thirds; “>1/2” means more than half.")

    def load(self, raw):
        if not isinstance(raw, str):
            raise _wrong(_("Write a share as “2/3” (at least two thirds) or “>1/2” (more than half)."))
        strict, num, den = parse_fraction(raw)
        return f"{'>' if strict else ''}{num}/{den}"

    def check(self, raw):
        return self.load(raw)

    def parse(self, text):
        return self.check(str(text).strip())

    def as_text(self, raw):
        return str(raw)


@dataclass(frozen=True)
class IntegerList(RuleType):
    """Whole numbers, strictly increasing (badge milestones)."""

    minimum: int = 1
    maximum: int = 200
    hint: Any = gettext_lazy("Whole numbers separated by commas, smallest first.")

    def load(self, raw):
        if not isinstance(raw, list) or not raw:
            raise _wrong(_("Enter at least one number."))
        for value in raw:
            if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
                raise _wrong(
                    _("Each number must be a whole number from %(min)s to %(max)s.")
                    % {"min": self.minimum, "max": self.maximum}
                )
        if any(b <= a for a, b in zip(raw, raw[1:], strict=False)):
            raise _wrong(_("List the numbers from smallest to largest, each once."))
        return list(raw)

    def parse(self, text):
        try:
            values = [int(part) for part in re.split(r"[,;\s]+", str(text).strip()) if part]
        except ValueError as exc:
            raise _wrong(_("Enter whole numbers separated by commas.")) from exc
        return self.check(values)

    def as_text(self, raw):
        return ", ".join(str(v) for v in raw)


@dataclass(frozen=True)
class CodeList(RuleType):
    """An ordered list of codes, each from a fixed vocabulary (discipline forms, lightest first)."""

    choices: dict = field(default_factory=dict)
    hint: Any = gettext_lazy("Codes separated by commas, in order.")

    def load(self, raw):
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
            raise _wrong(_("Choose at least one form."))
        unknown = [v for v in raw if v not in self.choices]
        if unknown:
            raise _wrong(
                _("Unknown code(s): %(codes)s. Known: %(known)s.")
                % {"codes": ", ".join(unknown), "known": ", ".join(self.choices)}
            )
        if len(set(raw)) != len(raw):
            raise _wrong(_("List each form once."))
        return list(raw)

    def parse(self, text):
        return self.check([part for part in re.split(r"[,;\s]+", str(text).strip()) if part])

    def as_text(self, raw):
        return ", ".join(raw)

    def labels(self, raw) -> list[str]:
        return [str(self.choices.get(code, code)) for code in raw]


@dataclass(frozen=True)
class DateList(RuleType):
    """ISO dates (public holidays); loaded as a sorted list of `datetime.date`."""

    hint: Any = gettext_lazy("Dates as YYYY-MM-DD, separated by commas or on separate lines.")

    def load(self, raw):
        if not isinstance(raw, list):
            raise _wrong(_("Enter dates as YYYY-MM-DD."))
        days = []
        for value in raw:
            try:
                days.append(datetime.date.fromisoformat(value))
            except (TypeError, ValueError) as exc:
                raise _wrong(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}) from exc
        return sorted(set(days))

    def check(self, raw):
        return [d.isoformat() for d in self.load(raw)]

    def parse(self, text):
        return self.check([part for part in re.split(r"[,;\s]+", str(text).strip()) if part])

    def as_text(self, raw):
        return "\n".join(raw)


@dataclass(frozen=True)
class LevelBands(RuleType):
    """Classification levels with the lowest score of each, best first: [["excellent", 90], ...].

    Loaded as a dict level -> minimum points in that order (JSON objects lose their key order in
    PostgreSQL's jsonb, so the stored form is a list of pairs)."""

    levels: dict = field(default_factory=dict)
    hint: Any = gettext_lazy("One level a line, best first: “excellent: 90” (the lowest score of that level).")

    def load(self, raw):
        if not isinstance(raw, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], int) for p in raw
        ):
            raise _wrong(_("Enter one level a line as “level: lowest score”."))
        codes = [p[0] for p in raw]
        if sorted(codes) != sorted(self.levels):
            raise _wrong(_("Give each of these levels once: %(known)s.") % {"known": ", ".join(self.levels)})
        mins = [p[1] for p in raw]
        if any(b >= a for a, b in zip(mins, mins[1:], strict=False)) or mins[-1] != 0 or mins[0] > 1000:
            raise _wrong(_("Lowest scores must go down from the best level to the last, which starts at 0."))
        return {code: points for code, points in raw}

    def parse(self, text):
        pairs = []
        for line in str(text).splitlines():
            if not line.strip():
                continue
            code, sep, points = line.partition(":")
            try:
                pairs.append([code.strip(), int(points.strip())])
            except ValueError as exc:
                raise _wrong(_("Enter one level a line as “level: lowest score”.")) from exc
            if not sep:
                raise _wrong(_("Enter one level a line as “level: lowest score”."))
        return self.check(pairs)

    def as_text(self, raw):
        return "\n".join(f"{code}: {points}" for code, points in raw)


@dataclass(frozen=True)
class MonthsByRange(RuleType):
    """Months allowed for ranges of a number (early badge award by party age): [[30, 65, 12], ...]."""

    hint: Any = gettext_lazy("One range a line: “30-65: 12” (from 30 to 65 years: 12 months).")

    def load(self, raw):
        if not isinstance(raw, list) or not raw:
            raise _wrong(_("Enter one range a line as “from-to: months”."))
        last = -1
        rows = []
        for row in raw:
            if (
                not isinstance(row, list)
                or len(row) != 3
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in row)
            ):
                raise _wrong(_("Enter one range a line as “from-to: months”."))
            low, high, months = row
            if low <= last or high < low or not 0 <= months <= 120:
                raise _wrong(_("Ranges must not overlap, go upwards, and give 0 to 120 months."))
            last = high
            rows.append({"from": low, "to": high, "months": months})
        return rows

    def check(self, raw):
        self.load(raw)
        return raw

    def parse(self, text):
        rows = []
        for line in str(text).splitlines():
            if not line.strip():
                continue
            match = re.match(r"^\s*(\d+)\s*[-–]\s*(\d+)\s*:\s*(\d+)\s*$", line)
            if not match:
                raise _wrong(_("Enter one range a line as “from-to: months”."))
            rows.append([int(g) for g in match.groups()])
        return self.check(rows)

    def as_text(self, raw):
        return "\n".join(f"{low}-{high}: {months}" for low, high, months in raw)


@dataclass(frozen=True)
class DecimalValue(RuleType):
    minimum: decimal.Decimal = decimal.Decimal(0)
    maximum: decimal.Decimal = decimal.Decimal(100)
    hint: Any = gettext_lazy("A number; use a point for decimals, e.g. 0.5.")

    def load(self, raw):
        try:
            value = decimal.Decimal(str(raw))
        except decimal.InvalidOperation as exc:
            raise _wrong(_("Enter a number.")) from exc
        if isinstance(raw, bool) or not value.is_finite() or not self.minimum <= value <= self.maximum:
            raise _wrong(_("Enter a number from %(min)s to %(max)s.") % {"min": self.minimum, "max": self.maximum})
        return value

    def check(self, raw):
        return str(self.load(raw))

    def parse(self, text):
        return self.check(str(text).strip().replace(",", "."))

    def as_text(self, raw):
        return str(raw)


@dataclass(frozen=True)
class RuleKey:
    """One declared rule: `rs.value(key)` returns `type.load(stored JSON)`."""

    key: str
    type: RuleType
    label: Any
    help: Any = ""
    #: Extra check on the whole version's loaded values (e.g. age_min < age_max); returns a message or None.
    validator: Any = None

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]


MEMBER_DISCIPLINE = {
    "reprimand": gettext_lazy("reprimand"),
    "warning": gettext_lazy("warning"),
    "removal_from_post": gettext_lazy("removal from post"),
    "expulsion": gettext_lazy("expulsion"),
}
ORGANIZATION_DISCIPLINE = {
    "reprimand": gettext_lazy("reprimand"),
    "warning": gettext_lazy("warning"),
    "dissolution": gettext_lazy("dissolution"),
}
REVIEW_LEVELS = {
    "excellent": gettext_lazy("excellent (tasks completed excellently)"),
    "good": gettext_lazy("good (tasks completed well)"),
    "completed": gettext_lazy("completed"),
    "not_completed": gettext_lazy("not completed"),
}

GROUPS = {
    "admission": gettext_lazy("Admission"),
    "probation": gettext_lazy("Probation"),
    "transfer": gettext_lazy("Transfer"),
    "review": gettext_lazy("Review and classification"),
    "discipline": gettext_lazy("Discipline"),
    "badges": gettext_lazy("Party badges"),
    "meetings": gettext_lazy("Meetings and votes"),
    "calendar": gettext_lazy("Calendar"),
}


def _ages(values: dict) -> str | None:
    if values.get("admission.age_min", 0) > values.get("admission.age_max", 10_000):
        return _("The lowest admission age is above the highest.")
    return None


def _temporary(values: dict) -> str | None:
    if values.get("transfer.temporary_min_months", 0) > values.get("transfer.temporary_max_months", 10_000):
        return _("The shortest temporary transfer is longer than the longest.")
    return None


def _check_in(values: dict) -> str | None:
    if values.get("meetings.check_in_closes_minutes", 10_000) <= 0:
        return _("Check-in must stay open for some time after the start.")
    return None


def _review_scale(values: dict) -> str | None:
    levels = values.get("review.levels")
    if levels and max(levels.values()) > values.get("review.scale_max", 10_000):
        return _("A level starts above the top of the scale.")
    return None


def _early(values: dict) -> str | None:
    milestones = values.get("badges.milestones") or []
    bands = values.get("badges.early_months") or []
    for years in milestones:
        if not any(b["from"] <= years <= b["to"] for b in bands):
            return _("The early-award ranges do not cover the %(years)s-year badge.") % {"years": years}
    return None


_KEYS = [
    RuleKey("admission.age_min", Integer(14, 100), gettext_lazy("Youngest age at admission (years)")),
    RuleKey(
        "admission.age_max",
        Integer(14, 100),
        gettext_lazy("Oldest age at admission (years)"),
        gettext_lazy("Older applicants need a decision from a higher committee."),
        _ages,
    ),
    RuleKey(
        "admission.awareness_certificate_months",
        Integer(1, 240),
        gettext_lazy("Party-awareness course certificate valid for (months)"),
    ),
    RuleKey(
        "admission.introducer_min_years",
        Integer(0, 20),
        gettext_lazy("Introducers worked with the applicant for at least (years)"),
    ),
    RuleKey(
        "admission.cell_vote_threshold",
        Fraction(),
        gettext_lazy("Cell vote to admit (share of official members in favour)"),
    ),
    RuleKey(
        "admission.committee_vote_threshold",
        Fraction(),
        gettext_lazy("Grassroots committee vote to admit (share in favour)"),
    ),
    RuleKey(
        "admission.ceremony_working_days",
        Integer(1, 365),
        gettext_lazy("Admission ceremony within (working days of the decision)"),
    ),
    RuleKey(
        "admission.stall_days",
        Integer(1, 3650),
        gettext_lazy("An admission case is stalled after (days without a step)"),
        gettext_lazy("Before the decision; the ceremony has its own deadline."),
    ),
    RuleKey("probation.months", Integer(1, 60), gettext_lazy("Probation lasts (months)")),
    RuleKey(
        "probation.decision_working_days",
        Integer(1, 365),
        gettext_lazy("Vote on official membership within (working days after probation)"),
    ),
    RuleKey(
        "transfer.present_working_days",
        Integer(1, 365),
        gettext_lazy("Present the transfer letter within (working days)"),
    ),
    RuleKey("transfer.temporary_min_months", Integer(0, 60), gettext_lazy("Temporary transfer: at least (months)")),
    RuleKey(
        "transfer.temporary_max_months",
        Integer(1, 60),
        gettext_lazy("Temporary transfer: under (months)"),
        "",
        _temporary,
    ),
    RuleKey("transfer.study_max_months", Integer(1, 120), gettext_lazy("Temporary transfer to study: up to (months)")),
    RuleKey("review.scale_max", Integer(1, 1000), gettext_lazy("Review score scale: top score")),
    RuleKey(
        "review.levels",
        LevelBands(levels=REVIEW_LEVELS),
        gettext_lazy("Classification levels and their lowest scores"),
        gettext_lazy("Levels: excellent, good, completed, not_completed."),
        _review_scale,
    ),
    RuleKey(
        "discipline.member_forms",
        CodeList(choices=MEMBER_DISCIPLINE),
        gettext_lazy("Discipline forms for members (lightest first)"),
        gettext_lazy("Codes: reprimand, warning, removal_from_post, expulsion."),
    ),
    RuleKey(
        "discipline.organization_forms",
        CodeList(choices=ORGANIZATION_DISCIPLINE),
        gettext_lazy("Discipline forms for organisations (lightest first)"),
        gettext_lazy("Codes: reprimand, warning, dissolution."),
    ),
    RuleKey("discipline.appeal_days", Integer(1, 365), gettext_lazy("Appeal a discipline decision within (days)")),
    RuleKey(
        "discipline.vote_threshold",
        Fraction(),
        gettext_lazy("A discipline decision passes with (share of the voting body in favour)"),
    ),
    RuleKey(
        "badges.milestones",
        IntegerList(1, 100),
        gettext_lazy("Party badges at (years of party age)"),
    ),
    RuleKey(
        "badges.early_months",
        MonthsByRange(),
        gettext_lazy("Early award for the seriously ill (months early, by badge)"),
        "",
        _early,
    ),
    RuleKey(
        "meetings.check_in_opens_minutes",
        Integer(0, 24 * 60),
        gettext_lazy("Check-in opens before the start (minutes)"),
    ),
    RuleKey(
        "meetings.check_in_closes_minutes",
        Integer(0, 24 * 60),
        gettext_lazy("Check-in closes after the start (minutes)"),
        "",
        _check_in,
    ),
    RuleKey("meetings.quorum", Fraction(), gettext_lazy("Quorum (share of those summoned present)")),
    RuleKey(
        "meetings.default_threshold",
        Fraction(),
        gettext_lazy("A motion passes with (share of those present in favour)"),
    ),
    RuleKey(
        "meetings.qualified_threshold",
        Fraction(),
        gettext_lazy("A motion needing a qualified majority passes with (share of those summoned in favour)"),
    ),
    RuleKey(
        "meetings.small_secret_group",
        Integer(0, 1000),
        gettext_lazy("Warn when a secret ballot has fewer voters than"),
        gettext_lazy("With so few voters a secret result may reveal individual choices: the result carries a warning."),
    ),
    RuleKey(
        "calendar.holidays",
        DateList(),
        gettext_lazy("Public holidays (not working days)"),
        gettext_lazy("Review every year when the government announces the holidays and days off in lieu."),
    ),
]

REGISTRY: dict[str, RuleKey] = {k.key: k for k in _KEYS}


def get(key: str) -> RuleKey:
    from .rulebook import UnknownRule

    try:
        return REGISTRY[key]
    except KeyError:
        raise UnknownRule(_("There is no rule “%(key)s”.") % {"key": key}, code="unknown_rule", field=key) from None


def validate_values(values: Any) -> dict:
    """Check a whole version's values: every declared key present, no unknown key, each of the
    right type, and the cross-key checks. Raises one RuleViolation listing every problem by key."""
    if not isinstance(values, dict):
        raise RuleViolation(_("Rule values must be an object of key: value."), code="wrong_type")
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    loaded: dict[str, Any] = {}
    for key in values:
        if key not in REGISTRY:
            errors[key] = _("There is no rule “%(key)s”.") % {"key": key}
    for key, spec in REGISTRY.items():
        if key not in values:
            errors[key] = _("This rule needs a value.")
            continue
        try:
            clean[key] = spec.type.check(values[key])
            loaded[key] = spec.type.load(clean[key])
        except RuleViolation as exc:
            errors[key] = str(exc.message)
    if not errors:
        for spec in REGISTRY.values():
            message = spec.validator(loaded) if spec.validator else None
            if message:
                errors[spec.key] = message
    if errors:
        first = next(iter(errors))
        code = "unknown_rule" if first not in REGISTRY else "invalid_rule"
        raise RuleViolation(
            _("Some rules are not valid: %(keys)s.") % {"keys": ", ".join(errors)},
            code=code,
            field=first,
            errors=errors,
        )
    return clean
