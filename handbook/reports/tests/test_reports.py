import datetime
import io
import json

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.organizations.models import OrganizationType
from handbook.reports import fields, periods, queries, services
from handbook.reports.models import ReportSubmission

FIELDS = [
    {"key": "meetings", "label": "Meetings held", "type": "integer", "required": True},
    {"key": "dues", "label": "Dues collected", "type": "number", "required": False},
    {"key": "held_on", "label": "Date of the meeting", "type": "date", "required": False},
    {"key": "thematic", "label": "Thematic meeting held", "type": "yesno", "required": False},
    {"key": "notes", "label": "Notes", "type": "text", "required": False},
]
PDF = ("report.pdf", b"%PDF-1.4 monthly report")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def define(w, issuer=None, **kw):
    options = {
        "title": "Monthly cell report",
        "frequency": "monthly",
        "start_period": datetime.date(2026, 1, 1),
        "due_days": 5,
        "fields_spec": FIELDS,
    }
    options.update(kw)
    return services.definition_create(actor=w.users["commune"], issuer=issuer or w.a1, **options)


def submit(w, definition, org, period, on, data=None, actor="secretary", **kw):
    return services.submission_submit(
        actor=w.users[actor] if actor else None,
        definition=definition,
        organization=org,
        period=period,
        data={"meetings": 1} if data is None else data,
        now=at(on),
        **kw,
    )


# -- periods ---------------------------------------------------------------------------------
def test_periods_are_months_or_quarters_with_a_deadline_after_their_end():
    assert periods.period_start("quarterly", datetime.date(2026, 5, 17)) == datetime.date(2026, 4, 1)
    assert periods.period_end("quarterly", datetime.date(2026, 10, 1)) == datetime.date(2026, 12, 31)
    assert periods.period_end("monthly", datetime.date(2028, 2, 1)) == datetime.date(2028, 2, 29)
    assert periods.deadline("monthly", datetime.date(2026, 12, 1), 5) == datetime.date(2027, 1, 5)
    assert periods.previous_period("monthly", datetime.date(2026, 1, 1)) == datetime.date(2025, 12, 1)
    assert periods.recent("quarterly", datetime.date(2026, 1, 1), datetime.date(2026, 8, 2)) == [
        datetime.date(2026, 7, 1),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 1, 1),
    ]
    assert periods.parse("monthly", "2026-03") == datetime.date(2026, 3, 1)
    assert periods.parse("monthly", "nonsense") is None


# -- templates -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec",
    [
        [{"key": "1bad", "label": "x", "type": "text"}],
        [{"key": "a", "label": "x", "type": "text"}, {"key": "a", "label": "y", "type": "text"}],
        [{"key": "a", "label": "", "type": "text"}],
        [{"key": "a", "label": "x", "type": "colour"}],
        "not a list",
    ],
)
def test_a_broken_template_is_refused(spec):
    with pytest.raises(RuleViolation) as exc:
        fields.clean_template(spec)
    assert exc.value.field == "fields"


def test_submitted_values_are_converted_to_their_types():
    template = fields.clean_template(FIELDS)
    data = fields.clean_data(
        template,
        {"meetings": "2", "dues": "150000,5", "held_on": "2026-03-05", "thematic": "yes", "notes": " ok "},
    )
    assert data == {"meetings": 2, "dues": 150000.5, "held_on": "2026-03-05", "thematic": True, "notes": "ok"}


def test_every_wrong_value_gets_its_own_message_naming_the_field():
    template = fields.clean_template(FIELDS)
    with translation.override("en"), pytest.raises(RuleViolation) as exc:
        fields.clean_data(template, {"dues": "a lot", "held_on": "05/03/2026", "thematic": "maybe", "extra": 1})
    errors = exc.value.errors
    assert set(errors) == {"meetings", "dues", "held_on", "thematic", "extra"}
    assert errors["meetings"] == "Meetings held: this field is required."
    assert errors["dues"] == "Dues collected: Enter a number."
    assert exc.value.code == "invalid_data"


