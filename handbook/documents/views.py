"""Document pages: the member's inbox and reading page; the issuer's drafting, publishing and
read-rate pages; feedback both ways. Thin: the rules live in services, the reads in queries and
the access layer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization
from handbook.organizations.paths import ancestor_paths

from . import audio, files, queries, search, services
from .forms import AttachmentForm, AudienceForm, DocumentForm, FeedbackForm, QuizForm, quiz_text
from .models import Attachment, Bookmark, Document, Feedback, StudyRecord

SHOW = {"unread", "bookmarked", "study"}


def _readable(request, pk: int) -> Document:
    return access.get_or_404(access.documents(request.user).select_related("issuer"), pk=pk)


def _managed(request, pk: int) -> Document:
    return access.get_or_404(access.documents_issued(request.user, manage=True).select_related("issuer"), pk=pk)


def _attempt(request, work, success: str = "") -> bool:
    """Run a service call for a form post: its rule violation becomes an error message, success a
    confirmation. Returns whether it worked."""
    try:
        work()
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


def _form_errors(form, exc: RuleViolation) -> None:
    for field, message in (exc.errors or {exc.field or "__all__": exc.message}).items():
        form.add_error(field if field in form.fields else None, str(message))


@login_required
def inbox(request):
    show = request.GET.get("show", "")
    qs = queries.inbox(request.user)
    if show == "unread":
        qs = qs.filter(is_read=False)
    elif show == "bookmarked":
        qs = qs.filter(is_bookmarked=True)
    elif show == "study":
        qs = qs.exclude(study_mode="").filter(is_studied=False)
    text = request.GET.get("q", "").strip()
    if text:
        qs = search.search(qs, text)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/inbox.html",
        {
            "page": page,
            "show": show if show in SHOW else "",
            "q": text,
            "unread": queries.unread_count(request.user),
            "may_issue": access.scope_for(request.user).has_any(access.ORG_VIEW),
        },
    )


@login_required
def detail(request, pk: int):
    document = _readable(request, pk)
    received = access.documents_received(request.user).filter(pk=pk).exists()
    receipt = services.document_read(user=request.user, document=document) if received else None
    manages = access.documents_issued(request.user, manage=True).filter(pk=pk).exists()
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "received": received,
            "receipt": receipt,
            "manages": manages,
            "oversees": access.documents_issued(request.user).filter(pk=pk).exists(),
            "bookmarked": Bookmark.objects.filter(document=document, user=request.user).exists(),
            "study": StudyRecord.objects.filter(document=document, user=request.user).first(),
            "questions": list(document.questions.all()) if document.study_mode == "quiz" else [],
            "attachments": list(document.attachments.all()),
            "versions": list(document.versions.all()),
            "audience": list(document.audience.select_related("organization")),
            "espeak": audio.espeak_path() is not None,
            "attachment_form": AttachmentForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def acknowledge(request, pk: int):
    document = access.get_or_404(access.documents_received(request.user), pk=pk)
    _attempt(
        request,
        lambda: services.document_acknowledge(user=request.user, document=document),
        _("Thank you: your confirmation is recorded."),
    )
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def bookmark(request, pk: int):
    document = access.get_or_404(access.documents_received(request.user), pk=pk)
    services.bookmark_set(user=request.user, document=document, on=request.POST.get("on") == "1")
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def study(request, pk: int):
    document = access.get_or_404(access.documents_received(request.user), pk=pk)
    answers = []
    for question in document.questions.all():
        value = request.POST.get(f"q{question.position}", "")
        answers.append(int(value) if value.isdigit() else -1)
    _attempt(
        request,
        lambda: services.study_complete(
            user=request.user, document=document, reflection=request.POST.get("reflection", ""), answers=answers
        ),
        _("Marked as studied."),
    )
    return redirect("documents:detail", pk=pk)


@login_required
def attachment(request, pk: int, attachment_id: int):
    document = _readable(request, pk)
    item = access.get_or_404(Attachment.objects.filter(document=document), pk=attachment_id)
    try:
        data = files.read(item.stored_name)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=item.content_type)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{_quote(item.original_name)}"
    response["Cache-Control"] = "private, no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def sent(request):
    qs = access.documents_issued(request.user).select_related("issuer").order_by("-created_at")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    issuers = access.organizations(request.user, access.ORG_CHANGE).filter(
        status=Organization.Status.ACTIVE, type__holds_members=False
    )
    return render(request, "documents/sent.html", {"page": page, "issuers": issuers.order_by("path")[:50]})


def _issuer(request, org_pk: int) -> Organization:
    return access.get_or_404(
        access.organizations(request.user, access.ORG_CHANGE), pk=org_pk, status=Organization.Status.ACTIVE
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request, org_pk: int):
    issuer = _issuer(request, org_pk)
    form = DocumentForm(request.POST or None, initial={"issued_on": timezone.localdate()})
    audience = AudienceForm(request.POST or None, issuer=issuer)
    if request.method == "POST" and form.is_valid() and audience.is_valid():
        try:
            document = services.document_create(
                actor=request.user, issuer=issuer, audience=audience.audience(), **form.cleaned_data
            )
        except RuleViolation as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Check it, then publish."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/form.html", {"form": form, "audience": audience, "issuer": issuer})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    document = _managed(request, pk)
    if document.state == Document.State.WITHDRAWN:
        raise Http404
    initial = {name: getattr(document, name) for name in DocumentForm.base_fields}
    form = DocumentForm(request.POST or None, initial=initial)
    is_draft = document.state == Document.State.DRAFT
    audience = None
    if is_draft:
        audience = AudienceForm(
            request.POST or None,
            issuer=document.issuer,
            initial={
                "organizations": list(document.audience.values_list("organization_id", flat=True)),
                "roles": sorted(set(document.audience.exclude(role="").values_list("role", flat=True))),
            },
        )
    if request.method == "POST" and form.is_valid() and (audience is None or audience.is_valid()):
        try:
            services.document_update(
                actor=request.user,
                document=document,
                note=request.POST.get("note", ""),
                audience=audience.audience() if audience else None,
                **form.cleaned_data,
            )
        except RuleViolation as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("documents:detail", pk=pk)
    return render(
        request,
        "documents/form.html",
        {
            "form": form,
            "audience": audience,
            "issuer": document.issuer,
            "document": document,
            "correction": not is_draft,
        },
    )


@login_required
@require_POST
def publish(request, pk: int):
    document = _managed(request, pk)
    at = request.POST.get("publish_at", "").strip()
    publish_at = None
    if at:
        from django.utils.dateparse import parse_datetime

        publish_at = parse_datetime(at)
        if publish_at is None:
            messages.error(request, _("Give a valid date and time."))
            return redirect("documents:detail", pk=pk)
        if timezone.is_naive(publish_at):
            publish_at = timezone.make_aware(publish_at)
    _attempt(
        request,
        lambda: services.document_publish(actor=request.user, document=document, publish_at=publish_at),
        _("Published."),
    )
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    document = _managed(request, pk)
    _attempt(
        request,
        lambda: services.document_withdraw(
            actor=request.user, document=document, reason=request.POST.get("reason", "")
        ),
        _("Withdrawn."),
    )
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def attach(request, pk: int):
    document = _managed(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        _attempt(
            request,
            lambda: services.attachment_add(
                actor=request.user,
                document=document,
                data=upload.read(files.MAX_ATTACHMENT_BYTES + 1),
                filename=upload.name,
            ),
            _("Attached."),
        )
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def detach(request, pk: int, attachment_id: int):
    document = _managed(request, pk)
    item = access.get_or_404(Attachment.objects.filter(document=document), pk=attachment_id)
    try:
        services.attachment_remove(actor=request.user, attachment=item)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def generate_audio(request, pk: int):
    document = _managed(request, pk)
    _attempt(
        request,
        lambda: audio.request(actor=request.user, document=document),
        _("The audio bulletin is being generated; it appears here in a few minutes."),
    )
    return redirect("documents:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def quiz(request, pk: int):
    document = _managed(request, pk)
    if document.state != Document.State.DRAFT:
        raise Http404
    form = QuizForm(
        request.POST or None,
        initial={"text": quiz_text(document.questions.all()), "pass_mark": document.quiz_pass_mark or 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.quiz_set(
                actor=request.user,
                document=document,
                questions=form.questions(),
                pass_mark=form.cleaned_data["pass_mark"],
            )
        except RuleViolation as exc:
            form.add_error("text" if exc.field == "questions" else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("documents:detail", pk=pk)
    return render(request, "documents/quiz.html", {"form": form, "document": document})


@login_required
def stats(request, pk: int):
    """The sender's view: read, confirmation and study rates per sub-unit, drilling down to cells
    and, for those who may see them, to members."""
    document = access.get_or_404(access.documents_issued(request.user).select_related("issuer"), pk=pk)
    node = document.issuer
    if request.GET.get("org"):
        node = access.get_or_404(access.organizations(request.user), pk=request.GET["org"])
        if not node.path.startswith(document.issuer_path):
            raise Http404
    total, rows = queries.rates(document, node)
    members = None
    if node.type.holds_members and access.covers(request.user, access.MEMBER_VIEW, node.path):
        members = queries.cell_members(document, node)
    crumbs = Organization.objects.filter(
        path__in=[p for p in ancestor_paths(node.path) if p.startswith(document.issuer_path)]
    ).order_by("path")
    return render(
        request,
        "documents/stats.html",
        {
            "document": document,
            "node": node,
            "total": total,
            "rows": rows,
            "members": members,
            "roles": queries.role_rates(document, node),
            "crumbs": crumbs,
            "may_remind": access.documents_issued(request.user, manage=True).filter(pk=pk).exists()
            and document.state == Document.State.PUBLISHED,
        },
    )


@login_required
@require_POST
def remind(request, pk: int):
    document = _managed(request, pk)
    node = document.issuer
    if request.POST.get("org"):
        node = access.get_or_404(access.organizations(request.user), pk=request.POST["org"])
        if not node.path.startswith(document.issuer_path):
            raise Http404
    _attempt(
        request,
        lambda: services.reminder_send(actor=request.user, document=document, organization=node),
        _("A reminder is on its way to everyone who has not read it."),
    )
    return redirect(f"{reverse('documents:stats', args=[pk])}?org={node.pk}")


# --- feedback -------------------------------------------------------------------------------


def _committees(user):
    """Where the user may send feedback: their cell and every organisation above it (or, for an
    official without a member record, the nodes of their roles and above)."""
    scope = access.scope_for(user)
    paths: set[str] = set()
    for path in [scope.member_cell_path or "", *(grant_path for _role, grant_path in scope.grants)]:
        if path:
            paths.update([*ancestor_paths(path), path])
    return Organization.objects.filter(path__in=sorted(paths), status=Organization.Status.ACTIVE).order_by("path")


def _may_answer(user, item: Feedback) -> bool:
    return access.covers(user, access.ORG_CHANGE, item.path) or access.covers(user, access.MEMBER_CHANGE, item.path)


@login_required
def feedback_list(request):
    qs = access.feedback(request.user).select_related("organization", "document", "author")
    status = request.GET.get("status", "")
    if status in Feedback.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request, "documents/feedback_list.html", {"page": page, "status": status, "statuses": Feedback.Status.choices}
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback_new(request):
    committees = _committees(request.user)
    document = None
    if request.GET.get("document") or request.POST.get("document"):
        document = access.get_or_404(
            access.documents_received(request.user), pk=request.GET.get("document") or request.POST.get("document")
        )
    initial = {"organization": committees.filter(pk=document.issuer_id).first() if document else committees.last()}
    if document:
        initial["subject"] = _("On: %(title)s") % {"title": document.title[:150]}
    form = FeedbackForm(request.POST or None, committees=committees, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.feedback_send(actor=request.user, document=document, **form.cleaned_data)
        except RuleViolation as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Sent. You will be told when it is answered."))
            return redirect("documents:feedback_detail", pk=item.pk)
    return render(request, "documents/feedback_form.html", {"form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def feedback_detail(request, pk: int):
    item = access.get_or_404(access.feedback(request.user).select_related("organization", "document"), pk=pk)
    may_answer = _may_answer(request.user, item)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "answer" and may_answer:
            answer = request.POST.get("answer", "")
            _attempt(
                request, lambda: services.feedback_answer(actor=request.user, feedback=item, answer=answer), _("Saved.")
            )
        elif action == "close" and (may_answer or item.author_id == request.user.pk):
            _attempt(request, lambda: services.feedback_close(actor=request.user, feedback=item), _("Saved."))
        else:
            raise Http404
        return redirect("documents:feedback_detail", pk=pk)
    return render(
        request,
        "documents/feedback_detail.html",
        {"item": item, "may_answer": may_answer, "mine": item.author_id == request.user.pk},
    )
