"""Member pages: the scoped list with filters, the record, and add/edit for those who may."""

import json
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.audit.models import EventType, SensitiveAccess
from handbook.audit.services import audit_record, jsonable, sensitive_read
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization

from . import counts, exports, imports, photos, queries, services
from . import quality as quality_checks
from . import requests as change_requests
from .forms import MemberFilterForm, StatusForm, member_form_class, row_form_class
from .models import RECORD_TABLES, ChangeRequest, ImportJob, Member
from .record import record_view
from .sheet_pdf import member_sheet_pdf

FILTER_SESSION_KEY = "member_filters"


def _download(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _list_filters(request):
    """The list's filters without personal data in the URL: a name, phone or CCCD typed in the
    search form is posted, kept in the session under a random token, and the list's address
    carries only `?f=<token>` (plus organisation, status and sex, which are not personal)."""
    saved = request.session.get(FILTER_SESSION_KEY, {})
    data = request.GET.copy()
    token = request.GET.get("f", "")
    if token and token in saved:
        for key, value in saved[token].items():
            data.setdefault(key, value)
    form = MemberFilterForm(data or None)
    org = None
    filters = {}
    if form.is_valid():
        filters = {k: form.cleaned_data.get(k) or "" for k in ("q", "status", "sex")}
        if form.cleaned_data.get("org"):
            org = access.get_or_404(access.organizations(request.user), pk=form.cleaned_data["org"])
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return form, filters, org, querystring.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request):
    if request.method == "POST":
        form = MemberFilterForm(request.POST)
        params = {}
        if form.is_valid():
            cleaned = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            if cleaned.get("q"):
                token = secrets.token_urlsafe(8)
                saved = request.session.get(FILTER_SESSION_KEY, {})
                saved = dict(list(saved.items())[-19:])  # keep the last searches only
                saved[token] = {"q": cleaned.pop("q")}
                request.session[FILTER_SESSION_KEY] = saved
                params["f"] = token
            params.update({k: str(v) for k, v in cleaned.items()})
        return redirect(f"{reverse('members:list')}?{urlencode(params)}" if params else reverse("members:list"))
    form, filters, org, querystring = _list_filters(request)
    qs = queries.filtered(
        access.members(request.user),
        organization=org,
        sensitive_scope=access.members(request.user, access.MEMBER_SENSITIVE),
        **filters,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "members/list.html",
        {"form": form, "page": page, "org": org, "querystring": querystring},
    )


@login_required
def member_detail(request, pk: int):
    member = access.get_or_404(
        access.members(request.user).select_related("organization", "admitting_organization"), pk=pk
    )
    can_edit = access.members(request.user, access.MEMBER_CHANGE).filter(pk=member.pk).exists()
    view = record_view(request.user, member, channel=SensitiveAccess.Channel.PAGE)
    is_self = request.user.member_id == member.pk
    accesses = SensitiveAccess.objects.filter(member_id=member.pk)[:50] if is_self else []
    return render(
        request,
        "members/detail.html",
        {"member": member, "record": view, "can_edit": can_edit, "is_self": is_self, "accesses": accesses},
    )