def test_field_errors_are_translated_into_vietnamese():
    template = fields.clean_template(FIELDS)
    with translation.override("vi"), pytest.raises(RuleViolation) as exc:
        fields.clean_data(template, {"meetings": "1.5"})
    assert exc.value.errors["meetings"] == "Meetings held: Nhập một số nguyên."


def test_the_form_lines_round_trip():
    text = fields.as_lines(fields.clean_template(FIELDS))
    assert fields.clean_template(fields.parse_lines(text)) == fields.clean_template(FIELDS)


# -- defining --------------------------------------------------------------------------------
def test_a_committee_defines_a_report_and_it_is_audited(w):
    d = define(w)
    assert d.current_template().version == 1
    event = AuditEvent.objects.get(event_type=EventType.REPORT_DEFINED, object_id=str(d.pk))
    assert event.after["fields"][0]["key"] == "meetings"


def test_a_cell_cannot_define_a_report(w):
    with pytest.raises(RuleViolation):
        define(w, issuer=w.a1a)
    assert not queries.may_define(w.users["secretary"], w.a1a)
    assert not queries.may_define(w.users["member"], w.a1)
    assert not queries.may_define(w.users["leader"], w.a1)
    assert queries.may_define(w.users["commune"], w.a1)


def test_a_report_asks_for_fields_or_a_file(w):
    with pytest.raises(RuleViolation) as exc:
        define(w, fields_spec=[], attachment="none")
    assert exc.value.field == "fields"


def test_changing_the_fields_adds_a_template_version_and_past_submissions_keep_theirs(w):
    d = define(w)
    old = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2))
    services.definition_update(
        actor=w.users["commune"],
        definition=d,
        title=d.title,
        description="",
        due_days=5,
        attachment="none",
        fields_spec=[{"key": "members_present", "label": "Members present", "type": "integer", "required": True}],
    )
    d.refresh_from_db()
    assert d.current_template().version == 2
    old.refresh_from_db()
    assert old.template.version == 1 and old.template.fields[0]["key"] == "meetings"
    new = submit(w, d, w.a1a, datetime.date(2026, 4, 1), datetime.date(2026, 5, 2), data={"members_present": 3})
    assert new.template.version == 2


def test_an_archived_report_takes_no_more_submissions(w):
    d = define(w)
    services.definition_archive(actor=w.users["commune"], definition=d)
    with pytest.raises(RuleViolation) as exc:
        submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2))
    assert exc.value.code == "archived"
    assert not queries.owed_by(w.a1a).filter(pk=d.pk).exists()


# -- submitting ------------------------------------------------------------------------------
def test_a_report_after_the_deadline_is_late_and_the_first_submission_decides(w):
    d = define(w)
    on_time = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 5))
    late = submit(w, d, w.a1b, datetime.date(2026, 3, 1), datetime.date(2026, 4, 6))
    assert not on_time.late and late.late
    services.submission_review(actor=w.users["commune"], submission=on_time, accept=False, comment="Fix it")
    again = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 20), data={"meetings": 2})
    assert again.pk == on_time.pk and not again.late  # a correction after the deadline is not late


def test_a_resubmission_keeps_the_replaced_version(w):
    d = define(w, attachment="optional")
    first = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2), attachment=PDF)
    second = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 3), data={"meetings": 4})
    assert second.pk == first.pk and second.version == 2 and second.data == {"meetings": 4}
    assert second.attachment == first.attachment  # no new file: the previous one stays
    (old,) = second.versions.all()
    assert old.version == 1 and old.data == {"meetings": 1}
    assert ReportSubmission.objects.filter(definition=d, organization=w.a1a).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.REPORT_RESUBMITTED, object_id=str(first.pk)).exists()


def test_an_accepted_report_is_final(w):
    d = define(w)
    sub = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2))
    services.submission_review(actor=w.users["commune"], submission=sub, accept=True)
    with pytest.raises(RuleViolation) as exc:
        submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 3))
    assert exc.value.code == "already_accepted"
    with pytest.raises(RuleViolation):
        services.submission_review(actor=w.users["commune"], submission=sub, accept=False, comment="x")


