"""Badge pages: who is due for a party badge in a subtree on an award occasion, recording an
award, and reading it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.probation.views import overseen_org_or_404
from handbook.rules import rulebook

from . import forms, queries, services
from .dates import next_occasions
from .models import BadgeAward


@login_required
def due(request, org_id: int):
    org = overseen_org_or_404(request, org_id)
    today = timezone.localdate()
    occasions = next_occasions(today)
    form = forms.OccasionForm(request.GET or None, initial={"award_date": occasions[0]})
    award_date = form.cleaned_data["award_date"] if form.is_valid() else occasions[0]
    result, error = None, ""
    try:
        rs = rulebook.for_organization(org, on=award_date)
        result = queries.due(org, award_date=award_date, rs=rs)
    except RuleViolation as exc:
        error = str(exc)
    return render(
        request,
        "badges/due.html",
        {
            "org": org,
            "form": form,
            "occasions": occasions,
            "award_date": award_date,
            "result": result,
            "error": error,
            "awarded": queries.awards(org)[:20],
            "can_award": access.covers(request.user, access.ORG_CHANGE, org.path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def award(request, member_id: int):
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=member_id)
    if not access.covers(request.user, access.MEMBER_VIEW, member.organization.path):
        raise Http404
    if not access.covers(request.user, access.ORG_CHANGE, member.organization.path):
        raise PermissionDenied
    today = timezone.localdate()
    try:
        milestones = rulebook.for_organization(member.organization, on=today).value("badges.milestones")
    except RuleViolation:
        milestones = []
    initial = {
        "award_date": request.GET.get("award_date") or next_occasions(today)[0],
        "years": request.GET.get("years"),
    }
    form = forms.AwardForm(request.POST or None, milestones=milestones, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.badge_award(actor=request.user, member=member, **data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Badge award recorded."))
            return redirect("badges:detail", done.pk)
    return render(request, "badges/award.html", {"member": member, "form": form})


@login_required
def detail(request, pk: int):
    award = access.get_or_404(
        BadgeAward.objects.select_related("member", "organization", "rule_set").filter(
            member__in=access.members(request.user)
        ),
        pk=pk,
    )
    return render(request, "badges/detail.html", {"a": award})
