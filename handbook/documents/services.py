"""Document services: draft, publish (now or scheduled), correct (versions kept), withdraw,
attachments; reading, confirming, bookmarking, studying; reminders; feedback. Each change to
documents or feedback is audited in its own transaction.

Publishing writes the document and its few audience rows, nothing per recipient: it costs the
same for a cell of 30 as for the whole nation. Notices to the audience are a background job.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.accounts.models import Role
from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization

from . import files, search
from .models import (
    Attachment,
    Audience,
    Bookmark,
    Document,
    DocumentType,
    DocumentVersion,
    Feedback,
    QuizQuestion,
    Receipt,
    Reminder,
    StudyMode,
    StudyRecord,
)

CONTENT_FIELDS = ("number", "title", "type", "issued_on", "summary", "body")
SETTINGS_FIELDS = ("requires_ack", "study_mode", "study_deadline")
AUDIENCE_ROLES = {"", *Role.values}


def _search_text(document: Document) -> str:
    return " ".join(filter(None, (document.number, document.title, document.summary, document.body)))


def _validate(fields: dict) -> None:
    errors = {}
    if "title" in fields and not (fields["title"] or "").strip():
        errors["title"] = _("A document needs a title.")
    if "type" in fields and fields["type"] not in DocumentType.values:
        errors["type"] = _("Choose a document type.")
    if "issued_on" in fields and not isinstance(fields["issued_on"], datetime.date):
        errors["issued_on"] = _("Give the date the document was issued.")
    elif "issued_on" in fields and fields["issued_on"] > timezone.localdate():
        errors["issued_on"] = _("The date issued cannot be in the future.")
    if "study_mode" in fields and fields["study_mode"] not in StudyMode.values:
        errors["study_mode"] = _("Choose how the document is studied.")
    if fields.get("study_mode") and not fields.get("study_deadline"):
        errors["study_deadline"] = _("A document assigned for study needs a deadline.")
    if errors:
        field, message = next(iter(errors.items()))
        raise RuleViolation(message, code="invalid", field=field, errors=errors)


def _clean_audience(issuer: Organization, audience) -> list[tuple[Organization, str]]:
    """Each addressee must lie in the issuer's subtree; roles must exist."""
    cleaned: list[tuple[Organization, str]] = []
    for org, role in audience or [(issuer, "")]:
        if org.status != Organization.Status.ACTIVE or not org.path.startswith(issuer.path):
            raise RuleViolation(
                _("A document can only be sent within the issuing organisation's own subtree."), field="audience"
            )
        if role not in AUDIENCE_ROLES:
            raise RuleViolation(_("Unknown role."), field="audience")
        if (org.pk, role) not in {(o.pk, r) for o, r in cleaned}:
            cleaned.append((org, role))
    return cleaned


def _set_audience(document: Document, audience: list[tuple[Organization, str]]) -> None:
    document.audience.all().delete()
    Audience.objects.bulk_create(
        Audience(document=document, organization=org, path=org.path, role=role) for org, role in audience
    )


def _audience_repr(audience) -> list[str]:
    return [f"{org.path}:{role or '*'}" for org, role in audience]


@transaction.atomic
def document_create(
    *,
    actor: Any,
    issuer: Organization,
    title: str,
    issued_on: datetime.date,
    type: str = DocumentType.NOTICE,
    number: str = "",
    summary: str = "",
    body: str = "",
    requires_ack: bool = False,
    study_mode: str = "",
    study_deadline: datetime.date | None = None,
    audience: list[tuple[Organization, str]] | None = None,
) -> Document:
    fields = {
        "title": (title or "").strip(),
        "issued_on": issued_on,
        "type": type,
        "number": (number or "").strip(),
        "summary": summary or "",
        "body": body or "",
        "requires_ack": bool(requires_ack),
        "study_mode": study_mode or "",
        "study_deadline": study_deadline if study_mode else None,
    }
    _validate(fields)
    if issuer.status != Organization.Status.ACTIVE:
        raise RuleViolation(_("An archived organisation cannot issue documents."), field="issuer")
    cleaned = _clean_audience(issuer, audience)
    document = Document(issuer=issuer, issuer_path=issuer.path, created_by=_user(actor), **fields)
    document.search_text = _search_text(document)
    document.save()
    _set_audience(document, cleaned)
    search.index_document(document)
    audit_record(
        actor=actor,
        event_type=EventType.DOCUMENT_CREATED,
        obj=document,
        after={**fields, "audience": _audience_repr(cleaned)},
    )
    return document


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("issuer").get(pk=document.pk)