def test_returning_a_report_needs_a_comment_and_is_audited(w):
    d = define(w)
    sub = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2))
    with pytest.raises(RuleViolation) as exc:
        services.submission_review(actor=w.users["commune"], submission=sub, accept=False, comment=" ")
    assert exc.value.field == "comment"
    services.submission_review(actor=w.users["commune"], submission=sub, accept=False, comment="Add the dues")
    sub.refresh_from_db()
    assert sub.state == "returned" and sub.review_comment == "Add the dues"
    assert AuditEvent.objects.filter(event_type=EventType.REPORT_RETURNED, object_id=str(sub.pk)).exists()


@pytest.mark.parametrize(
    ("period", "code"),
    [(datetime.date(2025, 12, 1), "before_start"), (datetime.date(2026, 5, 1), "future_period")],
)
def test_only_periods_from_the_start_to_now_are_submitted(w, period, code):
    d = define(w)
    with pytest.raises(RuleViolation) as exc:
        submit(w, d, w.a1a, period, datetime.date(2026, 4, 2))
    assert exc.value.code == code


def test_only_organisations_that_owe_the_report_submit_it(w):
    d = define(w)
    for org in (w.a1, w.a2a, w.b1a):  # the issuer itself, a cell of another commune, another province
        with pytest.raises(RuleViolation) as exc:
            submit(w, d, org, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2))
        assert exc.value.code == "not_obligated"
    assert queries.may_submit(w.users["secretary"], d, w.a1a)
    assert not queries.may_submit(w.users["secretary"], d, w.a1b)
    assert not queries.may_submit(w.users["member"], d, w.a1a)
    assert not queries.may_submit(w.users["leader"], d, w.a1a)


def test_a_report_of_communes_is_owed_by_communes_not_cells(w):
    d = define(w, issuer=w.a, target_type=OrganizationType.objects.get(code="commune"))
    assert set(queries.obligated(d)) == {w.a1, w.a2}
    assert queries.owed_by(w.a1).filter(pk=d.pk).exists()
    assert not queries.owed_by(w.a1a).filter(pk=d.pk).exists()
    sub = submit(w, d, w.a1, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2), actor="commune")
    assert sub.organization == w.a1


# -- attachments -----------------------------------------------------------------------------
def test_a_required_attachment_must_be_given(w):
    d = define(w, attachment="required")
    with pytest.raises(RuleViolation) as exc:
        submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2))
    assert exc.value.code == "attachment_required"


@pytest.mark.parametrize(
    "upload",
    [("report.exe", b"MZ\x90\x00"), ("report.pdf", b"<html>not a pdf</html>"), ("photo.png", b"%PDF-1.4")],
)
def test_an_attachment_is_checked_by_type_and_content(w, upload):
    d = define(w, attachment="optional")
    with pytest.raises(RuleViolation) as exc:
        submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2), attachment=upload)
    assert exc.value.field == "attachment"


def test_an_attachment_is_downloaded_only_through_the_access_layer(w, client_for):
    d = define(w, attachment="optional")
    sub = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2), attachment=PDF)
    assert sub.attachment.startswith("reports/") and "report" not in sub.attachment[8:]
    response = client_for("leader").get(f"/reports/submissions/{sub.pk}/attachment/")
    assert response.status_code == 200 and response.content == PDF[1]
    assert response["Content-Type"] == "application/pdf"
    assert client_for("outsider").get(f"/reports/submissions/{sub.pk}/attachment/").status_code == 404


# -- tracking --------------------------------------------------------------------------------
@pytest.fixture
def tracked(w):
    """Province A asks every cell: in March 2026 A1a is on time, A1b late, A2a has sent nothing."""
    d = define(w, issuer=w.a)
    submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 5))
    submit(w, d, w.a1b, datetime.date(2026, 3, 1), datetime.date(2026, 4, 9))
    return d


