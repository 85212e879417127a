"""Probation pages: who is due for recognition in a subtree, deciding one member's case, and
reading a decision."""

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
from handbook.meetings.models import Motion
from handbook.members.models import Member

from . import forms, queries, services
from .dates import probation_for
from .models import Recognition


def overseen_org_or_404(request, org_id: int):
    """An organisation whose members the user may see as an official (not just their own cell
    as a member): probation lists name other members' status."""
    org = access.get_or_404(access.organizations(request.user).select_related("type"), pk=org_id)
    if not access.covers(request.user, access.MEMBER_VIEW, org.path):
        raise Http404
    return org


@login_required
def due(request, org_id: int):
    org = overseen_org_or_404(request, org_id)
    form = forms.DueForm(request.GET or None)
    window = form.cleaned_data["window"] if form.is_valid() and form.cleaned_data["window"] is not None else 60
    today = timezone.localdate()
    try:
        result = queries.due(org, today=today, window_days=window)
    except RuleViolation as exc:
        result, error = None, str(exc)
    else:
        error = ""
    return render(
        request,
        "probation/due.html",
        {
            "org": org,
            "form": form,
            "result": result,
            "error": error,
            "decided": queries.recognitions(org)[:20],
            "can_decide": access.covers(request.user, access.ORG_CHANGE, org.path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, member_id: int):
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=member_id)
    if not access.covers(request.user, access.MEMBER_VIEW, member.organization.path):
        raise Http404  # a member looking at their own record
    if not access.covers(request.user, access.ORG_CHANGE, member.organization.path):
        raise PermissionDenied
    motions = (
        Motion.objects.filter(meeting__organization=member.organization, state=Motion.State.CLOSED, secret=True)
        .exclude(pk__in=Recognition.objects.filter(motion__isnull=False).values("motion_id"))
        .order_by("-closed_at")
    )
    form = forms.RecognitionForm(request.POST or None, motions=motions)
    probation = None
    if member.admission_date:
        try:
            from handbook.rules import rulebook

            probation = probation_for(member.admission_date, rulebook.for_organization(member.organization))
        except RuleViolation:
            probation = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recognition = services.recognition_decide(
                actor=request.user,
                member=member,
                outcome=data["outcome"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                motion=data["motion"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                eligible=data["eligible"],
                reason=data["reason"],
            )
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("probation:detail", recognition.pk)
    return render(
        request,
        "probation/decide.html",
        {
            "member": member,
            "form": form,
            "probation": probation,
            "is_probationary": member.status == Member.Status.PROBATIONARY,
        },
    )


@login_required
def detail(request, pk: int):
    recognition = access.get_or_404(
        Recognition.objects.select_related("member", "organization", "rule_set", "motion").filter(
            member__in=access.members(request.user)
        ),
        pk=pk,
    )
    return render(request, "probation/detail.html", {"r": recognition})