@transaction.atomic
def document_update(
    *, actor: Any, document: Document, note: str = "", audience: list[tuple[Organization, str]] | None = None, **fields
) -> Document:
    """Change a draft; or correct a published document, keeping the previous content as a version
    (its audience is told). Settings (acknowledgement, study) can change; a withdrawn document can't."""
    unknown = set(fields) - set(CONTENT_FIELDS) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    document = _locked(document)
    if document.state == Document.State.WITHDRAWN:
        raise RuleViolation(_("A withdrawn document cannot be changed."), code="withdrawn")
    if "study_mode" in fields and not fields["study_mode"]:
        fields["study_deadline"] = None
    merged = {name: fields.get(name, getattr(document, name)) for name in (*CONTENT_FIELDS, *SETTINGS_FIELDS)}
    checked = {k: merged[k] for k in fields}
    if merged["study_mode"]:
        checked.update(study_mode=merged["study_mode"], study_deadline=merged["study_deadline"])
    _validate(checked)
    changed = {name: value for name, value in fields.items() if getattr(document, name) != value}
    if audience is not None and document.state != Document.State.DRAFT:
        raise RuleViolation(_("The audience of a published document cannot change; issue a new one."), field="audience")
    if not changed and audience is None:
        return document
    before = {name: getattr(document, name) for name in changed}
    corrected = document.state == Document.State.PUBLISHED and any(name in CONTENT_FIELDS for name in changed)
    if corrected:
        if not (note or "").strip():
            raise RuleViolation(_("Say what was corrected."), field="note")
        DocumentVersion.objects.create(
            document=document,
            version=document.version,
            replaced_at=timezone.now(),
            replaced_by=_user(actor),
            note=note.strip()[:300],
            **{name: getattr(document, name) for name in CONTENT_FIELDS},
        )
        document.version += 1
    for name, value in changed.items():
        setattr(document, name, value)
    document.search_text = _search_text(document)
    document.save()
    after = dict(changed)
    if audience is not None:
        cleaned = _clean_audience(document.issuer, audience)
        before["audience"] = [f"{a.path}:{a.role or '*'}" for a in document.audience.all()]
        _set_audience(document, cleaned)
        after["audience"] = _audience_repr(cleaned)
    search.index_document(document)
    audit_record(
        actor=actor,
        event_type=EventType.DOCUMENT_CORRECTED if corrected else EventType.DOCUMENT_UPDATED,
        obj=document,
        before=before,
        after={**after, **({"version": document.version, "note": note} if corrected else {})},
    )
    if corrected:
        from . import notices

        notices.announce(document, "document.corrected", f"document:{document.pk}:v{document.version}")
    return document


@transaction.atomic
def document_publish(*, actor: Any, document: Document, publish_at: datetime.datetime | None = None) -> Document:
    """Publish a draft now, or schedule it: it reaches its audience at `publish_at`. All or
    nothing: the document, its state and the audit event commit together, and the notices are
    queued only once they have."""
    document = _locked(document)
    if document.state != Document.State.DRAFT:
        raise RuleViolation(_("Only a draft can be published."), code="not_draft")
    if not document.audience.exists():
        raise RuleViolation(_("Choose who receives the document."), field="audience")
    if document.study_mode == StudyMode.QUIZ and not document.questions.exists():
        raise RuleViolation(_("Set the quiz questions before publishing."), field="study_mode")
    now = timezone.now()
    document.publish_at = max(publish_at or now, now)
    document.state = Document.State.PUBLISHED
    document.save(update_fields=["publish_at", "state", "updated_at"])
    audit_record(
        actor=actor,
        event_type=EventType.DOCUMENT_PUBLISHED,
        obj=document,
        before={"state": Document.State.DRAFT},
        after={"state": document.state, "publish_at": document.publish_at},
    )
    from . import notices

    notices.announce(document, "document.published", f"document:{document.pk}:published", at=document.publish_at)
    return document


@transaction.atomic
def document_withdraw(*, actor: Any, document: Document, reason: str) -> Document:
    document = _locked(document)
    if document.state != Document.State.PUBLISHED:
        raise RuleViolation(_("Only a published document can be withdrawn."), code="not_published")
    if not (reason or "").strip():
        raise RuleViolation(_("Give the reason for withdrawing it."), field="reason")
    document.state = Document.State.WITHDRAWN
    document.withdrawn_at = timezone.now()
    document.withdrawn_reason = reason.strip()[:300]
    document.save(update_fields=["state", "withdrawn_at", "withdrawn_reason", "updated_at"])
    audit_record(
        actor=actor,
        event_type=EventType.DOCUMENT_WITHDRAWN,
        obj=document,
        before={"state": Document.State.PUBLISHED},
        after={"state": document.state, "reason": document.withdrawn_reason},
    )
    return document


