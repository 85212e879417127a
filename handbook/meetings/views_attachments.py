"""Meeting pages for attached documents and invited guests (the meeting page shows both)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.core import access
from handbook.core.errors import RuleViolation

from . import documents, guests
from .models import MeetingDocument, MeetingGuest
from .views import _act, _manages, _visible

GUEST_SEARCH_LIMIT = 20


@login_required
@require_POST
def document_upload(request, pk: int):
    meeting = _visible(request, pk)
    if not _manages(request, meeting):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("meetings:detail", pk=meeting.pk)
    return _act(
        request,
        meeting,
        lambda: documents.document_add(
            actor=request.user,
            meeting=meeting,
            title=request.POST.get("title", ""),
            filename=upload.name,
            data=upload.read(documents.MAX_DOCUMENT_BYTES + 1),
        ),
        _("The document is attached."),
    )


def serve_document(document: MeetingDocument) -> FileResponse:
    """The file as a download; the caller has fetched `document` through the access layer."""
    handle = documents.document_open(document)
    if handle is None:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=document.filename, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document_download(request, doc_id: int):
    document = access.get_or_404(
        MeetingDocument.objects.select_related("meeting"), pk=doc_id, meeting__in=access.meetings(request.user)
    )
    _visible(request, document.meeting_id)  # drafts: the secretary's until published
    return serve_document(document)


@login_required
@require_POST
def document_remove(request, doc_id: int):
    document = access.get_or_404(
        MeetingDocument.objects.select_related("meeting"),
        pk=doc_id,
        meeting__in=access.meetings(request.user, manage=True),
    )
    return _act(
        request,
        document.meeting,
        lambda: documents.document_remove(actor=request.user, document=document),
        _("The document is removed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def guest_list(request, pk: int):
    """The secretary invites officials and members of the upper levels: search, pick, add a note."""
    meeting = _visible(request, pk)
    if not _manages(request, meeting):
        raise Http404
    if request.method == "POST":
        candidate = guests.guest_candidates(meeting).filter(pk=request.POST.get("user") or 0).first()
        if candidate is None:
            messages.error(request, _("Invite an official or member of the cell's upper levels."))
        else:
            try:
                guests.guest_invite(
                    actor=request.user, meeting=meeting, user=candidate, role_note=request.POST.get("role_note", "")
                )
            except RuleViolation as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("%(name)s is invited.") % {"name": guests.display_name(candidate)})
        return redirect("meetings:guests", pk=meeting.pk)
    query = request.GET.get("q", "").strip()
    candidates = list(guests.guest_candidates(meeting, query)[:GUEST_SEARCH_LIMIT])
    invited = list(meeting.guests.select_related("user", "user__member"))
    return render(
        request,
        "meetings/guests.html",
        {
            "meeting": meeting,
            "query": query,
            "candidates": [(u, guests.display_name(u)) for u in candidates],
            "invited": [(g, guests.display_name(g.user)) for g in invited],
        },
    )


def _guest(request, guest_id: int, *, manage: bool) -> MeetingGuest:
    guest = access.get_or_404(
        MeetingGuest.objects.select_related("meeting", "user"),
        pk=guest_id,
        meeting__in=access.meetings(request.user, manage=manage),
    )
    _visible(request, guest.meeting_id)
    return guest


@login_required
@require_POST
def guest_remove(request, guest_id: int):
    guest = _guest(request, guest_id, manage=True)
    return _act(
        request,
        guest.meeting,
        lambda: guests.guest_remove(actor=request.user, guest=guest),
        _("The invitation is withdrawn."),
    )


@login_required
@require_POST
def guest_presence(request, guest_id: int):
    """The secretary marks a guest present (or not); the guest checks themselves in."""
    guest = _guest(request, guest_id, manage=False)
    if _manages(request, guest.meeting):
        present = request.POST.get("present") != "0"
        action = lambda: guests.guest_mark(actor=request.user, guest=guest, present=present)  # noqa: E731
    elif guest.user_id == request.user.pk:
        action = lambda: guests.guest_check_in(actor=request.user, guest=guest)  # noqa: E731
    else:
        raise Http404
    return _act(request, guest.meeting, action, _("Saved."))
