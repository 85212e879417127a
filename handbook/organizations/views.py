"""Organisation pages: browser, detail, history, and the restructuring forms (with a preview)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.accounts import services as account_services
from handbook.accounts.models import Role, RoleGrant, User
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.members import counts
from handbook.members import queries as member_queries

from . import forms, queries, services
from .models import STEPLEN, Organization, OrganizationType
from .paths import subtree_q


def _visible(request):
    return access.organizations(request.user).select_related("type")


def _restructurable_or_404(request, pk):
    return access.get_or_404(
        access.restructurable_organizations(request.user).select_related("type"),
        pk=pk,
        status=Organization.Status.ACTIVE,
    )


@login_required
def browser(request):
    scope = access.scope_for(request.user)
    visible = _visible(request)
    q = request.GET.get("q", "").strip()
    results = list(queries.search(visible, q)) if q else []
    roots = list(visible.filter(path__in=_root_paths(scope)).order_by("path"))
    for root in roots:
        root.member_count = counts.subtree_member_count(root)
    return render(request, "organizations/browser.html", {"roots": roots, "q": q, "results": results})


def _root_paths(scope: access.Scope) -> list[str]:
    paths = list(scope.paths(access.ORG_VIEW))
    if not paths and scope.member_cell_path:
        paths = [scope.member_cell_path]
    return paths


@login_required
def detail(request, pk: int):
    visible = _visible(request)
    org = access.get_or_404(visible, pk=pk)
    can_see_members = access.covers(request.user, access.MEMBER_VIEW, org.path)
    members_page = None
    if can_see_members and org.type.holds_members:
        members_page = Paginator(member_queries.in_organization(org), 50).get_page(request.GET.get("page"))
    can_change = access.covers(request.user, access.ORG_CHANGE, org.path)
    can_restructure = access.restructurable_organizations(request.user).filter(pk=org.pk).exists()
    grants = list(
        access.role_grants(request.user).filter(organization=org, revoked_at__isnull=True).select_related("user")
    )
    context = {
        "org": org,
        "breadcrumb": queries.breadcrumb(request.user, org),
        "kids": counts.children_with_counts(org) if org.numchild else [],
        "member_total": counts.subtree_member_count(org),
        "by_status": counts.subtree_counts_by_status(org) if can_see_members else {},
        "official_count": counts.official_count(org),
        "members_page": members_page,
        "can_see_members": can_see_members,
        "can_change": can_change and org.is_active,
        "can_restructure": can_restructure and org.is_active,
        "can_grant": access.covers(request.user, access.ROLE_CHANGE, org.path) and org.is_active,
        "grants": grants,
        "small_cells": counts.small_cells(org, limit=20) if (can_change and not org.type.holds_members) else [],
        "history": queries.audit_history(org, limit=10)
        if access.covers(request.user, access.ORG_VIEW, org.path)
        else [],
        "grant_form": forms.GrantForm(roles=_grantable_roles(request.user, org)),
    }
    return render(request, "organizations/detail.html", context)


@login_required
def history(request, pk: int):
    org = access.get_or_404(_visible(request), pk=pk)
    if not access.covers(request.user, access.ORG_VIEW, org.path):
        raise Http404  # a member's own cell is visible to them, its history is for officials
    form = forms.HistoryAtForm(request.GET or None)
    chain = None
    if form.is_valid() and form.cleaned_data.get("at"):
        at = form.cleaned_data["at"]
        moment = timezone.make_aware(datetime.datetime.combine(at, datetime.time.max))
        chain = queries.organization_at(org, moment)
    return render(
        request,
        "organizations/history.html",
        {
            "org": org,
            "breadcrumb": queries.breadcrumb(request.user, org),
            "versions": queries.versions(org),
            "events": queries.audit_history(org, limit=200),
            "form": form,
            "chain": chain,
        },
    )


def _run(request, action, success_message, redirect_to):
    try:
        result = action()
    except RuleViolation as exc:
        messages.error(request, str(exc))
        return None, False
    messages.success(request, success_message(result))
    return redirect(redirect_to(result)), True


@login_required
@require_http_methods(["GET", "POST"])
def create(request, pk: int):
    parent = access.get_or_404(
        access.organizations(request.user, access.ORG_CHANGE).select_related("type"),
        pk=pk,
        status=Organization.Status.ACTIVE,
    )
    form = forms.CreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        response, ok = _run(
            request,
            lambda: services.organization_create(
                actor=request.user, name=form.cleaned_data["name"], type=form.cleaned_data["type"], parent=parent
            ),
            lambda org: _("Created “%(name)s”.") % {"name": org.name},
            lambda org: org,
        )
        if ok:
            return response
    return render(request, "organizations/form.html", {"org": parent, "form": form, "title": _("Add an organisation")})


@login_required
@require_http_methods(["GET", "POST"])
def rename(request, pk: int):
    org = access.get_or_404(
        access.organizations(request.user, access.ORG_CHANGE).select_related("type"),
        pk=pk,
        status=Organization.Status.ACTIVE,
    )
    form = forms.NameForm(request.POST or None, initial={"name": org.name})
    if request.method == "POST" and form.is_valid():
        response, ok = _run(
            request,
            lambda: services.organization_rename(actor=request.user, organization=org, name=form.cleaned_data["name"]),
            lambda o: _("Renamed to “%(name)s”.") % {"name": o.name},
            lambda o: o,
        )
        if ok:
            return response
    return render(request, "organizations/form.html", {"org": org, "form": form, "title": _("Rename")})


MAX_CANDIDATES = 500


def _candidates(request, org: Organization, *, exclude: Q, **filters):
    """Where `org` could go: active nodes the user may change, near it (inside its grandparent's
    subtree), so a national administrator choosing a new commune for a cell sees that province's
    communes, not the whole country. Ordered by path and capped for the select box."""
    near = org.path[: max(len(org.path) - 2 * STEPLEN, STEPLEN)]
    qs = (
        access.organizations(request.user, access.ORG_CHANGE)
        .filter(subtree_q(near), status=Organization.Status.ACTIVE, **filters)
        .exclude(exclude)
        .order_by("path")
    )
    ids = list(qs.values_list("pk", flat=True)[:MAX_CANDIDATES])
    return Organization.objects.filter(pk__in=ids).select_related("type").order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk: int):
    org = _restructurable_or_404(request, pk)
    allowed = OrganizationType.objects.filter(allowed_children=org.type)
    choices = _candidates(request, org, type__in=allowed, exclude=Q(pk=org.parent_id) | subtree_q(org.path))
    form = forms.TargetForm(request.POST or None, choices=choices, label=_("New parent organisation"))
    impact = None
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        if request.POST.get("confirm") == "1":
            response, ok = _run(
                request,
                lambda: services.organization_move(actor=request.user, organization=org, new_parent=target),
                lambda o: _("Moved “%(name)s” under “%(target)s”.") % {"name": o.name, "target": target.name},
                lambda o: o,
            )
            if ok:
                return response
        else:
            impact = services.subtree_impact(org, include_self=True)
    return render(
        request,
        "organizations/restructure.html",
        {"org": org, "form": form, "impact": impact, "title": _("Move"), "verb": "move"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, pk: int):
    org = _restructurable_or_404(request, pk)
    choices = _candidates(
        request, org, type__holds_members=org.type.holds_members, depth=org.depth, exclude=Q(pk=org.pk)
    )
    form = forms.TargetForm(request.POST or None, choices=choices, label=_("Merge into"))
    impact = None
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        if request.POST.get("confirm") == "1":
            response, ok = _run(
                request,
                lambda: services.organization_merge(actor=request.user, source=org, target=target),
                lambda t: _("Merged “%(name)s” into “%(target)s”.") % {"name": org.name, "target": t.name},
                lambda t: t,
            )
            if ok:
                return response
        else:
            impact = services.merge_impact(org)
    return render(
        request,
        "organizations/restructure.html",
        {"org": org, "form": form, "impact": impact, "title": _("Merge"), "verb": "merge"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def split(request, pk: int):
    org = _restructurable_or_404(request, pk)
    member_choices = [(str(m.pk), m.full_name) for m in member_queries.in_organization(org)[:1000]]
    form = forms.SplitForm(request.POST or None, children_qs=queries.children(org), member_choices=member_choices)
    impact = None
    if request.method == "POST" and form.is_valid():
        kids = list(form.cleaned_data["children"])
        member_ids = [int(i) for i in form.cleaned_data["members"]]
        if request.POST.get("confirm") == "1":
            response, ok = _run(
                request,
                lambda: services.organization_split(
                    actor=request.user,
                    organization=org,
                    new_name=form.cleaned_data["name"],
                    children=kids,
                    member_ids=member_ids,
                ),
                lambda new: _("Created “%(name)s” from “%(source)s”.") % {"name": new.name, "source": org.name},
                lambda new: new,
            )
            if ok:
                return response
        elif not kids and not member_ids:
            messages.error(request, _("Choose at least one sub-organisation or member to move."))
        else:
            impact = services.split_impact(org, children=kids, member_ids=member_ids)
    return render(
        request,
        "organizations/restructure.html",
        {"org": org, "form": form, "impact": impact, "title": _("Split"), "verb": "split"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request, pk: int):
    org = _restructurable_or_404(request, pk)
    if request.method == "POST":
        response, ok = _run(
            request,
            lambda: services.organization_dissolve(actor=request.user, organization=org),
            lambda o: _("Dissolved “%(name)s”.") % {"name": o.name},
            lambda o: o,
        )
        if ok:
            return response
    impact = services.subtree_impact(org)
    return render(request, "organizations/dissolve.html", {"org": org, "impact": impact})


def _grantable_roles(user, org: Organization) -> list[tuple[str, str]]:
    roles = [(Role.COMMITTEE_STAFF, Role.COMMITTEE_STAFF.label), (Role.LEADER, Role.LEADER.label)]
    if org.type.holds_members:
        roles.insert(0, (Role.CELL_SECRETARY, Role.CELL_SECRETARY.label))
    if access.scope_for(user).is_admin and org.parent_id is None:
        roles.append((Role.ADMIN, Role.ADMIN.label))
    return [(str(v), str(label)) for v, label in roles]


@login_required
@require_POST
def grant(request, pk: int):
    org = access.get_or_404(_visible(request), pk=pk)
    if not access.covers(request.user, access.ROLE_CHANGE, org.path):
        raise Http404
    form = forms.GrantForm(request.POST, roles=_grantable_roles(request.user, org))
    if not form.is_valid():
        messages.error(request, _("Choose a person and a role."))
        return redirect(org)
    user = User.objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        messages.error(request, _("No account has that username."))
        return redirect(org)
    sensitive = form.cleaned_data["sensitive_data"]
    if sensitive and not access.covers(request.user, access.MEMBER_SENSITIVE, org.path):
        messages.error(request, _("You cannot give a permission you do not hold yourself."))
        return redirect(org)
    _run(
        request,
        lambda: account_services.role_grant(
            actor=request.user, user=user, organization=org, role=form.cleaned_data["role"], sensitive_data=sensitive
        ),
        lambda g: _("Granted: %(grant)s.") % {"grant": str(g)},
        lambda g: org,
    )
    return redirect(org)


@login_required
@require_POST
def revoke(request, grant_id: int):
    grant_row: RoleGrant = access.get_or_404(
        access.role_grants(request.user, access.ROLE_CHANGE).select_related("organization", "user"), pk=grant_id
    )
    if grant_row.role == Role.ADMIN and not access.scope_for(request.user).is_admin:
        raise Http404
    _run(
        request,
        lambda: account_services.role_revoke(actor=request.user, grant=grant_row),
        lambda g: _("Revoked: %(grant)s.") % {"grant": str(g)},
        lambda g: g.organization,
    )
    return redirect(grant_row.organization)
