import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.documents import queries, services
from handbook.documents.models import Audience, Document, DocumentVersion, Receipt, StudyRecord
from handbook.testing import make_member


def _doc(w, issuer, audience=None, **extra):
    document = services.document_create(
        actor=w.users["province"],
        issuer=issuer,
        title="Chỉ thị 05",
        issued_on=timezone.localdate(),
        audience=audience,
        **extra,
    )
    return services.document_publish(actor=w.users["province"], document=document)


def test_inbox_follows_the_audience_paths(w):
    received = set(access.documents_received(w.users["member"]))
    assert w.document in received  # addressed to province A: reaches a member of a cell in it
    assert w.outside_document not in received and w.draft_document not in received
    assert w.outside_document in access.documents_received(w.users["outsider"])  # officials of B
    assert w.document not in access.documents_received(w.users["outsider"])
    assert not access.documents_received(w.users["anonymous"] if "anonymous" in w.users else None).exists()


def test_a_role_audience_reaches_only_that_role(w):
    document = _doc(w, w.a, audience=[(w.a, "cell_secretary")])
    assert document in access.documents_received(w.users["secretary"])
    assert document not in access.documents_received(w.users["member"])
    assert document not in access.documents_received(w.users["commune"])
    assert set(queries.audience_users(document)) == {w.users["secretary"].pk}


def test_publishing_costs_the_same_for_any_audience(w):
    for extra in range(3):
        make_member(w.a2a, f"Thành viên {extra}")
    draft = services.document_create(
        actor=w.users["province"], issuer=w.central, title="Toàn quốc", issued_on=timezone.localdate()
    )
    with CaptureQueriesContext(connection) as nation:
        services.document_publish(actor=w.users["province"], document=draft)
    small = services.document_create(
        actor=w.users["province"], issuer=w.a1a, title="Chi bộ", issued_on=timezone.localdate()
    )
    with CaptureQueriesContext(connection) as cell:
        services.document_publish(actor=w.users["province"], document=small)
    assert len(nation) == len(cell)
    assert Audience.objects.filter(document=draft).count() == 1  # no per-recipient rows


