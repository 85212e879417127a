"""Discussion and minutes of a meeting."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation

from . import services
from .guests import display_name
from .models import Amendment, Comment, Meeting, Minutes


@transaction.atomic
def comment_add(*, actor: Any, meeting: Meeting, text: str, reply_to: Comment | None = None) -> Comment:
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Write your opinion."), field="text")
    if len(text) > 5000:
        raise RuleViolation(_("At most %(n)s characters.") % {"n": 5000}, field="text")
    if meeting.state != Meeting.State.PUBLISHED:
        raise RuleViolation(_("This meeting is not open."), code="not_published")
    if hasattr(meeting, "minutes") and meeting.minutes.finalised_at:
        raise RuleViolation(_("The minutes are final: the discussion is closed."), code="closed")
    if reply_to is not None and reply_to.meeting_id != meeting.pk:
        raise RuleViolation(_("Reply to an opinion of this meeting."), code="wrong_meeting")
    comment = Comment.objects.create(meeting=meeting, author=actor, text=text, reply_to=reply_to)
    audit_record(actor=actor, event_type=EventType.COMMENT_ADDED, obj=meeting, after={"comment": comment.pk})
    return comment


@transaction.atomic
def comment_take_in(*, actor: Any, comment: Comment, taken_in: bool = True) -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    comment.taken_in = taken_in
    comment.save(update_fields=["taken_in"])
    audit_record(
        actor=actor,
        event_type=EventType.COMMENT_TAKEN_IN,
        obj=comment.meeting,
        after={"comment": comment.pk, "taken_in": taken_in},
    )
    return comment


def draft_text(meeting: Meeting) -> str:
    """Minutes drafted from the meeting's data: attendance, agenda, opinions taken in, votes."""
    summary = services.summary(meeting)
    lines = [
        _("MINUTES OF THE MEETING"),
        f"{meeting.organization.name} — {meeting.title}",
        _("Time: %(when)s. Place: %(place)s.")
        % {"when": timezone.localtime(meeting.starts_at).strftime("%H:%M %d/%m/%Y"), "place": meeting.place or "—"},
        _("Attendance: %(present)s/%(expected)s present (%(rate)s%%); %(excused)s excused; %(absent)s absent.")
        % summary,
    ]
    guests = list(meeting.guests.select_related("user", "user__member"))
    if guests:
        lines.append(_("Invited guests:"))
        for guest in guests:
            note = f" ({guest.role_note})" if guest.role_note else ""
            state = _("present") if guest.present_at else _("absent")
            lines.append(f"- {display_name(guest.user)}{note}: {state}")
    lines += [
        "",
        _("Agenda:"),
        meeting.agenda or "—",
        "",
        _("Opinions taken into the resolution:"),
    ]
    taken = list(meeting.comments.filter(taken_in=True))
    lines += [f"- {c.text}" for c in taken] or ["—"]
    lines += ["", _("Votes:")]
    for motion in meeting.motions.all():
        if motion.result:
            counts = ", ".join(f"{o}: {n}" for o, n in zip(motion.options, motion.result["counts"], strict=False))
            verdict = _("adopted") if motion.result["adopted"] else _("not adopted")
            lines.append(f"- {motion.title}: {counts} — {verdict}")
        else:
            lines.append(f"- {motion.title}: {motion.get_state_display()}")
    return "\n".join(str(line) for line in lines)


@transaction.atomic
def minutes_save(*, actor: Any, meeting: Meeting, text: str | None = None) -> Minutes:
    """Create the draft (generated) or save the secretary's edit. Final minutes never change."""
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is not None and minutes.finalised_at:
        raise RuleViolation(_("The minutes are final; add an amendment instead."), code="final")
    if minutes is None:
        minutes = Minutes.objects.create(meeting=meeting, text=text if text is not None else draft_text(meeting))
    elif text is not None:
        minutes.text = text
        minutes.save(update_fields=["text"])
    audit_record(actor=actor, event_type=EventType.MINUTES_SAVED, obj=meeting, after={"length": len(minutes.text)})
    return minutes


@transaction.atomic
def minutes_finalise(*, actor: Any, meeting: Meeting) -> Minutes:
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise RuleViolation(_("Draft the minutes first."), code="no_minutes")
    if minutes.finalised_at:
        raise RuleViolation(_("The minutes are already final."), code="final")
    minutes.finalised_at = timezone.now()
    minutes.finalised_by = actor
    minutes.save(update_fields=["finalised_at", "finalised_by"])
    audit_record(actor=actor, event_type=EventType.MINUTES_FINALISED, obj=meeting, after={"text": minutes.text})
    return minutes


@transaction.atomic
def minutes_amend(*, actor: Any, meeting: Meeting, text: str) -> Amendment:
    minutes = Minutes.objects.filter(meeting=meeting, finalised_at__isnull=False).first()
    if minutes is None:
        raise RuleViolation(_("Only final minutes take amendments."), code="not_final")
    if not (text or "").strip():
        raise RuleViolation(_("Write the correction."), field="text")
    amendment = Amendment.objects.create(minutes=minutes, text=text.strip(), author=actor)
    audit_record(
        actor=actor,
        event_type=EventType.MINUTES_AMENDED,
        obj=meeting,
        after={"amendment": amendment.pk, "text": amendment.text},
    )
    return amendment


def resolution_draft(meeting: Meeting) -> str:
    """A starting text for the resolution: the agenda, the adopted questions, the opinions taken in."""
    lines = [_("RESOLUTION"), f"{meeting.organization.name} — {meeting.title}", "", _("The cell resolves:")]
    adopted = [m for m in meeting.motions.all() if m.result and m.result.get("adopted")]
    lines += [f"{i}. {m.title}" for i, m in enumerate(adopted, start=1)] or ["—"]
    taken = list(meeting.comments.filter(taken_in=True))
    if taken:
        lines += ["", _("Taking in the members' opinions:")] + [f"- {c.text}" for c in taken]
    return "\n".join(str(line) for line in lines)


@transaction.atomic
def resolution_issue(*, actor: Any, meeting: Meeting, title: str, text: str):
    """Issue the resolution the meeting adopted to the cell's members (a document they read and
    confirm). Needs final minutes and at least one adopted question; issued once."""
    from handbook.documents import services as documents

    meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    if meeting.resolution_id:
        raise RuleViolation(_("The resolution of this meeting was already issued."), code="already_issued")
    if not Minutes.objects.filter(meeting=meeting, finalised_at__isnull=False).exists():
        raise RuleViolation(_("Finalise the minutes before issuing the resolution."), code="not_final")
    if not any(m.result and m.result.get("adopted") for m in meeting.motions.all()):
        raise RuleViolation(_("No question was adopted at this meeting."), code="nothing_adopted")
    if not (text or "").strip():
        raise RuleViolation(_("Write the resolution."), field="text")
    document = documents.document_create(
        actor=actor,
        issuer=meeting.organization,
        type="resolution",
        title=(title or "").strip() or _("Resolution: %(title)s") % {"title": meeting.title},
        issued_on=min(timezone.localdate(meeting.starts_at), timezone.localdate()),
        body=text.strip(),
        requires_ack=True,
        audience=[(meeting.organization, "")],
    )
    document = documents.document_publish(actor=actor, document=document)
    meeting.resolution = document
    meeting.save(update_fields=["resolution"])
    audit_record(actor=actor, event_type=EventType.RESOLUTION_ISSUED, obj=meeting, after={"document": document.pk})
    return document
