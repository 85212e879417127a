"""Reports: define, change and archive a periodic report; submit (and resubmit) a period's report;
review it. Every change writes an audit event in its own transaction."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization, OrganizationType

from . import attachments, fields, periods, queries
from .models import ReportDefinition, ReportSubmission, ReportTemplate, SubmissionVersion

MAX_DUE_DAYS = 90


def _clean_definition(
    *, title: str, frequency: str, due_days: int, attachment: str, template: list[dict], start_period: datetime.date
) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise RuleViolation(_("Enter a title."), field="title")
    if frequency not in ReportDefinition.Frequency.values:
        raise RuleViolation(_("Choose monthly or quarterly."), field="frequency")
    if not isinstance(due_days, int) or not 0 <= due_days <= MAX_DUE_DAYS:
        raise RuleViolation(_("Give from 0 to 90 days to submit."), field="due_days")
    if attachment not in ReportDefinition.Attachment.values:
        raise RuleViolation(_("Choose whether an attachment is asked for."), field="attachment")
    if not template and attachment == ReportDefinition.Attachment.NONE:
        raise RuleViolation(_("Ask for at least one field or an attachment."), field="fields")
    if not isinstance(start_period, datetime.date):
        raise RuleViolation(_("Choose the first period."), field="start_period")
    return title[:200]


@transaction.atomic
def definition_create(
    *,
    actor: Any,
    issuer: Organization,
    title: str,
    frequency: str,
    start_period: datetime.date,
    description: str = "",
    due_days: int = 5,
    attachment: str = ReportDefinition.Attachment.NONE,
    fields_spec: Any = None,
    target_type: OrganizationType | None = None,
) -> ReportDefinition:
    """A committee (not a cell) asks the organisations below it for a periodic report."""
    if issuer.type.holds_members or not issuer.is_active:
        raise RuleViolation(_("Reports are defined by an active committee, not by a cell."), field="issuer")
    template = fields.clean_template(fields_spec)
    title = _clean_definition(
        title=title,
        frequency=frequency,
        due_days=due_days,
        attachment=attachment,
        template=template,
        start_period=start_period,
    )
    definition = ReportDefinition.objects.create(
        issuer=issuer,
        title=title,
        description=(description or "").strip(),
        frequency=frequency,
        due_days=due_days,
        attachment=attachment,
        target_type=target_type,
        start_period=periods.period_start(frequency, start_period),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ReportTemplate.objects.create(definition=definition, version=1, fields=template)
    audit_record(
        actor=actor,
        event_type=EventType.REPORT_DEFINED,
        obj=definition,
        after={
            "issuer_id": issuer.pk,
            "title": title,
            "frequency": frequency,
            "due_days": due_days,
            "attachment": attachment,
            "target_type": target_type.code if target_type else None,
            "start_period": definition.start_period,
            "fields": template,
        },
    )
    return definition


@transaction.atomic
def definition_update(
    *,
    actor: Any,
    definition: ReportDefinition,
    title: str,
    description: str,
    due_days: int,
    attachment: str,
    fields_spec: Any,
) -> ReportDefinition:
    """Change a definition. A changed field list becomes a new template version; submissions keep
    pointing at the version they answered. Frequency, start and who submits stay fixed (changing
    them would rewrite which past periods were owed)."""
    original = definition
    definition = ReportDefinition.objects.select_for_update().get(pk=definition.pk)
    if not definition.is_active:
        raise RuleViolation(_("This report is archived."), code="archived")
    template = fields.clean_template(fields_spec)
    title = _clean_definition(
        title=title,
        frequency=definition.frequency,
        due_days=due_days,
        attachment=attachment,
        template=template,
        start_period=definition.start_period,
    )
    current = definition.current_template()
    before = {
        "title": definition.title,
        "description": definition.description,
        "due_days": definition.due_days,
        "attachment": definition.attachment,
        "template_version": current.version,
    }
    definition.title = title
    definition.description = (description or "").strip()
    definition.due_days = due_days
    definition.attachment = attachment
    definition.save(update_fields=["title", "description", "due_days", "attachment"])
    version = current.version
    if template != current.fields:
        version += 1
        ReportTemplate.objects.create(definition=definition, version=version, fields=template)
        definition._current_template = None
    original._current_template = None  # the caller's copy must not answer with the old template
    audit_record(
        actor=actor,
        event_type=EventType.REPORT_DEFINITION_CHANGED,
        obj=definition,
        before=before,
        after={
            "title": title,
            "description": definition.description,
            "due_days": due_days,
            "attachment": attachment,
            "template_version": version,
            **({"fields": template} if version != current.version else {}),
        },
    )
    return definition


@transaction.atomic
def definition_archive(*, actor: Any, definition: ReportDefinition) -> ReportDefinition:
    """Stop asking for the report. Past submissions stay readable and exportable."""
    original = definition
    definition = ReportDefinition.objects.select_for_update().get(pk=definition.pk)
    if not definition.is_active:
        raise RuleViolation(_("This report is already archived."), code="archived")
    definition.archived_at = original.archived_at = timezone.now()
    definition.save(update_fields=["archived_at"])
    audit_record(
        actor=actor,
        event_type=EventType.REPORT_DEFINITION_ARCHIVED,
        obj=definition,
        after={"archived_at": definition.archived_at},
    )
    return definition


def _snapshot(sub: ReportSubmission) -> dict:
    return {
        "version": sub.version,
        "template_version": sub.template.version,
        "state": sub.state,
        "data": sub.data,
        "attachment": sub.attachment_name,
    }


@transaction.atomic
def submission_submit(
    *,
    actor: Any,
    definition: ReportDefinition,
    organization: Organization,
    period: datetime.date,
    data: Any,
    attachment: tuple[str, bytes] | None = None,
    now: datetime.datetime | None = None,
) -> ReportSubmission:
    """Submit an organisation's report for a period (or send a corrected one).

    A resubmission is allowed while the report waits for review or after it was returned; the
    replaced content is kept as a `SubmissionVersion`. An accepted report is final: corrections go
    through the committee (which can return it only before accepting). Without a new attachment a
    resubmission keeps the previous one."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not definition.is_active:
        raise RuleViolation(_("This report is archived: nothing more is submitted."), code="archived")
    if not queries.is_obligated(definition, organization):
        raise RuleViolation(_("This organisation does not submit this report."), code="not_obligated")
    if not isinstance(period, datetime.date) or not periods.is_period_start(definition.frequency, period):
        raise RuleViolation(_("Choose a reporting period."), field="period")
    if period < definition.start_period:
        raise RuleViolation(_("This report starts with a later period."), field="period", code="before_start")
    if period > periods.period_start(definition.frequency, today):
        raise RuleViolation(_("This period has not started yet."), field="period", code="future_period")
    template = definition.current_template()
    cleaned = fields.clean_data(template.fields, data)
    existing = (
        ReportSubmission.objects.select_for_update()
        .filter(definition=definition, organization=organization, period=period)
        .select_related("template")
        .first()
    )
    if existing is not None and existing.state == ReportSubmission.State.ACCEPTED:
        raise RuleViolation(_("This report was accepted: it can no longer be replaced."), code="already_accepted")
    stored = name = ""
    size = 0
    if attachment is not None and attachment[1]:
        if definition.attachment == ReportDefinition.Attachment.NONE:
            raise RuleViolation(_("This report takes no attachment."), field="attachment")
        stored = attachments.store(attachment[0], attachment[1])
        name, size = attachments.safe_filename(attachment[0], stored), len(attachment[1])
        # Written before the rows: if a later step fails the file stays as an unreferenced orphan
        # (harmless, never served); the row never points at a missing file.
    elif existing is not None and existing.attachment:
        stored, name, size = existing.attachment, existing.attachment_name, existing.attachment_size
    if definition.attachment == ReportDefinition.Attachment.REQUIRED and not stored:
        raise RuleViolation(_("Attach the report file."), field="attachment", code="attachment_required")
    submitter = actor if getattr(actor, "is_authenticated", False) else None
    if existing is None:
        late = today > definition.deadline(period)
        try:
            with transaction.atomic():
                sub = ReportSubmission.objects.create(
                    definition=definition,
                    organization=organization,
                    period=period,
                    template=template,
                    data=cleaned,
                    attachment=stored,
                    attachment_name=name,
                    attachment_size=size,
                    late=late,
                    first_submitted_at=now,
                    submitted_at=now,
                    submitted_by=submitter,
                )
        except IntegrityError as exc:
            raise RuleViolation(
                _("A report for this period was just submitted. Reload the page."), code="duplicate"
            ) from exc
        audit_record(
            actor=actor,
            event_type=EventType.REPORT_SUBMITTED,
            obj=sub,
            after={**_snapshot(sub), "period": period, "organization_id": organization.pk, "late": late},
        )
        return sub
    before = _snapshot(existing)
    SubmissionVersion.objects.create(
        submission=existing,
        version=existing.version,
        template=existing.template,
        data=existing.data,
        attachment=existing.attachment,
        attachment_name=existing.attachment_name,
        attachment_size=existing.attachment_size,
        state=existing.state,
        review_comment=existing.review_comment,
        submitted_at=existing.submitted_at,
        submitted_by_id=existing.submitted_by_id,
        replaced_at=now,
    )
    existing.version += 1
    existing.template = template
    existing.data = cleaned
    existing.attachment, existing.attachment_name, existing.attachment_size = stored, name, size
    existing.state = ReportSubmission.State.SUBMITTED
    existing.submitted_at = now
    existing.submitted_by = submitter
    existing.reviewed_at = None
    existing.reviewed_by = None
    existing.review_comment = ""
    existing.save()
    audit_record(
        actor=actor, event_type=EventType.REPORT_RESUBMITTED, obj=existing, before=before, after=_snapshot(existing)
    )
    return existing


