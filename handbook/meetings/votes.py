"""Votes at a meeting: open and secret ballots, frozen eligibility, thresholds and quorum, one
ballot per member, receipts and a hash-chained ballot box for secret votes.

What the secret design protects against: anyone reading the application's tables (or its API,
pages, logs) cannot link a voter to a choice — participations and ballots share no key, no order
and no timestamp; ballots are written into the box in random order when the vote closes. What it
does not protect against: someone watching the database server live while votes are cast (the
pending choice and the participation are written in one transaction so that no vote is ever lost),
or a database backup taken during the vote. Pending rows are deleted at closing. The receipt code
is shown to the voter once and stored nowhere (a retried request with the same Idempotency-Key is
told the ballot was counted, without the code): a stored code next to the voter would let anyone
recompute their choice from the public receipt hash.
"""

import hashlib
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.rules import rulebook

from .models import (
    Attendance,
    Eligibility,
    Meeting,
    Motion,
    OpenBallot,
    Participation,
    PendingSecretBallot,
    SecretBallot,
)

DEFAULT_OPTIONS = ["Đồng ý", "Không đồng ý", "Không biểu quyết"]
#: The quorum, the thresholds and the small-group warning come from the rulebook version in force
#: when the vote opens (stored on the motion): `meetings.quorum`, `meetings.default_threshold` (share
#: of those present), `meetings.qualified_threshold` (share of those summoned),
#: `meetings.small_secret_group`.


def receipt_hash(motion_id: int, code: str, choice: int) -> str:
    return hashlib.sha256(f"{motion_id}:{code}:{choice}".encode()).hexdigest()


def chain(previous: str, receipt: str, choice: int) -> str:
    """Each link covers the receipt and the choice, so no ballot can be altered, added or dropped."""
    return hashlib.sha256(f"{previous}:{receipt}:{choice}".encode()).hexdigest()


@transaction.atomic
def motion_create(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    options: list[str] | None = None,
    secret: bool = False,
    rule: str = Motion.Rule.MAJORITY_OF_PRESENT,
) -> Motion:
    title = " ".join((title or "").split())
    options = [" ".join(o.split()) for o in (options or DEFAULT_OPTIONS) if o and o.strip()]
    if not title:
        raise RuleViolation(_("Enter the question."), field="title")
    if len(options) < 2 or len(set(options)) != len(options):
        raise RuleViolation(_("Give at least two different options."), field="options")
    if rule not in Motion.Rule.values:
        raise RuleViolation(_("Choose a rule."), field="rule")
    motion = Motion.objects.create(meeting=meeting, title=title[:300], options=options, secret=secret, rule=rule)
    audit_record(
        actor=actor,
        event_type=EventType.MOTION_CREATED,
        obj=meeting,
        after={"motion": motion.pk, "title": motion.title, "secret": secret},
    )
    return motion


@transaction.atomic
def motion_open(*, actor: Any, motion: Motion) -> Motion:
    """Freeze who may vote: official members of the cell, and exempt members who are present
    (exempt members who are absent do not count in the denominator; probationary members and
    members temporarily away do not vote)."""
    motion = Motion.objects.select_for_update().select_related("meeting").get(pk=motion.pk)
    if motion.state != Motion.State.DRAFT:
        raise RuleViolation(_("This vote was already opened."), code="state")
    present_ids = set(
        Attendance.objects.filter(meeting=motion.meeting, state=Attendance.State.PRESENT).values_list(
            "member_id", flat=True
        )
    )
    roll = Member.objects.filter(
        organization=motion.meeting.organization, status__in=(Member.Status.OFFICIAL, Member.Status.EXEMPT)
    )
    rows = [
        Eligibility(motion=motion, member_id=m.pk, present=m.pk in present_ids)
        for m in roll
        if m.status == Member.Status.OFFICIAL or m.pk in present_ids
    ]
    Eligibility.objects.bulk_create(rows)
    motion.denominator = len(rows)
    motion.present = sum(1 for r in rows if r.present)
    motion.state = Motion.State.OPEN
    motion.opened_at = timezone.now()
    motion.rule_set = rulebook.for_organization(motion.meeting.organization, on=timezone.localdate())
    motion.save(update_fields=["denominator", "present", "state", "opened_at", "rule_set"])
    audit_record(
        actor=actor,
        event_type=EventType.MOTION_OPENED,
        obj=motion.meeting,
        after={"motion": motion.pk, "denominator": motion.denominator, "present": motion.present},
    )
    return motion


