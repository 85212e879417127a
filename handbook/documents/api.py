"""API for documents (inbox, reading, confirming, bookmarks, study, attachments; issuing and the
sender's rates) and for feedback. Objects outside your scope answer 404."""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from handbook.core import access
from handbook.core.idempotency import run_once
from handbook.organizations.models import Organization

from . import files, queries, search, services
from .models import Attachment, Bookmark, Document, Feedback, StudyRecord

router = Router(tags=["documents"])
feedback_router = Router(tags=["feedback"])


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    generated: bool


class DocumentListOut(Schema):
    id: int
    title: str
    number: str
    type: str
    issuer_id: int
    issuer: str
    issued_on: datetime.date
    publish_at: datetime.datetime | None
    state: str
    requires_ack: bool
    study_mode: str
    study_deadline: datetime.date | None
    read: bool
    acknowledged: bool
    bookmarked: bool
    studied: bool


class QuestionOut(Schema):
    position: int
    text: str
    options: list[str]


class DocumentOut(DocumentListOut):
    summary: str
    body: str
    version: int
    withdrawn_reason: str
    attachments: list[AttachmentOut]
    questions: list[QuestionOut]


class AudienceIn(Schema):
    organization_id: int
    role: str = ""


class DocumentIn(Schema):
    issuer_id: int
    title: str
    issued_on: datetime.date
    type: str = "notice"
    number: str = ""
    summary: str = ""
    body: str = ""
    requires_ack: bool = False
    study_mode: str = ""
    study_deadline: datetime.date | None = None
    audience: list[AudienceIn] = []


class PublishIn(Schema):
    publish_at: datetime.datetime | None = None


class ReasonIn(Schema):
    reason: str


class StudyIn(Schema):
    reflection: str = ""
    answers: list[int] = []


class RateOut(Schema):
    organization_id: int | None
    organization: str
    audience: int
    read: int
    acknowledged: int
    studied: int


class StatsOut(Schema):
    total: RateOut
    children: list[RateOut]


class UnreadOut(Schema):
    unread: int


def _flags(document: Document, user) -> dict:
    if hasattr(document, "is_read"):
        return {
            "read": document.is_read,
            "acknowledged": document.is_acknowledged,
            "bookmarked": document.is_bookmarked,
            "studied": document.is_studied,
        }
    receipt = document.receipts.filter(user=user).first()
    return {
        "read": receipt is not None,
        "acknowledged": bool(receipt and receipt.acknowledged_at),
        "bookmarked": Bookmark.objects.filter(document=document, user=user).exists(),
        "studied": StudyRecord.objects.filter(document=document, user=user).exists(),
    }


def _list_out(document: Document, user) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "number": document.number,
        "type": document.type,
        "issuer_id": document.issuer_id,
        "issuer": document.issuer.name,
        "issued_on": document.issued_on,
        "publish_at": document.publish_at,
        "state": document.state,
        "requires_ack": document.requires_ack,
        "study_mode": document.study_mode,
        "study_deadline": document.study_deadline,
        **_flags(document, user),
    }


def _out(document: Document, user) -> dict:
    return {
        **_list_out(document, user),
        "summary": document.summary,
        "body": document.body,
        "version": document.version,
        "withdrawn_reason": document.withdrawn_reason,
        "attachments": [
            {
                "id": a.pk,
                "kind": a.kind,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "generated": a.generated,
            }
            for a in document.attachments.all()
        ],
        "questions": [{"position": q.position, "text": q.text, "options": q.options} for q in document.questions.all()],
    }


def _readable(request, document_id: int) -> Document:
    return access.get_or_404(access.documents(request.user).select_related("issuer"), pk=document_id)


def _received(request, document_id: int) -> Document:
    return access.get_or_404(access.documents_received(request.user).select_related("issuer"), pk=document_id)


def _managed(request, document_id: int) -> Document:
    return access.get_or_404(
        access.documents_issued(request.user, manage=True).select_related("issuer"), pk=document_id
    )


@router.get("", response=list[DocumentListOut])
def inbox(request, show: str = "", q: str = "", offset: int = 0, limit: int = 50):
    """Your inbox, newest first. `show`: unread | bookmarked | study; `q`: full-text search
    (diacritics optional)."""
    qs = queries.inbox(request.user)
    if show == "unread":
        qs = qs.filter(is_read=False)
    elif show == "bookmarked":
        qs = qs.filter(is_bookmarked=True)
    elif show == "study":
        qs = qs.exclude(study_mode="").filter(is_studied=False)
    if q.strip():
        qs = search.search(qs, q)
    limit = max(1, min(limit, 100))
    return [_list_out(d, request.user) for d in qs[max(offset, 0) : max(offset, 0) + limit]]


