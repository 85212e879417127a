"""Report pages: the list, defining and editing a report, the committee's tracking with drill-down
and export, a cell's reports with the form to submit, a submission with its review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization

from . import attachments, exports, fields, periods, queries, services
from .forms import DefinitionEditForm, DefinitionForm, initial_from, submission_form_class
from .models import ReportDefinition, ReportSubmission


def _definition(request, pk: int) -> ReportDefinition:
    return access.get_or_404(queries.definitions(request.user), pk=pk)


def _managed(request, pk: int) -> ReportDefinition:
    definition = _definition(request, pk)
    if not queries.may_manage(request.user, definition):
        raise Http404
    return definition


def _viewed_org(request, org_pk) -> Organization:
    org = access.get_or_404(access.organizations(request.user).select_related("type"), pk=org_pk)
    if not access.covers(request.user, access.ORG_VIEW, org.path):
        raise Http404  # a plain member sees their cell's name, not its reporting
    return org


def _show_errors(form, exc: RuleViolation) -> None:
    if exc.errors:
        for key, message in exc.errors.items():
            form.add_error(key if key in form.fields else None, message)
    else:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _definition_error(form, exc: RuleViolation) -> None:
    target = "fields_text" if exc.field == "fields" else exc.field
    form.add_error(target if target in form.fields else None, str(exc))


@login_required
def index(request):
    """Reports I track (officials), organisations I report for (secretaries), where I may define one."""
    user = request.user
    scope = access.scope_for(user)
    defs = list(queries.definitions(user).order_by("archived_at", "title", "id")[:200])
    reporters = list(
        Organization.objects.filter(path__in=scope.paths(access.MEMBER_CHANGE), status=Organization.Status.ACTIVE)
        .select_related("type")
        .order_by("path")
    )
    reporters = [o for o in reporters if queries.owed_by(o).exists()]
    definers = [
        o
        for o in Organization.objects.filter(path__in=scope.paths(access.ORG_CHANGE)).select_related("type")
        if queries.may_define(user, o)
    ]
    return render(request, "reports/index.html", {"definitions": defs, "reporters": reporters, "definers": definers})


@login_required
@require_http_methods(["GET", "POST"])
def define(request, org_pk: int):
    issuer = access.get_or_404(access.organizations(request.user, access.ORG_CHANGE).select_related("type"), pk=org_pk)
    if not queries.may_define(request.user, issuer):
        raise Http404
    today = timezone.localdate()
    form = DefinitionForm(
        request.POST or None,
        initial={"start_period": periods.period_start(periods.MONTHLY, today), "due_days": 5},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = services.definition_create(
                actor=request.user,
                issuer=issuer,
                title=data["title"],
                description=data["description"],
                frequency=data["frequency"],
                due_days=data["due_days"],
                start_period=data["start_period"],
                target_type=data["target_type"],
                attachment=data["attachment"],
                fields_spec=fields.parse_lines(data["fields_text"]),
            )
        except RuleViolation as exc:
            _definition_error(form, exc)
        else:
            messages.success(request, _("The report is defined."))
            return redirect("reports:detail", pk=definition.pk)
    return render(request, "reports/form.html", {"form": form, "title": _("New periodic report"), "org": issuer})


@login_required
def detail(request, pk: int):
    definition = _definition(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "reports/detail.html",
        {
            "definition": definition,
            "template": definition.current_template(),
            "may_manage": queries.may_manage(request.user, definition) and definition.is_active,
            "due": queries.due_period(definition, today),
            "periods": [
                (p, definition.period_label(p), definition.deadline(p))
                for p in periods.recent(definition.frequency, definition.start_period, today, 12)
            ],
            "types": fields.TYPES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    definition = _managed(request, pk)
    if not definition.is_active:
        raise Http404
    template = definition.current_template()
    form = DefinitionEditForm(
        request.POST or None,
        initial={
            "title": definition.title,
            "description": definition.description,
            "due_days": definition.due_days,
            "attachment": definition.attachment,
            "fields_text": fields.as_lines(template.fields),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.definition_update(
                actor=request.user,
                definition=definition,
                title=data["title"],
                description=data["description"],
                due_days=data["due_days"],
                attachment=data["attachment"],
                fields_spec=fields.parse_lines(data["fields_text"]),
            )
        except RuleViolation as exc:
            _definition_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("reports:detail", pk=definition.pk)
    return render(
        request, "reports/form.html", {"form": form, "title": _("Change the report"), "definition": definition}
    )


@login_required
@require_POST
def archive(request, pk: int):
    definition = _managed(request, pk)
    try:
        services.definition_archive(actor=request.user, definition=definition)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The report is archived: nothing more is asked."))
    return redirect("reports:detail", pk=definition.pk)


def _tracking_args(request, definition: ReportDefinition):
    """The period (default: the one due now) and the node (default: the top of the viewer's part
    of the issuer's subtree), both checked against the viewer's scope."""
    today = timezone.localdate()
    period = periods.parse(definition.frequency, request.GET.get("period")) or queries.due_period(definition, today)
    root = queries.visible_root(request.user, definition)
    if root is None:
        raise Http404
    node = root
    if request.GET.get("node"):
        node = access.get_or_404(access.organizations(request.user).select_related("type"), pk=request.GET["node"])
        if not node.path.startswith(definition.issuer.path) or not access.covers(
            request.user, access.ORG_VIEW, node.path
        ):
            raise Http404
    return today, period, node


@login_required
def track(request, pk: int):
    definition = _definition(request, pk)
    today, period, node = _tracking_args(request, definition)
    result = queries.tracking(definition, period, node, today)
    crumbs = []
    if node.path != definition.issuer.path:
        crumbs = [
            o
            for o in Organization.objects.filter(
                path__in=[node.path[:i] for i in range(len(definition.issuer.path), len(node.path), 4)]
            ).order_by("depth")
            if access.covers(request.user, access.ORG_VIEW, o.path)
        ]
    choices = [
        (p, definition.period_label(p))
        for p in periods.recent(definition.frequency, definition.start_period, today, 24)
    ]
    return render(
        request,
        "reports/track.html",
        {
            "definition": definition,
            "t": result,
            "period_label": definition.period_label(period),
            "labels": queries.status_labels(),
            "crumbs": crumbs,
            "choices": choices,
        },
    )


@login_required
def export(request, pk: int):
    definition = _definition(request, pk)
    today, period, node = _tracking_args(request, definition)
    body = exports.submissions_xlsx(actor=request.user, definition=definition, period=period, node=node, today=today)
    response = HttpResponse(body, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="report-{definition.pk}-{period:%Y-%m}.xlsx"'
    return response


@login_required
def cell(request, org_pk: int):
    """The reports an organisation owes: the period due now and the recent ones, each with its status."""
    org = _viewed_org(request, org_pk)
    today = timezone.localdate()
    owed = queries.owed_reports(org, today)
    return render(
        request,
        "reports/cell.html",
        {
            "org": org,
            "owed": owed,
            "labels": queries.status_labels(),
            "may_submit": access.covers(request.user, access.MEMBER_CHANGE, org.path),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk: int, org_pk: int, period: str):
    definition = _definition(request, pk)
    org = _viewed_org(request, org_pk)
    day = periods.parse(definition.frequency, period)
    today = timezone.localdate()
    if (
        day is None
        or not queries.may_submit(request.user, definition, org)
        or not definition.is_active
        or not queries.submittable(definition, day, today)
    ):
        raise Http404
    existing = ReportSubmission.objects.filter(definition=definition, organization=org, period=day).first()
    template = definition.current_template()
    form_class = submission_form_class(template.fields, definition.attachment)
    initial = initial_from(template.fields, existing.data) if existing else {}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    locked = existing is not None and existing.state == ReportSubmission.State.ACCEPTED
    if request.method == "POST" and form.is_valid() and not locked:
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
        upload = form.cleaned_data.get("attachment")
        try:
            sub = services.submission_submit(
                actor=request.user,
                definition=definition,
                organization=org,
                period=day,
                data=data,
                attachment=(upload.name, upload.read()) if upload else None,
            )
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("The report is submitted."))
            return redirect("reports:submission", sid=sub.pk)
    return render(
        request,
        "reports/submit.html",
        {
            "definition": definition,
            "org": org,
            "period_label": definition.period_label(day),
            "deadline": definition.deadline(day),
            "form": form,
            "existing": existing,
            "locked": locked,
        },
    )


def _submission(request, sid: int) -> ReportSubmission:
    return access.get_or_404(queries.submissions(request.user).select_related("definition__issuer"), pk=sid)


def _rows(template: list[dict], data: dict) -> list[tuple[str, str]]:
    return [(spec["label"], fields.display(spec, data.get(spec["key"]))) for spec in template]


@login_required
def submission(request, sid: int):
    sub = _submission(request, sid)
    definition = sub.definition
    versions = [(v, _rows(v.template.fields, v.data)) for v in sub.versions.select_related("template", "submitted_by")]
    return render(
        request,
        "reports/submission.html",
        {
            "sub": sub,
            "definition": definition,
            "period_label": definition.period_label(sub.period),
            "deadline": definition.deadline(sub.period),
            "rows": _rows(sub.template.fields, sub.data),
            "versions": versions,
            "may_review": queries.may_manage(request.user, definition)
            and sub.state == ReportSubmission.State.SUBMITTED,
            "may_resubmit": queries.may_submit(request.user, definition, sub.organization)
            and definition.is_active
            and sub.state != ReportSubmission.State.ACCEPTED,
        },
    )


@login_required
@require_POST
def review(request, sid: int):
    sub = _submission(request, sid)
    if not queries.may_manage(request.user, sub.definition):
        raise Http404
    accept = request.POST.get("decision") == "accept"
    try:
        services.submission_review(
            actor=request.user, submission=sub, accept=accept, comment=request.POST.get("comment", "")
        )
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Accepted.") if accept else _("Returned for correction."))
    return redirect("reports:submission", sid=sub.pk)


@login_required
def attachment(request, sid: int):
    """The attachment (or a replaced version's, with ?version=N), only through the access layer."""
    sub = _submission(request, sid)
    stored, name = sub.attachment, sub.attachment_name
    if request.GET.get("version"):
        old = sub.versions.filter(version=request.GET["version"]).first() if request.GET["version"].isdigit() else None
        if old is None:
            raise Http404
        stored, name = old.attachment, old.attachment_name
    body = attachments.read(stored)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type=attachments.content_type(stored))
    response["Content-Disposition"] = content_disposition_header(True, attachments.safe_filename(name, stored))
    return response