@transaction.atomic
def vote_cast(*, actor: Any, motion: Motion, choice: int) -> dict:
    """One ballot per eligible member. Returns a receipt code for secret votes (shown once)."""
    # Locked, and fresh (it may have closed): closing waits for ballots being cast, so a ballot whose
    # voter is recorded as having taken part is always in the tally (and none lands after it).
    motion = Motion.objects.select_for_update().only("id", "state", "options", "secret").get(pk=motion.pk)
    member_id = getattr(actor, "member_id", None)
    if motion.state != Motion.State.OPEN:
        raise RuleViolation(_("Voting is not open."), code="not_open")
    if not Eligibility.objects.filter(motion=motion, member_id=member_id).exists():
        raise RuleViolation(_("You are not on the list of voters for this question."), code="not_eligible")
    if not (isinstance(choice, int) and 0 <= choice < len(motion.options)):
        raise RuleViolation(_("Choose one of the options."), field="choice")
    try:
        # No savepoint: nothing runs after a failed insert, this function's own atomic block rolls back.
        Participation.objects.create(motion=motion, member_id=member_id)
    except IntegrityError as exc:
        raise RuleViolation(_("You have already voted on this question."), code="already_voted") from exc
    if motion.secret:
        code = secrets.token_hex(8)
        PendingSecretBallot.objects.create(
            motion=motion, choice=choice, receipt_hash=receipt_hash(motion.pk, code, choice)
        )
        return {"motion_id": motion.pk, "receipt": code}
    OpenBallot.objects.create(motion=motion, member_id=member_id, choice=choice)
    return {"motion_id": motion.pk, "receipt": None}


def _rules(motion: Motion):
    if motion.rule_set_id:
        return motion.rule_set
    return rulebook.for_organization(motion.meeting.organization, on=timezone.localdate())


def _threshold(motion: Motion, rules) -> tuple[int, str]:
    """Votes needed for the first option to pass, and the share rule applied."""
    if motion.rule == Motion.Rule.TWO_THIRDS_OF_SUMMONED:
        share = rules.value("meetings.qualified_threshold")
        return rulebook.fraction_threshold(motion.denominator, share), share
    share = rules.value("meetings.default_threshold")
    return rulebook.fraction_threshold(motion.present, share), share


@transaction.atomic
def motion_close(*, actor: Any, motion: Motion) -> Motion:
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.state != Motion.State.OPEN:
        raise RuleViolation(_("Only an open vote can be closed."), code="state")
    if motion.secret:
        pending = list(PendingSecretBallot.objects.filter(motion=motion))
        secrets.SystemRandom().shuffle(pending)
        previous = hashlib.sha256(f"motion:{motion.pk}".encode()).hexdigest()
        box = []
        for position, ballot in enumerate(pending, start=1):
            previous = chain(previous, ballot.receipt_hash, ballot.choice)
            box.append(
                SecretBallot(
                    motion=motion,
                    position=position,
                    choice=ballot.choice,
                    receipt_hash=ballot.receipt_hash,
                    chain_hash=previous,
                )
            )
        SecretBallot.objects.bulk_create(box)
        PendingSecretBallot.objects.filter(motion=motion).delete()
        choices = [b.choice for b in box]
    else:
        choices = list(OpenBallot.objects.filter(motion=motion).values_list("choice", flat=True))
    motion.state = Motion.State.CLOSED
    motion.closed_at = timezone.now()
    motion.result = tally(motion, choices)
    motion.save(update_fields=["state", "closed_at", "result"])
    audit_record(
        actor=actor,
        event_type=EventType.MOTION_CLOSED,
        obj=motion.meeting,
        after={"motion": motion.pk, "result": motion.result},
    )
    return motion


def tally(motion: Motion, choices: list[int], rules=None) -> dict:
    counts = [choices.count(i) for i in range(len(motion.options))]
    rules = rules or _rules(motion)
    needed, share = _threshold(motion, rules)
    quorum = rulebook.fraction_threshold(motion.denominator, rules.value("meetings.quorum"))
    return {
        "counts": counts,
        "ballots": len(choices),
        "denominator": motion.denominator,
        "present": motion.present,
        "needed": needed,
        "quorum": quorum,
        "quorate": motion.present >= quorum,
        "adopted": motion.present >= quorum and counts[0] >= needed,
        "rule": motion.rule,
        "share": share,
        "rule_set": rules.pk,
        "rule_set_label": str(rules.label),
        "small_group_warning": motion.secret and len(choices) < rules.value("meetings.small_secret_group"),
    }


def verify_box(motion: Motion) -> bool:
    """Anyone who may see the box can recompute the chain (and the tally from its choices)."""
    previous = hashlib.sha256(f"motion:{motion.pk}".encode()).hexdigest()
    for ballot in SecretBallot.objects.filter(motion=motion).order_by("position"):
        previous = chain(previous, ballot.receipt_hash, ballot.choice)
        if previous != ballot.chain_hash:
            return False
    return True