def test_tracking_counts_on_time_late_and_missing_per_unit(w, tracked, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        t = queries.tracking(tracked, datetime.date(2026, 3, 1), w.a, datetime.date(2026, 4, 20))
    assert t.deadline == datetime.date(2026, 4, 5) and t.overdue
    assert (t.total.obligated, t.total.on_time, t.total.late, t.total.not_submitted) == (3, 1, 1, 1)
    units = {org.name: (c.obligated, c.on_time, c.late, c.not_submitted) for org, c in t.rows}
    assert units == {"Xã A1": (2, 1, 1, 0), "Xã A2": (1, 0, 0, 1)}
    statuses = {org.name: status for org, status, _sub in t.organizations}
    assert statuses == {"Chi bộ A1a": "on_time", "Chi bộ A1b": "late", "Chi bộ A2a": "missing"}


def test_before_the_deadline_a_missing_report_is_not_yet_due(w, tracked):
    t = queries.tracking(tracked, datetime.date(2026, 3, 1), w.a2, datetime.date(2026, 4, 5))
    assert not t.overdue
    assert [(o.name, s) for o, s, _sub in t.organizations] == [("Chi bộ A2a", "not_due")]


def test_drilling_down_to_a_commune_counts_its_cells(w, tracked):
    t = queries.tracking(tracked, datetime.date(2026, 3, 1), w.a1, datetime.date(2026, 4, 20))
    assert {org.name: c.obligated for org, c in t.rows} == {"Chi bộ A1a": 1, "Chi bộ A1b": 1}
    assert (t.total.on_time, t.total.late) == (1, 1)


def test_a_commune_official_tracks_only_their_commune(w, tracked, client_for):
    assert queries.visible_root(w.users["commune"], tracked) == w.a1
    body = client_for("commune").get(f"/reports/{tracked.pk}/track/?period=2026-03-01").content.decode()
    assert "Chi bộ A1a" in body and "Chi bộ A2a" not in body


def test_a_cell_sees_what_it_owes_with_missing_periods(w, tracked):
    (owed,) = queries.owed_reports(w.a2a, datetime.date(2026, 4, 20))
    assert owed.period == datetime.date(2026, 3, 1) and owed.status == "missing"
    assert owed.overdue_periods == 3  # January, February and March 2026
    (mine,) = queries.owed_reports(w.a1a, datetime.date(2026, 4, 20))
    assert mine.status == "on_time" and mine.overdue_periods == 2


# -- export ----------------------------------------------------------------------------------
def test_the_export_lists_every_organisation_with_status_and_values(w, tracked):
    from handbook.reports.exports import submissions_xlsx

    with translation.override("en"):
        body = submissions_xlsx(
            actor=w.users["province"],
            definition=tracked,
            period=datetime.date(2026, 3, 1),
            node=w.a,
            today=datetime.date(2026, 4, 20),
        )
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Organisation", "Status") and "Meetings held" in rows[0]
    by_org = {r[0]: r for r in rows[1:]}
    assert set(by_org) == {"Chi bộ A1a", "Chi bộ A1b", "Chi bộ A2a"}
    assert by_org["Chi bộ A1a"][1] == "Submitted on time" and by_org["Chi bộ A1a"][5] == 1
    assert by_org["Chi bộ A1b"][1] == "Submitted late"
    assert by_org["Chi bộ A2a"][1] == "Missing (overdue)" and by_org["Chi bộ A2a"][5] in (None, "")
    assert AuditEvent.objects.filter(event_type=EventType.REPORTS_EXPORTED, object_id=str(tracked.pk)).exists()


def test_the_export_page_is_limited_to_the_viewers_part(w, tracked, client_for):
    response = client_for("commune").get(f"/reports/{tracked.pk}/export/?period=2026-03-01")
    names = [r[0] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)][1:]
    assert names == ["Chi bộ A1a", "Chi bộ A1b"]


# -- pages and API ---------------------------------------------------------------------------
def test_the_secretary_submits_through_the_page_and_sees_field_errors(w, client_for):
    d = define(w)
    client = client_for("secretary")
    url = f"/reports/{d.pk}/submit/{w.a1a.pk}/2026-03-01/"
    response = client.post(url, {"meetings": "two"})
    assert response.status_code == 200
    assert "Meetings held: Nhập một số nguyên." in response.content.decode()
    response = client.post(url, {"meetings": "2", "thematic": "yes"})
    sub = ReportSubmission.objects.get(definition=d, organization=w.a1a)
    assert response.status_code == 302 and sub.data == {"meetings": 2, "thematic": True}