@transaction.atomic
def attachment_add(
    *, actor: Any, document: Document, data: bytes, filename: str, generated: bool = False
) -> Attachment:
    document = _locked(document)
    if document.state == Document.State.WITHDRAWN:
        raise RuleViolation(_("A withdrawn document cannot be changed."), code="withdrawn")
    kind, content_type, extension = files.check(data)
    name = (filename or "").strip().replace("/", "_").replace("\\", "_")[:200] or f"attachment.{extension}"
    stored = files.store(data, extension)
    try:
        attachment = Attachment.objects.create(
            document=document,
            kind=kind,
            stored_name=stored,
            original_name=name,
            content_type=content_type,
            size=len(data),
            generated=generated,
        )
        audit_record(
            actor=actor,
            event_type=EventType.DOCUMENT_ATTACHMENT_ADDED,
            obj=document,
            after={"attachment": name, "kind": kind, "size": len(data), "generated": generated},
        )
    except Exception:
        files.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    document = _locked(attachment.document)
    if document.state == Document.State.WITHDRAWN:
        raise RuleViolation(_("A withdrawn document cannot be changed."), code="withdrawn")
    stored, name = attachment.stored_name, attachment.original_name
    attachment.delete()
    audit_record(
        actor=actor, event_type=EventType.DOCUMENT_ATTACHMENT_REMOVED, obj=document, before={"attachment": name}
    )
    transaction.on_commit(lambda: files.delete(stored))


def _reader(user) -> dict:
    from handbook.members.models import Member

    member = None
    if user.member_id:
        member = Member.objects.filter(pk=user.member_id).select_related("organization").first()
    return {"member": member, "cell_path": member.organization.path if member else ""}


def document_read(*, user: Any, document: Document) -> Receipt:
    """Record the first reading (later readings change nothing). Not audited: reading is not a
    change to member or organisation data, and the receipt itself is the record."""
    receipt = Receipt.objects.filter(document=document, user=user).first()
    if receipt is not None:
        return receipt
    try:
        with transaction.atomic():
            return Receipt.objects.create(document=document, user=user, read_at=timezone.now(), **_reader(user))
    except IntegrityError:
        return Receipt.objects.get(document=document, user=user)


def document_acknowledge(*, user: Any, document: Document) -> Receipt:
    if not document.requires_ack:
        raise RuleViolation(_("This document does not ask for a confirmation."), code="no_ack")
    receipt = document_read(user=user, document=document)
    if receipt.acknowledged_at is None:
        Receipt.objects.filter(pk=receipt.pk, acknowledged_at__isnull=True).update(acknowledged_at=timezone.now())
        receipt.refresh_from_db()
    return receipt


def bookmark_set(*, user: Any, document: Document, on: bool) -> bool:
    if on:
        Bookmark.objects.get_or_create(document=document, user=user)
    else:
        Bookmark.objects.filter(document=document, user=user).delete()
    return on


@transaction.atomic
def quiz_set(*, actor: Any, document: Document, questions: list[dict], pass_mark: int) -> Document:
    """Replace the study quiz: questions with 2–6 options and one correct answer each."""
    document = _locked(document)
    if document.state != Document.State.DRAFT:
        raise RuleViolation(_("The quiz can only be changed while the document is a draft."), code="not_draft")
    if not questions:
        raise RuleViolation(_("Add at least one question."), field="questions")
    for i, question in enumerate(questions, start=1):
        options = [str(o).strip() for o in question.get("options", []) if str(o).strip()]
        if not str(question.get("text", "")).strip() or not 2 <= len(options) <= 6:
            raise RuleViolation(_("Question %(n)s needs a text and 2 to 6 answers.") % {"n": i}, field="questions")
        if not isinstance(question.get("correct"), int) or not 0 <= question["correct"] < len(options):
            raise RuleViolation(_("Question %(n)s needs its correct answer marked.") % {"n": i}, field="questions")
        question["options"] = options
    if not 0 <= pass_mark <= len(questions):
        raise RuleViolation(_("The pass mark must be between 0 and the number of questions."), field="pass_mark")
    document.questions.all().delete()
    QuizQuestion.objects.bulk_create(
        QuizQuestion(
            document=document, position=i, text=q["text"].strip()[:500], options=q["options"], correct=q["correct"]
        )
        for i, q in enumerate(questions, start=1)
    )
    document.study_mode = StudyMode.QUIZ
    document.quiz_pass_mark = pass_mark
    document.save(update_fields=["study_mode", "quiz_pass_mark", "updated_at"])
    audit_record(
        actor=actor,
        event_type=EventType.DOCUMENT_QUIZ_SET,
        obj=document,
        after={"questions": len(questions), "pass_mark": pass_mark},
    )
    return document