def test_publish_is_all_or_nothing(w, monkeypatch):
    from handbook.documents import services as module

    draft = services.document_create(actor=None, issuer=w.a, title="X", issued_on=timezone.localdate())

    def boom(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(module, "audit_record", boom)
    with pytest.raises(RuntimeError):
        services.document_publish(actor=None, document=draft)
    draft.refresh_from_db()
    assert draft.state == Document.State.DRAFT and draft.publish_at is None


def test_audience_must_stay_inside_the_issuer(w):
    with pytest.raises(RuleViolation) as err:
        services.document_create(
            actor=None, issuer=w.a1, title="X", issued_on=timezone.localdate(), audience=[(w.b1, "")]
        )
    assert err.value.field == "audience"


def test_validation_reports_every_field(w):
    with pytest.raises(RuleViolation) as err:
        services.document_create(
            actor=None,
            issuer=w.a,
            title=" ",
            issued_on=timezone.localdate() + datetime.timedelta(days=2),
            study_mode="reflection",
        )
    assert set(err.value.errors) == {"title", "issued_on", "study_deadline"}


def test_scheduled_document_is_hidden_until_its_time(w):
    draft = services.document_create(actor=None, issuer=w.a, title="Sau", issued_on=timezone.localdate())
    services.document_publish(actor=None, document=draft, publish_at=timezone.now() + datetime.timedelta(hours=3))
    assert draft not in access.documents_received(w.users["member"])
    Document.objects.filter(pk=draft.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    assert draft in access.documents_received(w.users["member"])


def test_a_correction_keeps_the_previous_version(w):
    services.document_update(actor=w.users["province"], document=w.document, title="Nghị quyết (sửa)", note="Tên")
    version = DocumentVersion.objects.get(document=w.document)
    assert version.version == 1 and version.title == "Nghị quyết về chuyển đổi số"
    w.document.refresh_from_db()
    assert w.document.version == 2 and w.document.title == "Nghị quyết (sửa)"
    assert AuditEvent.objects.filter(event_type=EventType.DOCUMENT_CORRECTED, object_id=str(w.document.pk)).exists()
    with pytest.raises(RuleViolation):
        services.document_update(actor=None, document=w.document, title="Lần nữa")  # no note


def test_withdrawn_documents_leave_the_inbox(w):
    services.document_withdraw(actor=w.users["province"], document=w.document, reason="Ban hành nhầm")
    assert w.document not in access.documents_received(w.users["member"])
    assert w.document in access.documents_issued(w.users["province"])
    with pytest.raises(RuleViolation):
        services.document_update(actor=None, document=w.document, title="Y")


def test_reading_and_confirming(w):
    user = w.users["member"]
    assert queries.unread_count(user) == 1
    services.document_read(user=user, document=w.document)
    services.document_read(user=user, document=w.document)
    assert Receipt.objects.filter(document=w.document, user=user).count() == 1
    assert queries.unread_count(user) == 0
    receipt = services.document_acknowledge(user=user, document=w.document)
    assert receipt.acknowledged_at is not None and receipt.cell_path == w.a1a.path
    other = _doc(w, w.a)
    with pytest.raises(RuleViolation):
        services.document_acknowledge(user=user, document=other)


def test_study_with_reflection_and_quiz(w):
    user = w.users["member"]
    with pytest.raises(RuleViolation):
        services.study_complete(user=user, document=w.document, reflection="ngắn")
    services.study_complete(user=user, document=w.document, reflection="Tôi sẽ dùng sổ tay mỗi tháng.")
    with pytest.raises(RuleViolation):
        services.study_complete(user=user, document=w.document, reflection="Tôi sẽ dùng sổ tay mỗi tháng.")
    draft = services.document_create(actor=None, issuer=w.a, title="Học", issued_on=timezone.localdate())
    services.quiz_set(
        actor=None,
        document=draft,
        questions=[
            {"text": "1+1?", "options": ["1", "2"], "correct": 1},
            {"text": "2+2?", "options": ["4", "5"], "correct": 0},
        ],
        pass_mark=2,
    )
    services.document_update(actor=None, document=draft, study_deadline=timezone.localdate())
    draft = services.document_publish(actor=None, document=draft)
    with pytest.raises(RuleViolation) as err:
        services.study_complete(user=user, document=draft, answers=[1, 1])
    assert err.value.code == "quiz_failed"
    record = services.study_complete(user=user, document=draft, answers=[1, 0])
    assert record.score == 2 and StudyRecord.objects.filter(document=draft).count() == 1


def test_rates_per_sub_unit(w):
    services.document_read(user=w.users["member"], document=w.document)
    services.document_acknowledge(user=w.users["secretary"], document=w.document)
    total, rows = queries.rates(w.document, w.a)
    by_name = {r.organization.name: r for r in rows}
    assert total.audience == 4 + 2 + 3  # members on the rolls of A1a, A1b, A2a
    assert total.read == 2 and total.acknowledged == 1
    assert by_name["Xã A1"].read == 2 and by_name["Xã A1"].audience == 6
    assert by_name["Xã A2"].read == 0 and by_name["Xã A2"].read_pct == 0
    cell_total, _ = queries.rates(w.document, w.a1a)
    assert cell_total.audience == 4 and cell_total.read_pct == 50.0


def test_reminder_reaches_only_those_who_have_not_read(w):
    services.document_read(user=w.users["member"], document=w.document)
    unread = set(queries.audience_users(w.document, under=w.a1a.path, unread=True))
    assert w.users["member"].pk not in unread and w.users["secretary"].pk in unread
    assert w.users["outsider"].pk not in set(queries.audience_users(w.document))
    reminder = services.reminder_send(actor=w.users["province"], document=w.document, organization=w.a1)
    assert AuditEvent.objects.filter(event_type=EventType.DOCUMENT_REMINDER_SENT).count() == 1
    assert reminder.organization == w.a1


def test_feedback_visibility_and_answer(w):
    assert w.feedback in access.feedback(w.users["member"])  # the author
    assert w.feedback in access.feedback(w.users["commune"])  # the committee addressed
    assert w.feedback in access.feedback(w.users["province"])  # above it
    assert w.feedback not in access.feedback(w.users["secretary"])  # the cell is below A1
    assert w.feedback not in access.feedback(w.users["outsider"])
    services.feedback_answer(actor=w.users["commune"], feedback=w.feedback, answer="Đã in.")
    w.feedback.refresh_from_db()
    assert w.feedback.status == "answered"
    services.feedback_close(actor=w.users["commune"], feedback=w.feedback)
    with pytest.raises(RuleViolation):
        services.feedback_answer(actor=w.users["commune"], feedback=w.feedback, answer="Lại")


def test_publishing_notifies_the_audience_once(w, django_capture_on_commit_callbacks):
    from handbook.notifications.models import Notification

    draft = services.document_create(
        actor=None, issuer=w.a1, title="Thông báo họp", issued_on=timezone.localdate(), audience=[(w.a1a, "")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_publish(actor=None, document=draft)  # the immediate task backend fans out at once
        services.document_update(actor=None, document=draft, issued_on=draft.issued_on)  # no change, no notice
    notified = set(
        Notification.objects.filter(event_key=f"document:{draft.pk}:published").values_list("user_id", flat=True)
    )
    assert notified == {w.users["member"].pk, w.users["secretary"].pk}
    assert w.users["outsider"].pk not in notified and w.users["commune"].pk not in notified


def test_a_reminder_notifies_only_those_who_have_not_read(w, django_capture_on_commit_callbacks):
    from handbook.notifications.models import Notification

    services.document_read(user=w.users["member"], document=w.document)
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.reminder_send(actor=w.users["province"], document=w.document, organization=w.a1a)
    reminded = set(
        Notification.objects.filter(event_key=f"document:{w.document.pk}:reminder:{reminder.pk}").values_list(
            "user_id", flat=True
        )
    )
    assert reminded == {w.users["secretary"].pk}


def test_the_author_is_told_when_feedback_is_answered(w, django_capture_on_commit_callbacks):
    from handbook.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_answer(actor=w.users["commune"], feedback=w.feedback, answer="Đã in.")
    note = Notification.objects.get(user=w.users["member"], kind="feedback.answered")
    assert note.url == f"/documents/feedback/{w.feedback.pk}/"


def test_a_scheduled_document_is_announced_when_it_becomes_visible(w, settings):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear() if hasattr(default_task_backend, "clear") else None
    draft = services.document_create(actor=None, issuer=w.a1, title="Hẹn giờ", issued_on=timezone.localdate())
    at = timezone.now() + datetime.timedelta(hours=2)
    services.document_publish(actor=None, document=draft, publish_at=at)
    from django_tasks import default_task_backend as backend

    queued = [r for r in backend.results if r.task.name == "announce_later"]
    assert len(queued) == 1 and queued[0].task.run_after == at and queued[0].args[0] == draft.pk


def test_path_copies_follow_a_moved_subtree(w):
    from handbook.organizations import services as org_services

    services.document_read(user=w.users["member"], document=w.document)
    draft = services.document_create(actor=None, issuer=w.a1, title="Xã", issued_on=timezone.localdate())
    org_services.organization_move(actor=None, organization=w.a1, new_parent=w.b)
    w.a1.refresh_from_db()
    w.a1a.refresh_from_db()
    draft.refresh_from_db()
    assert draft.issuer_path == w.a1.path
    assert Receipt.objects.get(document=w.document, user=w.users["member"]).cell_path == w.a1a.path
    assert access.feedback(w.users["outsider"]).filter(pk=w.feedback.pk).exists()  # A1 is in B now
    assert Audience.objects.get(document=draft).path == w.a1.path