def test_the_api_lists_what_the_secretary_must_send(w, client_for):
    d = define(w)
    due = client_for("secretary").get("/api/v1/reports/due").json()
    mine = [r for r in due if r["definition"]["id"] == d.pk]
    assert len(mine) == 1 and mine[0]["organization_id"] == w.a1a.pk
    assert mine[0]["status"] in {"missing", "not_due"} and mine[0]["definition"]["fields"][0]["key"] == "meetings"
    assert client_for("member").get("/api/v1/reports/due").json() == []


def test_an_api_submission_retried_with_the_same_key_is_made_once(w, client_for):
    d = define(w)
    client = client_for("secretary")
    form = {"organization_id": w.a1a.pk, "period": "2026-03-01", "data": json.dumps({"meetings": 3})}
    url = f"/api/v1/reports/definitions/{d.pk}/submissions"
    first = client.post(url, form, HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, form, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["version"] == 1  # the retry did not resubmit
    other = client.post(url, {**form, "data": json.dumps({"meetings": 4})}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 400 and other.json()["code"] == "idempotency_conflict"


def test_an_api_submission_with_wrong_values_answers_every_field(w, client_for):
    d = define(w)
    response = client_for("secretary").post(
        f"/api/v1/reports/definitions/{d.pk}/submissions",
        {"organization_id": w.a1a.pk, "period": "2026-03-01", "data": json.dumps({"held_on": "tomorrow"})},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_data" and set(body["errors"]) == {"meetings", "held_on"}


def test_the_api_tracking_summary_counts_per_unit(w, tracked, client_for):
    body = client_for("province").get(f"/api/v1/reports/definitions/{tracked.pk}/tracking?period=2026-03-01").json()
    assert body["total"]["obligated"] == 3 and body["total"]["on_time"] == 1 and body["total"]["late"] == 1
    assert {u["organization"]: u["not_submitted"] for u in body["units"]} == {"Xã A1": 0, "Xã A2": 1}


def test_the_export_keeps_values_of_fields_a_later_template_dropped(w):
    from handbook.reports.exports import submissions_xlsx

    d = define(w)
    submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2), data={"meetings": 7})
    services.definition_update(
        actor=w.users["commune"],
        definition=d,
        title=d.title,
        description="",
        due_days=5,
        attachment="none",
        fields_spec=[{"key": "present", "label": "Members present", "type": "integer", "required": True}],
    )
    submit(w, d, w.a1b, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2), data={"present": 2})
    with translation.override("en"):
        body = submissions_xlsx(
            actor=None, definition=d, period=datetime.date(2026, 3, 1), node=w.a1, today=datetime.date(2026, 4, 20)
        )
    header, *rows = load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
    assert header[5:7] == ("Members present", "Meetings held")
    by_org = {r[0]: r for r in rows}
    assert by_org["Chi bộ A1a"][4] == 1 and by_org["Chi bộ A1a"][6] == 7
    assert by_org["Chi bộ A1b"][4] == 2 and by_org["Chi bộ A1b"][5] == 2


def test_the_cell_secretary_is_told_when_a_report_is_returned(w, django_capture_on_commit_callbacks):
    from handbook.notifications.models import Notification

    d = define(w)
    sub = submit(w, d, w.a1a, datetime.date(2026, 3, 1), datetime.date(2026, 4, 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_review(actor=w.users["commune"], submission=sub, accept=False, comment="Add the dues")
    told = Notification.objects.filter(kind="report.returned").values_list("user_id", "url")
    assert set(told) == {(w.users["secretary"].pk, f"/reports/submissions/{sub.pk}/")} | {
        (u, f"/reports/submissions/{sub.pk}/") for u in [sub.submitted_by_id] if u
    }
    with django_capture_on_commit_callbacks(execute=True):
        other = submit(w, d, w.a1a, datetime.date(2026, 2, 1), datetime.date(2026, 4, 2))
        services.submission_review(actor=w.users["commune"], submission=other, accept=True)
    assert Notification.objects.filter(kind="report.returned").count() == len(set(told))
