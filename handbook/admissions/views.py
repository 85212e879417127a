"""Admission pages: the pipeline of a subtree, a cell's candidates, a case with its timeline and
the form of its next step, targets and their progress."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.paths import subtree_q

from . import forms, queries, services
from .models import AdmissionCase, AdmissionStep, Candidate, EnterpriseOrganization, Step


def _org(request, org_id: int, perm: str = access.MEMBER_VIEW):
    return access.get_or_404(access.organizations(request.user, perm).select_related("type"), pk=org_id)


def _label_categories(user, pairs) -> None:
    """Set `shown_category` (label, or a dash where the category is protected from the user)."""
    labels = dict(Candidate.Category.choices)
    for candidate, path in pairs:
        code = queries.shown_category(user, candidate, path)
        candidate.shown_category = labels[code] if code else "—"


def _add_error(form, exc: RuleViolation) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@login_required
def pipeline(request, org_id: int):
    org = _org(request, org_id)
    filters = forms.PipelineFilter(request.GET or None)
    step = category = ""
    overdue = False
    if filters.is_valid():
        step = filters.cleaned_data["step"]
        category = filters.cleaned_data["category"]
        overdue = filters.cleaned_data["overdue"]
    if not queries.category_filter_allowed(request.user, org, category):
        category = ""
    rows = list(queries.pipeline(org, step=step, category=category, overdue=overdue)[:500])
    _label_categories(request.user, [(c.candidate, c.organization.path) for c in rows])
    return render(
        request,
        "admissions/pipeline.html",
        {
            "org": org,
            "filters": filters,
            "rows": rows,
            "today": timezone.localdate(),
            "holds_members": org.type.holds_members,
            "may_set_target": access.covers(request.user, access.ORG_CHANGE, org.path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidates(request, org_id: int):
    org = _org(request, org_id)
    if not org.type.holds_members:
        raise Http404
    may_change = access.covers(request.user, access.MEMBER_CHANGE, org.path)
    form = forms.CandidateForm(request.POST or None) if may_change else None
    if request.method == "POST":
        if not may_change:
            raise Http404
        if form.is_valid():
            try:
                candidate = services.candidate_create(actor=request.user, organization=org, **form.cleaned_data)
            except RuleViolation as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Added “%(name)s”.") % {"name": candidate.full_name})
                return redirect("admissions:candidates", org.pk)
    rows = list(
        queries.candidates(request.user).filter(organization=org).prefetch_related("cases").order_by("full_name", "pk")
    )
    _label_categories(request.user, [(c, org.path) for c in rows])
    return render(
        request, "admissions/candidates.html", {"org": org, "rows": rows, "form": form, "may_change": may_change}
    )


@login_required
@require_POST
def case_open(request, pk: int):
    candidate = access.get_or_404(queries.candidates(request.user, manage=True), pk=pk)
    try:
        case = services.case_open(actor=request.user, candidate=candidate)
    except RuleViolation as exc:
        messages.error(request, str(exc))
        return redirect("admissions:candidates", candidate.organization_id)
    return redirect("admissions:case", case.pk)


def _case(request, pk: int, *, manage: bool = False) -> AdmissionCase:
    return access.get_or_404(
        queries.cases(request.user, manage=manage).select_related(
            "candidate", "organization", "member", "decided_by", "rule_set__rule_set", "introducer_1", "introducer_2"
        ),
        pk=pk,
    )


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    nxt = case.next_step
    form = None
    if nxt and queries.may_record(request.user, case, nxt):
        form = forms.STEP_FORMS[nxt](case=case)
    may_withdraw = (
        case.state == case.State.OPEN and not case.member_id and queries.may_record(request.user, case, Step.COURSE)
    )
    _label_categories(request.user, [(case.candidate, case.organization.path)])
    motion_form = None
    if nxt == Step.CELL_VOTE and queries.may_record(request.user, case, nxt):
        motion_form = forms.CellMotionForm(case=case)
    return render(
        request,
        "admissions/case.html",
        {
            "case": case,
            "steps": case.steps.select_related("recorded_by"),
            "next_step": nxt,
            "next_label": case.next_step_label,
            "form": form,
            "motion_form": motion_form,
            "may_withdraw": may_withdraw,
            "sees_cccd": access.covers(request.user, access.MEMBER_SENSITIVE, case.organization.path),
            "life_history": _life_history_shown(request.user, case),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_record(request, pk: int, step: str):
    case = _case(request, pk, manage=True)
    if step not in Step.values or not queries.may_record(request.user, case, step):
        raise Http404
    form = forms.STEP_FORMS[step](request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.case_step_record(actor=request.user, case=case, step=step, **data)
        except RuleViolation as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Recorded: %(step)s.") % {"step": Step(step).label})
            return redirect("admissions:case", case.pk)
    return render(
        request, "admissions/step.html", {"case": case, "form": form, "step": step, "label": Step(step).label}
    )


@login_required
def step_file(request, pk: int):
    """The scan of a step's document, for those who may see the case."""
    item = access.get_or_404(
        AdmissionStep.objects.filter(case__in=queries.cases(request.user).values("pk")).exclude(stored_name=""), pk=pk
    )
    try:
        with default_storage.open(item.stored_name, "rb") as fh:
            data = fh.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=item.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.original_name or 'document')}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def case_withdraw(request, pk: int):
    case = _case(request, pk, manage=True)
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.case_withdraw(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Give the reason."))
    return redirect("admissions:case", case.pk)


@login_required
@require_POST
def cell_motion(request, pk: int):
    case = _case(request, pk, manage=True)
    form = forms.CellMotionForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_cell_motion_create(actor=request.user, case=case, meeting=form.cleaned_data["meeting"])
        except RuleViolation as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The vote is prepared at the meeting: open it there."))
    else:
        messages.error(request, _("Choose a meeting of the candidate's cell."))
    return redirect("admissions:case", case.pk)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def progress(request, org_id: int):
    org = _org(request, org_id)
    year = _year(request)
    return render(
        request,
        "admissions/progress.html",
        {
            **queries.progress(org, year),
            "may_set_target": access.covers(request.user, access.ORG_CHANGE, org.path),
            "enterprise_rows": EnterpriseOrganization.objects.filter(
                subtree_q(org.path, "organization__path"), founded_on__year=year
            ).select_related("organization")[:100],
            "years": [year - 1, year + 1],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_set(request, org_id: int):
    org = _org(request, org_id, access.ORG_CHANGE)
    year = _year(request)
    form = forms.TargetForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.target_set(
                actor=request.user,
                organization=org,
                year=data["year"],
                number=data["number"],
                percent=data["percent"],
                by_category=form.by_category(),
                enterprise_organizations=data["enterprise_organizations"],
            )
        except RuleViolation as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect(f"{redirect('admissions:progress', org.pk).url}?year={data['year']}")
    return render(request, "admissions/target.html", {"org": org, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_organization_create(request, org_id: int):
    org = _org(request, org_id, access.ORG_CHANGE)
    form = forms.EnterpriseOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_organization_record(actor=request.user, organization=org, **form.cleaned_data)
        except RuleViolation as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("admissions:progress", org.pk)
    return render(request, "admissions/enterprise.html", {"org": org, "form": form})


def _life_history_shown(user, case) -> list[tuple[str, str]]:
    """The life history's data as (label, value); ethnicity and religion only for readers with the
    sensitive-data permission over the cell (as on the member record)."""
    from handbook.members.models import Member

    sensitive = access.covers(user, access.MEMBER_SENSITIVE, case.organization.path)
    shown = []
    for field, value in case.life_history.items():
        if field in Member.SENSITIVE_FIELDS and not sensitive:
            continue
        shown.append((str(Member._meta.get_field(field).verbose_name), value))
    return shown
