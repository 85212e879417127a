"""Member pages: the scoped list with filters, the record, and add/edit for those who may."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.audit.models import SensitiveAccess
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization

from . import queries, services
from .forms import MemberFilterForm, StatusForm, member_form_class, row_form_class
from .models import RECORD_TABLES
from .record import record_view


@login_required
def member_list(request):
    scoped = access.members(request.user)
    form = MemberFilterForm(request.GET or None)
    org = None
    filters = {}
    if form.is_valid():
        filters = {k: form.cleaned_data.get(k) or "" for k in ("q", "status", "sex")}
        if form.cleaned_data.get("org"):
            org = access.get_or_404(access.organizations(request.user), pk=form.cleaned_data["org"])
    qs = queries.filtered(
        scoped,
        organization=org,
        sensitive_scope=access.members(request.user, access.MEMBER_SENSITIVE),
        **filters,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "members/list.html",
        {"form": form, "page": page, "org": org, "querystring": querystring.urlencode()},
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
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.member_update(actor=request.user, member=member, **changes)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/form.html", {"form": form, "org": member.organization, "member": member, "title": _("Edit")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_status(request, pk: int):
    member = _changeable(request, pk)
    form = StatusForm(request.POST or None, initial={"status": member.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_status_change(actor=request.user, member=member, **form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {"form": form, "org": member.organization, "member": member, "title": _("Change of status")},
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
    if request.method == "POST" and form.is_valid():
        try:
            services.member_row_add(actor=request.user, member=member, table=table, **form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {"form": form, "org": member.organization, "member": member, "title": model._meta.verbose_name},
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
