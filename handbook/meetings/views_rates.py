"""Attendance rates over a period: an organisation's subtree (drill-down to its children, and to
the members of a cell), and one member's meetings."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from handbook.core import access
from handbook.organizations.models import Organization
from handbook.organizations.paths import parent_path

from . import rates


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def period(data) -> tuple[datetime.date, datetime.date]:
    """The chosen period (default: this year to today); reversed dates are put in order."""
    start, end = rates.default_period()
    form = PeriodForm(data)
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    return (start, end) if start <= end else (end, start)


@login_required
def organization_rates(request):
    """For officials: per child organisation (each its whole subtree) and, for a cell, per member."""
    scope = access.scope_for(request.user)
    if not scope.is_official:
        raise Http404
    visible = access.organizations(request.user).select_related("type")
    if request.GET.get("org"):
        org = access.get_or_404(visible, pk=request.GET["org"])
    else:
        org = visible.filter(path__in=scope.paths(access.ORG_VIEW)).order_by("path").first()
    if org is None or not access.covers(request.user, access.ORG_VIEW, org.path):
        raise Http404
    start, end = period(request.GET)
    total, rows = rates.subtree_rates(org, start, end)
    members = []
    if org.type.holds_members and access.covers(request.user, access.MEMBER_VIEW, org.path):
        members = rates.cell_member_rates(org, start, end)
    parent = None
    if org.depth > 1 and access.covers(request.user, access.ORG_VIEW, parent_path(org.path)):
        parent = Organization.objects.filter(path=parent_path(org.path)).first()
    return render(
        request,
        "meetings/rates.html",
        {
            "org": org,
            "parent": parent,
            "start": start,
            "end": end,
            "total": total,
            "rows": rows,
            "members": members,
        },
    )


@login_required
def member_rates(request, pk: int):
    """One member's meetings in the period and their rate: the member themselves, or officials
    whose scope covers the member's record."""
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=pk)
    start, end = period(request.GET)
    figures, items = rates.member_history(member, start, end)
    return render(
        request,
        "meetings/member_rates.html",
        {"member": member, "start": start, "end": end, "figures": figures, "items": items},
    )