@router.get("/unread-count", response=UnreadOut)
def unread_count(request):
    return {"unread": queries.unread_count(request.user)}


@router.get("/issued", response=list[DocumentListOut])
def issued(request, offset: int = 0, limit: int = 50):
    """Documents issued by organisations you oversee (drafts where you may issue)."""
    qs = access.documents_issued(request.user).select_related("issuer").order_by("-created_at")
    limit = max(1, min(limit, 100))
    return [_list_out(d, request.user) for d in qs[max(offset, 0) : max(offset, 0) + limit]]


@router.post("", response={201: DocumentOut})
def create(request, data: DocumentIn):
    """Draft a document (it reaches nobody until published)."""
    issuer = access.get_or_404(
        access.organizations(request.user, access.ORG_CHANGE), pk=data.issuer_id, status=Organization.Status.ACTIVE
    )
    audience = []
    for row in data.audience:
        org = access.get_or_404(access.organizations(request.user), pk=row.organization_id)
        audience.append((org, row.role))
    fields = data.dict(exclude={"issuer_id", "audience"})
    document = services.document_create(actor=request.user, issuer=issuer, audience=audience or None, **fields)
    return Status(201, _out(document, request.user))


@router.get("/{document_id}", response=DocumentOut)
def detail(request, document_id: int):
    """Read a document; your first reading is recorded (read receipt)."""
    document = _readable(request, document_id)
    if access.documents_received(request.user).filter(pk=document.pk).exists():
        services.document_read(user=request.user, document=document)
    return _out(document, request.user)


@router.post("/{document_id}/acknowledge", response=DocumentOut)
def acknowledge(request, document_id: int):
    """Confirm you have read a document that asks for it (repeating changes nothing)."""
    document = _received(request, document_id)
    services.document_acknowledge(user=request.user, document=document)
    return _out(document, request.user)


@router.put("/{document_id}/bookmark", response=DocumentOut)
def bookmark_add(request, document_id: int):
    document = _received(request, document_id)
    services.bookmark_set(user=request.user, document=document, on=True)
    return _out(document, request.user)


@router.delete("/{document_id}/bookmark", response=DocumentOut)
def bookmark_remove(request, document_id: int):
    document = _received(request, document_id)
    services.bookmark_set(user=request.user, document=document, on=False)
    return _out(document, request.user)


@router.post("/{document_id}/study", response=DocumentOut)
def study(request, document_id: int, data: StudyIn):
    """Mark the document studied, with a reflection or the quiz answers (option indexes).
    Accepts an `Idempotency-Key` header."""
    document = _received(request, document_id)

    def work():
        services.study_complete(user=request.user, document=document, reflection=data.reflection, answers=data.answers)
        # Stored for replays as JSON: dates become ISO strings, as in the response itself.
        return 200, json.loads(json.dumps(_out(document, request.user), cls=DjangoJSONEncoder))

    status, body = run_once(request, data.dict(), work)
    return Status(status, body)


