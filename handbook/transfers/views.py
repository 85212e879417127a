"""Transfer pages: an organisation's outgoing, incoming and overdue transfers and the members
temporarily attending its cells; a member's transfers; issuing a letter; one transfer with the
steps the viewer may take."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.core.text import fold

from . import forms, queries, services
from .models import Transfer

LIST_LIMIT = 100


@login_required
def org_transfers(request, org_id: int):
    org = access.get_or_404(access.organizations(request.user).select_related("type"), pk=org_id)
    today = timezone.localdate()
    sections = []
    titles = {
        "overdue": _("Overdue"),
        "incoming": _("Incoming"),
        "outgoing": _("Outgoing"),
        "attending": _("Temporarily attending here"),
    }
    for which in ("overdue", "incoming", "outgoing", "attending"):
        rows = queries.for_subtree(request.user, org, which, today)
        sections.append({"key": which, "title": titles[which], "rows": list(rows[:LIST_LIMIT])})
    return render(request, "transfers/org.html", {"org": org, "sections": sections, "today": today})


@login_required
def member_transfers(request, member_id: int):
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=member_id)
    return render(
        request,
        "transfers/member.html",
        {
            "member": member,
            "transfers": queries.for_member(request.user, member),
            "may_issue": services.may_issue(request.user, member),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def issue(request, member_id: int):
    member = access.get_or_404(
        access.members(request.user, access.MEMBER_CHANGE).select_related("organization"), pk=member_id
    )
    if not services.may_issue(request.user, member):
        raise Http404
    form = forms.IssueForm(request.POST or None, initial={"kind": Transfer.Kind.OFFICIAL})
    query = request.GET.get("q", "").strip()
    candidates = []
    if query:
        candidates = list(
            forms.receiving_cells()
            .filter(search_name__contains=fold(query))
            .exclude(pk=member.organization_id)
            .select_related("parent")
            .order_by("path")[:20]
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_issue(
                actor=request.user,
                member=member,
                to_organization=data["to_organization"],
                kind=data["kind"],
                letter_number=data["letter_number"],
                issued_on=data["issued_on"],
                start=data["start"],
                end=data["end"],
                dues_paid_until=data["dues_paid_until"],
                note=data["note"],
            )
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request,
                _("Transfer letter issued. It must be presented by %(date)s.")
                % {"date": transfer.present_by.strftime("%d/%m/%Y")},
            )
            return redirect("transfers:detail", transfer.pk)
    chosen = form["to_organization"].value() if form.is_bound else None
    return render(
        request,
        "transfers/issue.html",
        {"member": member, "form": form, "query": query, "candidates": candidates, "chosen": str(chosen or "")},
    )


@login_required
def detail(request, pk: int):
    transfer = access.get_or_404(queries.visible(request.user).select_related("rule_set__rule_set"), pk=pk)
    today = timezone.localdate()
    actions = services.allowed_actions(request.user, transfer, today)
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "summary": queries.sees_summary(request.user, transfer),
            "actions": [(a, forms.ACTION_FORMS[a](initial=_initial(a, today))) for a in actions],
            "overdue": transfer.is_overdue(today),
            "today": today,
            "back": _back(request.user, transfer),
        },
    )


def _back(user, transfer: Transfer) -> str:
    from django.urls import reverse

    if access.can(user, access.MEMBER_VIEW, transfer.member):
        return reverse("transfers:member", args=[transfer.member_id])
    for org in (transfer.to_organization, transfer.from_organization):
        if access.covers(user, access.ORG_VIEW, org.path):
            return reverse("transfers:org", args=[org.pk])
    return reverse("home")


def _initial(action: str, today):
    return {"presented_on": today, "accepted_on": today, "ended_on": today}


def _may(user, transfer: Transfer, action: str) -> bool:
    if action in ("present", "accept", "return"):
        return services.may_receive(user, transfer)
    if action in ("cancel", "expire"):
        return services.may_send(user, transfer)
    return services.may_send(user, transfer) or services.may_receive(user, transfer)


@login_required
@require_POST
def act(request, pk: int, action: str):
    transfer = access.get_or_404(queries.visible(request.user), pk=pk)
    if action not in forms.ACTION_FORMS:
        raise Http404
    if not _may(request.user, transfer, action):
        raise PermissionDenied
    form = forms.ACTION_FORMS[action](request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("transfers:detail", transfer.pk)
    data = form.cleaned_data
    try:
        if action == "present":
            services.transfer_present(actor=request.user, transfer=transfer, presented_on=data["presented_on"])
        elif action == "accept":
            services.transfer_accept(actor=request.user, transfer=transfer, accepted_on=data["accepted_on"])
        elif action == "return":
            services.transfer_return(actor=request.user, transfer=transfer, reason=data["reason"])
        elif action == "cancel":
            services.transfer_cancel(actor=request.user, transfer=transfer, reason=data["reason"])
        elif action == "expire":
            services.transfer_expire(actor=request.user, transfer=transfer)
        else:
            services.transfer_end(actor=request.user, transfer=transfer, ended_on=data["ended_on"])
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        transfer.refresh_from_db()
        messages.success(request, _("Saved: %(state)s.") % {"state": transfer.get_state_display()})
    return redirect("transfers:detail", transfer.pk)