def _show_errors(form, exc: RuleViolation) -> None:
    for field, message in (exc.errors or {None: str(exc)}).items():
        form.add_error(field if field in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, org_pk: int):
    org = access.get_or_404(
        access.organizations(request.user).select_related("type"), pk=org_pk, status=Organization.Status.ACTIVE
    )
    if not access.covers(request.user, access.MEMBER_CHANGE, org.path):
        raise Http404
    sensitive = access.covers(request.user, access.MEMBER_SENSITIVE, org.path)
    form = member_form_class(sensitive=sensitive, creating=True)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(actor=request.user, organization=org, **form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": member.full_name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "org": org, "title": _("Add a member")})


def _changeable(request, pk: int):
    return access.get_or_404(access.members(request.user, access.MEMBER_CHANGE).select_related("organization"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    member = _changeable(request, pk)
    sensitive = access.sees_sensitive(request.user, member)
    form = member_form_class(sensitive=sensitive, creating=False)(request.POST or None, instance=member)
    if sensitive:  # the form is filled with the protected values
        sensitive_read(
            actor=request.user,
            member_ids=[member.pk],
            fields=[f for f in Member.SENSITIVE_FIELDS if f in form.fields],
            channel=SensitiveAccess.Channel.PAGE,
        )
    return _member_form(
        request,
        member,
        form,
        lambda data: services.member_update(actor=request.user, member=member, **{n: data[n] for n in form.fields}),
        _("Edit"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_status(request, pk: int):
    member = _changeable(request, pk)
    form = StatusForm(request.POST or None, initial={"status": member.status})
    return _member_form(
        request,
        member,
        form,
        lambda data: services.member_status_change(actor=request.user, member=member, **data),
        _("Change of status"),
    )


def _member_form(request, member, form, save, title):
    """Show a form about one member; on a valid POST run `save(cleaned_data)` through the service,
    putting each refused rule next to its field, and go back to the record."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/form.html", {"form": form, "org": member.organization, "member": member, "title": title}
    )


def _table_or_404(request, member, table: str):
    model = RECORD_TABLES.get(table)
    if model is None or (model.sensitive and not access.sees_sensitive(request.user, member)):
        raise Http404
    return model


@login_required
@require_http_methods(["GET", "POST"])
def row_add(request, pk: int, table: str):
    member = _changeable(request, pk)
    model = _table_or_404(request, member, table)
    form = row_form_class(table)(request.POST or None)
    return _member_form(
        request,
        member,
        form,
        lambda data: services.member_row_add(actor=request.user, member=member, table=table, **data),
        model._meta.verbose_name,
    )


@login_required
@require_POST
def row_remove(request, pk: int, table: str, row_id: int):
    member = _changeable(request, pk)
    _table_or_404(request, member, table)
    try:
        services.member_row_remove(actor=request.user, member=member, table=table, row_id=row_id)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Removed."))
    return redirect("members:detail", pk=member.pk)


def _diff_rows(request_obj, user) -> tuple[list[tuple[str, str, str]], bool]:
    """(label, before, after) per changed field; protected values masked for readers without the
    permission. Returns also whether every value could be shown."""
    visible = access.sees_sensitive(user, request_obj.member)
    rows, complete = [], True
    shown = [name for name in request_obj.changes if name in Member.SENSITIVE_FIELDS]
    if visible and shown:
        sensitive_read(
            actor=user, member_ids=[request_obj.member_id], fields=shown, channel=SensitiveAccess.Channel.PAGE
        )
    for name, new in request_obj.changes.items():
        label = str(Member._meta.get_field(name).verbose_name)
        old = request_obj.before.get(name)
        if name in Member.SENSITIVE_FIELDS and not visible:
            rows.append((label, "•••", "•••"))
            complete = False
        else:
            rows.append((label, "" if old is None else str(old), "" if new is None else str(new)))
    return rows, complete


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, pk: int):
    if request.user.member_id != pk:
        raise Http404
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=pk)
    form = member_form_class(sensitive=True, creating=False)(request.POST or None, instance=member)
    comment = request.POST.get("comment", "")
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        try:
            change_requests.change_request_create(actor=request.user, member=member, changes=changes, comment=comment)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Your request was sent to your cell. You will see the answer here."))
            return redirect("members:requests")
    return render(
        request,
        "members/propose.html",
        {"form": form, "org": member.organization, "member": member, "comment": comment},
    )


@login_required
def request_list(request):
    rows = queries.change_requests(request.user)
    state = request.GET.get("state", "pending" if access.scope_for(request.user).has_any(access.MEMBER_CHANGE) else "")
    if state in ChangeRequest.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request, "members/requests.html", {"page": page, "state": state, "states": ChangeRequest.State.choices}
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, request_id: int):
    obj = access.get_or_404(queries.change_requests(request.user), pk=request_id)
    can_decide = (
        obj.state == ChangeRequest.State.PENDING
        and obj.member_id != request.user.member_id
        and access.members(request.user, access.MEMBER_CHANGE).filter(pk=obj.member_id).exists()
    )
    rows, complete = _diff_rows(obj, request.user)
    if request.method == "POST":
        if not (can_decide and complete):
            raise Http404
        try:
            change_requests.change_request_decide(
                actor=request.user,
                request=obj,
                approve=request.POST.get("decision") == "approve",
                reason=request.POST.get("reason", ""),
            )
        except RuleViolation as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Decision saved; the member will see it."))
            return redirect("members:requests")
    return render(
        request,
        "members/request_detail.html",
        {"obj": obj, "rows": rows, "can_decide": can_decide, "complete": complete},
    )


def _full_record_data(user, member: Member) -> dict:
    view = record_view(user, member, channel=SensitiveAccess.Channel.EXPORT)
    return {
        "record": {name: value for name, value in view.values().items()},
        "organization": member.organization.name,
        "party_age": {"years": view.party_age.years, "months": view.party_age.months},
        "status_history": [
            {"status": h.status, "effective_date": h.effective_date, "note": h.note} for h in view.history
        ],
        "tables": {t.key: [services._row_snapshot(r) for r in t.rows] for t in view.tables},
    }


@login_required
def my_data(request):
    """Everything Handbook holds about the signed-in member, as a JSON download."""
    if not request.user.member_id:
        raise Http404
    member = access.get_or_404(
        access.members(request.user).select_related("organization", "admitting_organization"),
        pk=request.user.member_id,
    )
    data = _full_record_data(request.user, member)
    data["change_requests"] = list(
        ChangeRequest.objects.filter(member=member).values("created_at", "state", "changes", "reason", "decided_at")
    )
    data["sensitive_reads"] = list(
        SensitiveAccess.objects.filter(member_id=member.pk).values("occurred_at", "actor_label", "fields", "channel")
    )
    data["exported_at"] = timezone.now()
    return _download(
        json.dumps(jsonable(data), ensure_ascii=False, indent=2),
        "application/json; charset=utf-8",
        "handbook-my-data.json",
    )


def _printed_record(request, pk: int):
    """A record taken out of Handbook on paper or as a file: audited, protected reads logged."""
    member = access.get_or_404(
        access.members(request.user).select_related("organization", "admitting_organization"), pk=pk
    )
    view = record_view(request.user, member, channel=SensitiveAccess.Channel.PRINT)
    audit_record_print(request.user, member)
    return member, view


@login_required
def print_sheet(request, pk: int):
    """The member sheet laid out for printing (the browser's "Save as PDF" makes the PDF)."""
    member, view = _printed_record(request, pk)
    return render(request, "members/print.html", {"member": member, "record": view, "printed_at": timezone.now()})


def audit_record_print(user, member: Member) -> None:
    with transaction.atomic():
        audit_record(actor=user, event_type=EventType.MEMBER_SHEET_PRINTED, obj=member)


@login_required
def export(request, fmt: str):
    """The current list (same filters as the page) as XLSX or CSV."""
    form, filters, org, _querystring = _list_filters(request)
    if not access.scope_for(request.user).is_official:
        raise Http404
    qs = queries.filtered(
        access.members(request.user),
        organization=org,
        sensitive_scope=access.members(request.user, access.MEMBER_SENSITIVE),
        **filters,
    )
    try:
        body, content_type = exports.export_members(
            user=request.user, queryset=qs, fmt=fmt, description={**filters, "organization": org.pk if org else None}
        )
    except RuleViolation as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('members:list')}?{request.GET.urlencode()}")
    return _download(body, content_type, f"handbook-members.{fmt}")


@login_required
def quality(request):
    """Data quality of one organisation's subtree, for the officials responsible for it."""
    scope = access.scope_for(request.user)
    if not scope.has_any(access.MEMBER_VIEW):
        raise Http404
    visible = access.organizations(request.user)
    org_id = request.GET.get("org")
    if org_id:
        org = access.get_or_404(visible, pk=org_id)
    else:
        org = visible.filter(path__in=scope.paths(access.MEMBER_VIEW)).order_by("path").first()
    if org is None or not access.covers(request.user, access.MEMBER_VIEW, org.path):
        raise Http404
    members = queries.filtered(access.members(request.user), organization=org)
    total = counts.subtree_member_count(org, statuses=Member.Status.values)
    too_big = total > quality_checks.MAX_CHECKED
    context = {
        "org": org,
        "total": total,
        "too_big": too_big,
        "max_checked": quality_checks.MAX_CHECKED,
        "duplicates": quality_checks.likely_duplicates(members),
        "can_merge": access.covers(request.user, access.MEMBER_CHANGE, org.path),
    }
    if not too_big:
        revealed = set(
            access.members(request.user, access.MEMBER_SENSITIVE)
            .filter(pk__in=members.values("pk"))
            .values_list("pk", flat=True)
        )
        context["invalid"] = quality_checks.invalid_records(members, revealed=revealed)
        context["incomplete"] = quality_checks.incomplete_records(members)
    return render(request, "members/quality.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, keep: int, duplicate: int):
    changeable = access.members(request.user, access.MEMBER_CHANGE).select_related("organization")
    keep_member = access.get_or_404(changeable, pk=keep)
    duplicate_member = access.get_or_404(changeable, pk=duplicate)
    if request.method == "POST":
        try:
            quality_checks.member_merge(actor=request.user, keep=keep_member, duplicate=duplicate_member)
        except RuleViolation as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The two records are now one."))
            return redirect("members:detail", pk=keep_member.pk)
    left = record_view(request.user, keep_member, channel=SensitiveAccess.Channel.PAGE, with_tables=False)
    right = record_view(request.user, duplicate_member, channel=SensitiveAccess.Channel.PAGE, with_tables=False)
    rows = []
    for _key, _label, fields in left.sections:
        for field in fields:
            other = next((f for _k, _l, fs in right.sections for f in fs if f.name == field.name), None)
            fills = not field.value and other is not None and bool(other.value) and field.name != "cccd"
            rows.append((field.label, field.display, other.display if other else "", fills))
    # What moves says that a discipline case or an exit exists: only for those who may merge.
    may_merge = access.sees_sensitive(request.user, keep_member) and access.sees_sensitive(
        request.user, duplicate_member
    )
    plan = quality_checks.merge_plan(keep_member, duplicate_member) if may_merge else None
    return render(
        request,
        "members/merge.html",
        {"keep": keep_member, "duplicate": duplicate_member, "rows": rows, "plan": plan},
    )


def _may_import(user) -> bool:
    return access.scope_for(user).has_any(access.MEMBER_CHANGE)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    if not _may_import(request.user):
        raise Http404
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file.")
        else:
            try:
                job = imports.start(
                    user=request.user,
                    filename=upload.name,
                    content=upload.read(imports.MAX_BYTES + 1),
                    mode=request.POST.get("mode", ImportJob.Mode.ALL_OR_NOTHING),
                )
            except RuleViolation as exc:
                error = str(exc)
            else:
                return redirect("members:import_job", job_id=job.pk)
    jobs = ImportJob.objects.filter(user=request.user).defer("content")[:20]
    return render(request, "members/import.html", {"jobs": jobs, "error": error, "modes": ImportJob.Mode.choices})


@login_required
def import_template(request):
    if not _may_import(request.user):
        raise Http404
    return _download(imports.template_xlsx(), exports.XLSX_TYPE, "handbook-import-template.xlsx")


def _own_job(request, job_id: int) -> ImportJob:
    return access.get_or_404(ImportJob.objects.filter(user=request.user).defer("content"), pk=job_id)


@login_required
def import_job(request, job_id: int):
    job = _own_job(request, job_id)
    running = job.state in (ImportJob.State.QUEUED, ImportJob.State.VALIDATING, ImportJob.State.WRITING)
    return render(
        request, "members/import_job.html", {"job": job, "running": running, "shown_errors": job.errors[:200]}
    )


@login_required
def import_errors(request, job_id: int):
    job = _own_job(request, job_id)
    return _download(imports.error_report_csv(job), "text/csv; charset=utf-8", f"handbook-import-{job.pk}-errors.csv")


@login_required
def sheet_pdf(request, pk: int):
    """The member sheet as a PDF download (audited; protected reads logged)."""
    member, view = _printed_record(request, pk)
    pdf = member_sheet_pdf(view, printed_by=request.user.get_username())
    return _download(pdf, "application/pdf", f"phieu-dang-vien-{member.pk}.pdf")


@login_required
def photo(request, pk: int):
    """The portrait, for those who may see the record (never cached by shared caches)."""
    member = access.get_or_404(access.members(request.user), pk=pk)
    data = photos.photo_bytes(member)
    if data is None:
        raise Http404
    return HttpResponse(data, content_type="image/jpeg")


@login_required
@require_http_methods(["GET", "POST"])
def photo_upload(request, pk: int):
    member = _changeable(request, pk)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("photo")
        if upload is None:
            error = _("Choose a photo.")
        else:
            try:
                photos.member_photo_set(
                    actor=request.user, member=member, data=upload.read(photos.MAX_UPLOAD_BYTES + 1)
                )
            except RuleViolation as exc:
                error = str(exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("members:detail", pk=member.pk)
    return render(request, "members/photo.html", {"member": member, "error": error})
