import pytest
from django.db import DatabaseError, connection, transaction

from handbook.audit.models import AuditEvent, EventType
from handbook.audit.services import audit_record
from handbook.organizations.models import Organization


def test_audit_rows_cannot_be_changed_through_the_orm(w):
    event = AuditEvent.objects.first()
    event.object_repr = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_updates_to_audit_rows(w):
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_repr != "tampered"


def test_an_event_can_only_be_written_inside_the_changing_transaction(w, monkeypatch):
    # The test itself runs inside a transaction, so pretend the connection is in autocommit.
    monkeypatch.setattr("handbook.audit.services._in_transaction", lambda: False)
    with pytest.raises(RuntimeError):
        audit_record(actor=None, event_type=EventType.ORGANIZATION_RENAMED, obj=w.a1)


def test_a_page_change_records_actor_type_object_before_after_and_request_id(client_for, w):
    client = client_for("province")
    response = client.post(f"/org/{w.a1.pk}/rename/", {"name": "Xã Hoa Lư"}, HTTP_X_REQUEST_ID="req-12345678")
    assert response.status_code == 302
    event = AuditEvent.objects.get(event_type=EventType.ORGANIZATION_RENAMED)
    assert event.actor == w.users["province"]
    assert event.object_type == "organizations.organization" and event.object_id == str(w.a1.pk)
    assert event.before["name"] == "Xã A1" and event.after["name"] == "Xã Hoa Lư"
    assert event.request_id == "req-12345678" == response["X-Request-ID"]
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_a_refused_change_writes_no_event(client_for, w):
    count = AuditEvent.objects.count()
    response = client_for("province").post(f"/org/{w.a1.pk}/rename/", {"name": " "})
    assert response.status_code == 200
    assert AuditEvent.objects.count() == count
    assert Organization.objects.get(pk=w.a1.pk).name == "Xã A1"


def test_administrators_filter_events_by_actor_type_object_and_time(client_for, w):
    client_for("province").post(f"/org/{w.a1.pk}/rename/", {"name": "Xã Hoa Lư"})
    admin = client_for("admin")
    page = admin.get("/audit/", {"event_type": int(EventType.ORGANIZATION_RENAMED), "actor": "province"})
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert len(rows) == 1 and rows[0].object_id == str(w.a1.pk)
    assert not list(admin.get("/audit/", {"actor": "nobody"}).context["page"])
    assert list(
        admin.get("/audit/", {"object_type": "organizations.organization", "object_id": w.a1.pk}).context["page"]
    )
    assert not list(admin.get("/audit/", {"since": "2999-01-01"}).context["page"])


def test_officials_see_an_organisations_history_page(client_for, w):
    client_for("province").post(f"/org/{w.a1.pk}/rename/", {"name": "Xã Hoa Lư"})
    page = client_for("commune").get(f"/org/{w.a1.pk}/history/")
    assert page.status_code == 200
    assert "Xã A1" in page.content.decode() and "Xã Hoa Lư" in page.content.decode()
