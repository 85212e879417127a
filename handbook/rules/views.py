"""Rulebook pages: the sets, a version's values, a new version or set, assigning a set to a
subtree, and which rules apply to an organisation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization

from . import forms, queries, rulebook, services
from .models import RuleSetVersion


def _visible_sets(request):
    return access.rule_sets(request.user).select_related("owner")


@login_required
def rule_set_list(request):
    today = timezone.localdate()
    sets = list(_visible_sets(request).order_by("-is_default", "name"))
    for rule_set in sets:
        rule_set.current = queries.current_version(rule_set, today)
    may_create = access.scope_for(request.user).is_admin or access.scope_for(request.user).has_any(access.ORG_CHANGE)
    return render(request, "rules/list.html", {"sets": sets, "may_create": may_create})


@login_required
def rule_set_detail(request, pk: int):
    rule_set = access.get_or_404(_visible_sets(request), pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "rules/set.html",
        {
            "rule_set": rule_set,
            "versions": queries.versions(rule_set),
            "today": today,
            "may_manage": services.may_manage_set(request.user, rule_set),
        },
    )


@login_required
def version_detail(request, pk: int):
    version = access.get_or_404(
        RuleSetVersion.objects.select_related("rule_set", "created_by").filter(
            rule_set__in=access.rule_sets(request.user)
        ),
        pk=pk,
    )
    return render(
        request,
        "rules/version.html",
        {"version": version, "groups": queries.value_rows(version), "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request, pk: int):
    rule_set = access.get_or_404(access.rule_sets(request.user, manage=True), pk=pk)
    latest = rule_set.versions.order_by("-effective_from").first()
    form = forms.ValuesForm(request.POST or None, initial_values=latest.values if latest else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.rule_version_create(
                actor=request.user,
                rule_set=rule_set,
                values=form.cleaned_data["values"],
                effective_from=form.cleaned_data["effective_from"],
                note=form.cleaned_data["note"],
            )
        except RuleViolation as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(label)s.") % {"label": version.label})
            return redirect("rules:version", version.pk)
    return render(request, "rules/values_form.html", {"form": form, "rule_set": rule_set, "title": _("New version")})


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_create(request):
    scope = access.scope_for(request.user)
    owners = (
        access.organizations(request.user, access.ORG_CHANGE)
        .filter(status=Organization.Status.ACTIVE, type__holds_members=False)
        .order_by("path")
    )
    if not scope.is_admin and not scope.has_any(access.ORG_CHANGE):
        raise Http404
    base = rulebook.national_default()
    current = queries.current_version(base, timezone.localdate())
    form = forms.RuleSetForm(
        request.POST or None,
        owners=owners,
        national_allowed=scope.is_admin,
        initial_values=current.values if current else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.rule_set_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                values=form.cleaned_data["values"],
                effective_from=form.cleaned_data["effective_from"],
                note=form.cleaned_data["note"],
            )
        except RuleViolation as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Created “%(name)s”.") % {"name": version.rule_set.name})
            return redirect("rules:set", version.rule_set_id)
    return render(request, "rules/values_form.html", {"form": form, "rule_set": None, "title": _("New rule set")})


def _form_errors(form, exc: RuleViolation) -> None:
    if exc.errors:
        for key, message in exc.errors.items():
            name = forms.field_name(key)
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, str(exc))


@login_required
def effective(request, org_id: int):
    org = access.get_or_404(access.organizations(request.user).select_related("type"), pk=org_id)
    form = forms.EffectiveForm(request.GET or None)
    on = timezone.localdate()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    try:
        version = rulebook.for_organization(org, on=on)
    except RuleViolation as exc:
        version, error = None, str(exc)
    else:
        error = ""
    assignment = rulebook.assignment_for(org.path, on)
    return render(
        request,
        "rules/effective.html",
        {
            "org": org,
            "form": form,
            "on": on,
            "version": version,
            "error": error,
            "assignment": assignment,
            "chain": queries.assignments_above(org),
            "may_assign": services.may_assign(request.user, None, org) and org.is_active,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, org_id: int):
    org = access.get_or_404(
        access.organizations(request.user, access.ORG_CHANGE).select_related("type"),
        pk=org_id,
        status=Organization.Status.ACTIVE,
    )
    if not services.may_assign(request.user, None, org):
        # The root's rules apply to everyone: administrators only (as if the page did not exist).
        raise Http404
    form = forms.AssignForm(request.POST or None, rule_sets=queries.assignable_sets(_visible_sets(request), org))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_assign(
                actor=request.user,
                organization=org,
                rule_set=form.cleaned_data["rule_set"],
                effective_from=form.cleaned_data["effective_from"],
                note=form.cleaned_data["note"],
            )
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Saved: the rules of “%(name)s” from the chosen date.") % {"name": org.name})
            return redirect("rules:effective", org.pk)
    return render(request, "rules/assign.html", {"form": form, "org": org, "chain": queries.assignments_above(org)})
