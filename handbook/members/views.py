"""Member pages: the scoped list with filters, a record, and add/edit for those who may."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from handbook.audit.models import SensitiveAccess
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization

from . import queries, services
from .forms import MemberFilterForm, MemberForm
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


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, org_pk: int):
    org = access.get_or_404(
        access.organizations(request.user).select_related("type"), pk=org_pk, status=Organization.Status.ACTIVE
    )
    if not access.covers(request.user, access.MEMBER_CHANGE, org.path):
        raise Http404
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(actor=request.user, organization=org, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Added %(name)s.") % {"name": member.full_name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "org": org, "title": _("Add a member")})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    member = access.get_or_404(access.members(request.user, access.MEMBER_CHANGE).select_related("organization"), pk=pk)
    initial = {f: getattr(member, f) for f in services.EDITABLE_FIELDS}
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/form.html", {"form": form, "org": member.organization, "member": member, "title": _("Edit")}
    )