@transaction.atomic
def submission_review(*, actor: Any, submission: ReportSubmission, accept: bool, comment: str = "") -> ReportSubmission:
    """The committee accepts a report (final) or returns it with a comment (the cell corrects it)."""
    sub = ReportSubmission.objects.select_for_update().select_related("template").get(pk=submission.pk)
    comment = (comment or "").strip()
    if sub.state == ReportSubmission.State.ACCEPTED:
        raise RuleViolation(_("This report was already accepted."), code="already_accepted")
    if sub.state == ReportSubmission.State.RETURNED:
        raise RuleViolation(_("This report was returned; wait for the corrected one."), code="already_returned")
    if not accept and not comment:
        raise RuleViolation(_("Say what must be corrected."), field="comment")
    before = _snapshot(sub)
    sub.state = ReportSubmission.State.ACCEPTED if accept else ReportSubmission.State.RETURNED
    sub.reviewed_at = timezone.now()
    sub.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    sub.review_comment = comment[:2000]
    sub.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment"])
    audit_record(
        actor=actor,
        event_type=EventType.REPORT_ACCEPTED if accept else EventType.REPORT_RETURNED,
        obj=sub,
        before=before,
        after={"state": sub.state, "comment": sub.review_comment},
    )
    if not accept:
        _tell_returned(sub)
    return sub


def _tell_returned(sub: ReportSubmission) -> None:
    """The cell's secretaries (and whoever submitted) are told that the report came back."""
    from handbook.accounts.models import Role, RoleGrant
    from handbook.notifications.services import notify

    users = set(
        RoleGrant.objects.filter(
            organization_id=sub.organization_id, role=Role.CELL_SECRETARY, revoked_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    if sub.submitted_by_id:
        users.add(sub.submitted_by_id)
    notify(
        "report.returned",
        f"report-submission:{sub.pk}:returned:{sub.reviewed_at:%Y%m%d%H%M%S%f}",
        users=sorted(users),
        params={"title": sub.definition.title[:200], "period": sub.period.isoformat()},
        url=f"/reports/submissions/{sub.pk}/",
    )