@router.get("/{document_id}/attachments/{attachment_id}")
def attachment(request, document_id: int, attachment_id: int):
    """The file itself."""
    document = _readable(request, document_id)
    item = access.get_or_404(Attachment.objects.filter(document=document), pk=attachment_id)
    try:
        data = files.read(item.stored_name)
    except FileNotFoundError as exc:
        raise HttpError(404, "Not found") from exc
    response = HttpResponse(data, content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/{document_id}/attachments", response={201: AttachmentOut})
def attachment_add(request, document_id: int, file: File[UploadedFile]):
    document = _managed(request, document_id)
    item = services.attachment_add(
        actor=request.user, document=document, data=file.read(files.MAX_ATTACHMENT_BYTES + 1), filename=file.name
    )
    return Status(
        201,
        {
            "id": item.pk,
            "kind": item.kind,
            "name": item.original_name,
            "content_type": item.content_type,
            "size": item.size,
            "generated": item.generated,
        },
    )


@router.post("/{document_id}/publish", response=DocumentOut)
def publish(request, document_id: int, data: PublishIn):
    """Publish a draft now or at `publish_at`."""
    document = services.document_publish(
        actor=request.user, document=_managed(request, document_id), publish_at=data.publish_at
    )
    return _out(document, request.user)


@router.post("/{document_id}/withdraw", response=DocumentOut)
def withdraw(request, document_id: int, data: ReasonIn):
    document = services.document_withdraw(
        actor=request.user, document=_managed(request, document_id), reason=data.reason
    )
    return _out(document, request.user)


def _rate(rate) -> dict:
    org = rate.organization
    return {
        "organization_id": org.pk if org else None,
        "organization": org.name if org else "",
        "audience": rate.audience,
        "read": rate.read,
        "acknowledged": rate.acknowledged,
        "studied": rate.studied,
    }


@router.get("/{document_id}/stats", response=StatsOut)
def stats(request, document_id: int, organization_id: int | None = None):
    """Read, confirmation and study counts of the member audience under an organisation (default:
    the issuer), with one row per child organisation."""
    document = access.get_or_404(access.documents_issued(request.user).select_related("issuer"), pk=document_id)
    node = document.issuer
    if organization_id is not None:
        node = access.get_or_404(access.organizations(request.user), pk=organization_id)
        if not node.path.startswith(document.issuer_path):
            raise HttpError(404, "Not found")
    total, rows = queries.rates(document, node)
    return {"total": _rate(total), "children": [_rate(r) for r in rows]}


class FeedbackOut(Schema):
    id: int
    organization_id: int
    organization: str
    document_id: int | None
    subject: str
    body: str
    status: str
    answer: str
    answered_at: datetime.datetime | None
    created_at: datetime.datetime
    mine: bool


class FeedbackIn(Schema):
    organization_id: int
    subject: str
    body: str
    document_id: int | None = None


class AnswerIn(Schema):
    answer: str


def _feedback_out(item: Feedback, user) -> dict:
    return {
        "id": item.pk,
        "organization_id": item.organization_id,
        "organization": item.organization.name,
        "document_id": item.document_id,
        "subject": item.subject,
        "body": item.body,
        "status": item.status,
        "answer": item.answer,
        "answered_at": item.answered_at,
        "created_at": item.created_at,
        "mine": item.author_id == user.pk,
    }


@feedback_router.get("", response=list[FeedbackOut])
def feedback_list(request, status: str = "", offset: int = 0, limit: int = 50):
    """Your feedback, and feedback addressed to organisations you oversee."""
    qs = access.feedback(request.user).select_related("organization")
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 100))
    return [_feedback_out(f, request.user) for f in qs[max(offset, 0) : max(offset, 0) + limit]]


@feedback_router.post("", response={201: FeedbackOut})
def feedback_send(request, data: FeedbackIn):
    """Send an opinion or a question to your cell or a committee above it."""
    from .views import _committees

    organization = access.get_or_404(_committees(request.user), pk=data.organization_id)
    document = None
    if data.document_id is not None:
        document = access.get_or_404(access.documents_received(request.user), pk=data.document_id)
    item = services.feedback_send(
        actor=request.user, organization=organization, subject=data.subject, body=data.body, document=document
    )
    return Status(201, _feedback_out(item, request.user))


@feedback_router.get("/{feedback_id}", response=FeedbackOut)
def feedback_detail(request, feedback_id: int):
    return _feedback_out(access.get_or_404(access.feedback(request.user), pk=feedback_id), request.user)


@feedback_router.post("/{feedback_id}/answer", response=FeedbackOut)
def feedback_answer(request, feedback_id: int, data: AnswerIn):
    from .views import _may_answer

    item = access.get_or_404(access.feedback(request.user), pk=feedback_id)
    if not _may_answer(request.user, item):
        raise HttpError(403, "Forbidden")
    item = services.feedback_answer(actor=request.user, feedback=item, answer=data.answer)
    return _feedback_out(item, request.user)


@feedback_router.post("/{feedback_id}/close", response=FeedbackOut)
def feedback_close(request, feedback_id: int):
    from .views import _may_answer

    item = access.get_or_404(access.feedback(request.user), pk=feedback_id)
    if not (_may_answer(request.user, item) or item.author_id == request.user.pk):
        raise HttpError(403, "Forbidden")
    item = services.feedback_close(actor=request.user, feedback=item)
    return _feedback_out(item, request.user)
