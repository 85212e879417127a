"""Discipline pages: a member's cases, an organisation's cases, one case with its decision and
appeal; a member's exemptions and exits; the exit list of a subtree for a period.

Discipline pages answer 404 to anyone who is neither the member nor a holder of the sensitive-data
permission over the organisation; reads by others are logged as sensitive reads."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from handbook.audit.models import SensitiveAccess
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.meetings.models import Motion
from handbook.rules import rulebook

from . import forms, queries, services
from .models import DisciplineCase, Exit


def _member(request, member_id: int):
    return access.get_or_404(access.members(request.user).select_related("organization"), pk=member_id)


@login_required
@require_http_methods(["GET", "POST"])
def member_cases(request, member_id: int):
    member = _member(request, member_id)
    if not access.sees_sensitive(request.user, member):
        raise Http404
    may_open = queries.can_open_for_member(request.user, member)
    form = forms.CaseOpenForm(request.POST or None)
    if request.method == "POST":
        if not may_open:
            raise Http404
        if form.is_valid():
            try:
                case = services.case_open(actor=request.user, member=member, **form.cleaned_data)
            except RuleViolation as exc:
                forms.form_errors(form, exc)
            else:
                messages.success(request, _("The case is opened."))
                return redirect("discipline:case", case.pk)
    cases = list(queries.cases(request.user).filter(member=member))
    queries.log_read(request.user, cases, SensitiveAccess.Channel.PAGE)
    return render(
        request,
        "discipline/member.html",
        {"member": member, "cases": cases, "form": form if may_open else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_cases(request, org_id: int):
    org = access.get_or_404(access.organizations(request.user), pk=org_id)
    if not access.covers(request.user, access.MEMBER_SENSITIVE, org.path):
        raise Http404
    may_open = queries.can_open_for_organization(request.user, org) and org.parent_id is not None
    form = forms.CaseOpenForm(request.POST or None)
    if request.method == "POST":
        if not may_open:
            raise Http404
        if form.is_valid():
            try:
                case = services.case_open(actor=request.user, organization=org, **form.cleaned_data)
            except RuleViolation as exc:
                forms.form_errors(form, exc)
            else:
                messages.success(request, _("The case is opened."))
                return redirect("discipline:case", case.pk)
    cases = list(queries.subtree_cases(request.user, org)[:500])
    queries.log_read(request.user, cases, SensitiveAccess.Channel.PAGE)
    return render(
        request,
        "discipline/organization.html",
        {"org": org, "cases": cases, "form": form if may_open else None},
    )


CASE_ACTIONS = ("decide", "drop", "notify", "appeal", "appeal_decide")


def _case_forms(case: DisciplineCase, data=None, action: str = ""):
    on = case.decision_date or timezone.localdate()
    rs = case.rule_set or rulebook.for_organization(case.organization, on=on)
    choices = forms.form_choices(services.forms_for(case, rs), case.against_organization)
    motions = Motion.objects.filter(
        meeting__organization=case.organization, secret=True, state=Motion.State.CLOSED
    ).select_related("meeting")

    def bound(name):
        return data if action == name else None

    return {
        "decide": forms.DecideForm(bound("decide"), choices=choices, motions=motions),
        "drop": forms.DropForm(bound("drop")),
        "notify": forms.NotifyForm(bound("notify")),
        "appeal": forms.AppealForm(bound("appeal")),
        "appeal_decide": forms.AppealDecisionForm(bound("appeal_decide"), choices=choices),
    }


def _apply(request, case: DisciplineCase, action: str, data: dict) -> DisciplineCase:
    actor = request.user
    if action == "decide":
        return services.case_decide(actor=actor, case=case, **data)
    if action == "drop":
        return services.case_drop(actor=actor, case=case, **data)
    if action == "notify":
        return services.case_notify(actor=actor, case=case, **data)
    if action == "appeal":
        return services.appeal_file(actor=actor, case=case, **data)
    return services.appeal_decide(actor=actor, case=case, **data)


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int):
    case = access.get_or_404(queries.cases(request.user), pk=pk)
    may_manage = queries.can_manage(request.user, case)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and (not may_manage or action not in CASE_ACTIONS):
        raise Http404
    case_forms = _case_forms(case, request.POST, action) if may_manage else {}
    if action:
        form = case_forms[action]
        if form.is_valid():
            try:
                _apply(request, case, action, form.cleaned_data)
            except RuleViolation as exc:
                forms.form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("discipline:case", case.pk)
    queries.log_read(request.user, [case], SensitiveAccess.Channel.PAGE)
    return render(
        request,
        "discipline/case.html",
        {
            "case": case,
            "forms": case_forms,
            "may_manage": may_manage,
            "deadline": services.appeal_deadline(case),
            "exits": list(case.exits.all()),
        },
    )


STATUS_ACTIONS = ("exempt", "exempt_end", "exit")


@login_required
@require_http_methods(["GET", "POST"])
def member_status(request, member_id: int):
    """A member's exemptions from activities and exit, with the forms to record them."""
    member = _member(request, member_id)
    may_change = access.covers(request.user, access.MEMBER_CHANGE, member.organization.path)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and (not may_change or action not in STATUS_ACTIONS):
        raise Http404
    data = request.POST

    def bound(name):
        return data if action == name else None

    status_forms = {
        "exempt": forms.ExemptionForm(bound("exempt")),
        "exempt_end": forms.ExemptionEndForm(bound("exempt_end")),
        "exit": forms.ExitForm(bound("exit")),
    }
    exemptions = list(queries.exemptions(request.user).filter(member=member))
    if action:
        form = status_forms[action]
        if form.is_valid():
            try:
                if action == "exempt":
                    services.exemption_grant(actor=request.user, member=member, **form.cleaned_data)
                elif action == "exit":
                    services.exit_record(actor=request.user, member=member, **form.cleaned_data)
                else:
                    current = next((e for e in exemptions if e.end is None), None)
                    if current is None:
                        raise RuleViolation(_("There is no current exemption."), code="state")
                    services.exemption_end(actor=request.user, exemption=current, **form.cleaned_data)
            except RuleViolation as exc:
                forms.form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("discipline:member_status", member.pk)
    return render(
        request,
        "discipline/member_status.html",
        {
            "member": member,
            "exemptions": exemptions,
            "current_exemption": next((e for e in exemptions if e.end is None), None),
            "exits": queries.exits_shown(
                request.user, Exit.objects.filter(member=member).select_related("organization")
            ),
            "forms": status_forms if may_change else {},
            "on_rolls": member.status in member.ON_ROLLS,
        },
    )


def _day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def exit_list(request, org_id: int):
    """Members who left from this subtree in a period (default: this year)."""
    org = access.get_or_404(access.organizations(request.user), pk=org_id)
    if not access.covers(request.user, access.MEMBER_VIEW, org.path):
        raise Http404
    today = timezone.localdate()
    start = _day(request.GET.get("start")) or today.replace(month=1, day=1)
    end = _day(request.GET.get("end")) or today
    rows = queries.exits_shown(
        request.user, queries.exit_list(request.user, org, start, end).select_related("organization")[:1000]
    )
    counts = {kind.label: sum(1 for r in rows if r.kind == kind and not r.reversed_on) for kind in Exit.Kind}
    return render(
        request,
        "discipline/exits.html",
        {"org": org, "rows": rows, "start": start, "end": end, "counts": counts},
    )