def study_complete(*, user: Any, document: Document, reflection: str = "", answers: list[int] | None = None):
    """Mark the document studied: with a reflection, or with quiz answers (scored; a member who
    does not reach the pass mark may try again)."""
    if not document.study_mode:
        raise RuleViolation(_("This document is not assigned for study."), code="no_study")
    if StudyRecord.objects.filter(document=document, user=user).exists():
        raise RuleViolation(_("You have already studied this document."), code="already_studied")
    score = None
    if document.study_mode == StudyMode.REFLECTION:
        reflection = (reflection or "").strip()
        if len(reflection) < 10:
            raise RuleViolation(_("Write a short reflection (at least a sentence)."), field="reflection")
        answers = []
    else:
        questions = list(document.questions.all())
        answers = list(answers or [])
        if len(answers) != len(questions) or not all(isinstance(a, int) for a in answers):
            raise RuleViolation(_("Answer every question."), field="answers")
        score = sum(1 for q, a in zip(questions, answers, strict=True) if q.correct == a)
        if score < document.quiz_pass_mark:
            raise RuleViolation(
                _("%(score)s of %(total)s correct; %(needed)s are needed. Read the document again and retry.")
                % {"score": score, "total": len(questions), "needed": document.quiz_pass_mark},
                code="quiz_failed",
                field="answers",
            )
    document_read(user=user, document=document)
    try:
        with transaction.atomic():
            return StudyRecord.objects.create(
                document=document,
                user=user,
                completed_at=timezone.now(),
                reflection=reflection[:2000],
                answers=answers,
                score=score,
                **_reader(user),
            )
    except IntegrityError as exc:
        raise RuleViolation(_("You have already studied this document."), code="already_studied") from exc


@transaction.atomic
def reminder_send(*, actor: Any, document: Document, organization: Organization) -> Reminder:
    """Remind everyone in the audience under `organization` who has not read the document."""
    if document.state != Document.State.PUBLISHED or document.publish_at > timezone.now():
        raise RuleViolation(_("Only a published document can be reminded of."), code="not_published")
    reminder = Reminder.objects.create(
        document=document, organization=organization, sent_by=_user(actor), sent_at=timezone.now()
    )
    audit_record(
        actor=actor,
        event_type=EventType.DOCUMENT_REMINDER_SENT,
        obj=document,
        after={"organization": organization.pk, "reminder": reminder.pk},
    )
    from . import notices

    notices.remind(document, organization, reminder)
    return reminder


@transaction.atomic
def feedback_send(
    *, actor: Any, organization: Organization, subject: str, body: str, document: Document | None = None
) -> Feedback:
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = _("Give your feedback a subject.")
    if not (body or "").strip():
        errors["body"] = _("Write your opinion or question.")
    if errors:
        field, message = next(iter(errors.items()))
        raise RuleViolation(message, field=field, errors=errors)
    feedback = Feedback.objects.create(
        author=actor,
        member_id=actor.member_id,
        organization=organization,
        path=organization.path,
        document=document,
        subject=subject.strip()[:200],
        body=body.strip()[:5000],
    )
    audit_record(
        actor=actor,
        event_type=EventType.FEEDBACK_SENT,
        obj=feedback,
        after={"organization": organization.pk, "document": document.pk if document else None},
    )
    return feedback


@transaction.atomic
def feedback_answer(*, actor: Any, feedback: Feedback, answer: str) -> Feedback:
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.status == Feedback.Status.CLOSED:
        raise RuleViolation(_("This feedback is closed."), code="closed")
    if not (answer or "").strip():
        raise RuleViolation(_("Write the answer."), field="answer")
    before = {"status": feedback.status}
    feedback.answer = answer.strip()[:5000]
    feedback.answered_by = actor
    feedback.answered_at = timezone.now()
    feedback.status = Feedback.Status.ANSWERED
    feedback.save()
    audit_record(
        actor=actor,
        event_type=EventType.FEEDBACK_ANSWERED,
        obj=feedback,
        before=before,
        after={"status": feedback.status},
    )
    from . import notices

    notices.feedback_answered(feedback)
    return feedback


@transaction.atomic
def feedback_close(*, actor: Any, feedback: Feedback) -> Feedback:
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.status == Feedback.Status.CLOSED:
        return feedback
    before = {"status": feedback.status}
    feedback.status = Feedback.Status.CLOSED
    feedback.closed_at = timezone.now()
    feedback.save()
    audit_record(
        actor=actor,
        event_type=EventType.FEEDBACK_CLOSED,
        obj=feedback,
        before=before,
        after={"status": feedback.status},
    )
    return feedback
