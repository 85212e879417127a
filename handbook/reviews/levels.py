"""The 100-point scale and its classification levels, read from the rule set version.

`review.levels` is an ordered dict, best level first, of the lowest score of each level
(2025: excellent 90, good 70, completed 50, not completed 0); `review.scale_max` is the top score.
"""

from django.utils.translation import gettext as _

from handbook.core.errors import RuleViolation
from handbook.rules.registry import REVIEW_LEVELS

#: Best first, as the rulebook's vocabulary; summaries and tables use this order.
LEVEL_CODES = tuple(REVIEW_LEVELS)


def bands(rs) -> dict[str, int]:
    return rs.value("review.levels")


def scale_max(rs) -> int:
    return rs.value("review.scale_max")


def level_for(score: int, levels: dict[str, int]) -> str:
    """The level whose band holds `score`: the best level whose lowest score is ≤ score."""
    for code, lowest in levels.items():
        if score >= lowest:
            return code
    raise RuleViolation(_("A score cannot be negative."), code="bad_score", field="score")


def level_label(code: str) -> str:
    return str(REVIEW_LEVELS.get(code, code))


def check_score(score, rs, field: str = "score") -> int:
    top = scale_max(rs)
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= top:
        raise RuleViolation(_("Enter a score from 0 to %(max)s.") % {"max": top}, code="bad_score", field=field)
    return score


def check_level(level: str, field: str = "level") -> str:
    if level not in REVIEW_LEVELS:
        raise RuleViolation(
            _("Choose one of the levels: %(known)s.") % {"known": ", ".join(level_label(c) for c in LEVEL_CODES)},
            code="bad_level",
            field=field,
        )
    return level


def resolve_level(score: int, level: str, reason: str, rs, *, field: str = "level") -> str:
    """The level to store for `score`: the score's band, or another level given with a reason."""
    computed = level_for(score, bands(rs))
    if not level:
        return computed
    check_level(level, field)
    if level != computed and not (reason or "").strip():
        raise RuleViolation(
            _("A score of %(score)s falls in the level “%(band)s”; give a reason to choose “%(level)s” instead.")
            % {"score": score, "band": level_label(computed), "level": level_label(level)},
            code="level_needs_reason",
            field="reason",
        )
    return level
