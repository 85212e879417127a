"""Review pages: an organisation's review periods (and opening one), a period's summary with
drill-down, one subject's review with the step the user may take, and a member's reviews."""

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
from handbook.organizations.models import Organization
from handbook.organizations.paths import ancestor_paths

from . import forms, levels, queries, services
from .models import Review


def _form_errors(form, exc: RuleViolation) -> None:
    if exc.errors:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@login_required
@require_http_methods(["GET", "POST"])
def org_periods(request, org_id: int):
    """The periods run here or above (that the user may see), and a form to open one here."""
    org = access.get_or_404(access.organizations(request.user), pk=org_id)
    chain = [*ancestor_paths(org.path), org.path]
    periods = queries.periods(request.user).filter(organization__path__in=chain)
    may_create = queries.may_create_period(request.user, org)
    today = timezone.localdate()
    form = None
    if may_create:
        form = forms.PeriodForm(
            request.POST or None,
            initial={"year": today.year, "title": _("Annual review %(year)s") % {"year": today.year}},
        )
        if request.method == "POST" and form.is_valid():
            try:
                period = services.period_create(actor=request.user, organization=org, **form.cleaned_data)
            except RuleViolation as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The review period is open."))
                return redirect("reviews:period", period.pk)
    elif request.method == "POST":
        raise Http404
    return render(request, "reviews/org.html", {"org": org, "periods": periods, "form": form})


def _period(request, pk: int):
    return access.get_or_404(queries.periods(request.user), pk=pk)


@login_required
def period_detail(request, pk: int):
    period = _period(request, pk)
    node = period.organization
    if request.GET.get("node"):
        node = access.get_or_404(access.organizations(request.user), pk=request.GET["node"])
    node = queries.summary_node(period, node)
    if not request.GET.get("node") and not queries.may_view_summary(request.user, node):
        # An official below the committee running the period starts at the node they oversee.
        inside = [p for p in access.scope_for(request.user).paths(access.ORG_VIEW) if p.startswith(node.path)]
        if inside:
            node = Organization.objects.get(path=inside[0])
    if not queries.may_view_summary(request.user, node):
        # Members see the periods they are reviewed in, not the others' results.
        scope = access.scope_for(request.user)
        if scope.member_id:
            return redirect("reviews:member", period.pk, scope.member_id)
        raise Http404
    summary = queries.summary(period, node)
    rows = queries.member_rows(period, node) if period.for_members and node.type.holds_members else []
    crumbs = list(
        Organization.objects.filter(path__in=ancestor_paths(node.path), path__gte=period.organization.path).order_by(
            "depth"
        )
    )
    return render(
        request,
        "reviews/period.html",
        {
            "period": period,
            "node": node,
            "crumbs": crumbs,
            "summary": summary,
            "rows": rows,
            "level_codes": [(c, levels.level_label(c)) for c in levels.LEVEL_CODES],
            "may_manage": queries.may_manage_period(request.user, period),
        },
    )


@login_required
@require_POST
def period_close(request, pk: int):
    period = _period(request, pk)
    try:
        services.period_close(actor=request.user, period=period)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The review period is closed."))
    return redirect("reviews:period", period.pk)


def _subject_page(request, period, subject, back):
    review = (
        Review.objects.filter(period=period, **_lookup(subject))
        .select_related("self_by", "proposed_by", "decided_by")
        .first()
    )
    may = {
        "self": period.is_open
        and queries.may_self_assess(request.user, subject)
        and (review is None or review.state == Review.State.SELF_ASSESSED),
        "propose": period.is_open
        and queries.may_propose(request.user, subject)
        and review is not None
        and review.state != Review.State.DECIDED,
        "decide": period.is_open
        and queries.may_decide(request.user, period)
        and review is not None
        and review.state == Review.State.PROPOSED,
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not may.get(action):
        # Unknown, or not this user's step now: the page offers no such form (the service would refuse too).
        raise PermissionDenied
    builders = {
        "self": lambda data: forms.SelfForm(
            data, initial={"text": review.self_text, "score": review.self_score} if review else None
        ),
        "propose": lambda data: forms.ProposeForm(
            data,
            initial={"score": review.proposed_score or review.self_score, "level": review.proposed_level}
            if review
            else None,
        ),
        "decide": lambda data: forms.DecideForm(data, initial={"decision_date": timezone.localdate()}),
    }
    forms_by_step = {step: builders[step](request.POST if step == action else None) for step in may if may[step]}
    if request.method == "POST":
        form = forms_by_step[action]  # may[action] is true: its form was built from the POST
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "self":
                    services.review_self_assess(
                        actor=request.user, period=period, subject=subject, text=data["text"], score=data["score"]
                    )
                elif action == "propose":
                    services.review_propose(
                        actor=request.user,
                        period=period,
                        subject=subject,
                        score=data["score"],
                        level=data["level"],
                        reason=data["reason"],
                    )
                else:
                    services.review_decide(actor=request.user, period=period, subject=subject, **data)
            except RuleViolation as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.path)
        forms_by_step[action] = form
    return render(
        request,
        "reviews/review.html",
        {
            "period": period,
            "subject": subject,
            "is_member": not hasattr(subject, "path"),
            "review": review,
            "forms": forms_by_step,
            "back": back,
            "scale_max": levels.scale_max(period.rule_set),
            "bands": [(levels.level_label(c), lowest) for c, lowest in levels.bands(period.rule_set).items()],
            "label": levels.level_label,
        },
        status=400 if request.method == "POST" else 200,
    )


def _lookup(subject) -> dict:
    return {"organization": subject} if hasattr(subject, "path") else {"member": subject}


@login_required
@require_http_methods(["GET", "POST"])
def member_review(request, pk: int, member_id: int):
    period = _period(request, pk)
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=member_id)
    if not queries.in_period(period, member) and not Review.objects.filter(period=period, member=member).exists():
        raise Http404
    return _subject_page(request, period, member, back=member.organization)


@login_required
@require_http_methods(["GET", "POST"])
def organization_review(request, pk: int, org_id: int):
    period = _period(request, pk)
    org = access.get_or_404(access.organizations(request.user), pk=org_id)
    if not queries.may_view_summary(request.user, org) and not queries.may_self_assess(request.user, org):
        raise Http404
    if not queries.in_period(period, org) and not Review.objects.filter(period=period, organization=org).exists():
        raise Http404
    return _subject_page(request, period, org, back=org.parent)


@login_required
def member_history(request, member_id: int):
    """A member's reviews over the years, and the open periods they are reviewed in."""
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=member_id)
    done = {r.period_id for r in queries.member_reviews(member)}
    return render(
        request,
        "reviews/member.html",
        {
            "member": member,
            "reviews": queries.member_reviews(member),
            "open_periods": [p for p in queries.open_periods_for(member) if p.pk not in done],
            "label": levels.level_label,
        },
    )


@login_required
def mine(request):
    member_id = access.scope_for(request.user).member_id
    if not member_id:
        raise Http404
    return redirect("reviews:member_history", member_id)
