import csv
import io

from openpyxl import load_workbook

from handbook.audit.models import AuditEvent, EventType, SensitiveAccess
from handbook.members import services


def test_an_excel_export_of_a_commune_for_an_official_without_the_permission_has_no_protected_column(client_for, w):
    services.member_update(actor=None, member=w.other_member, religion="Phật giáo")
    response = client_for("province").get("/members/export.xlsx", {"org": w.a1.pk})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert "Họ và tên" in header and "Số cccd" not in header and "Tôn giáo" not in header
    assert len(body) == 6
    flat = " ".join(str(c) for row in rows for c in row)
    assert "Phật giáo" not in flat and w.other_member.cccd not in flat
    event = AuditEvent.objects.get(event_type=EventType.MEMBERS_EXPORTED)
    assert event.actor == w.users["province"] and event.after["rows"] == 6
    assert not SensitiveAccess.objects.exists()


def test_a_csv_export_with_the_permission_includes_and_logs_protected_fields(client_for, w):
    response = client_for("commune").get("/members/export.csv", {"org": w.a1a.pk})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    cccd_col = header.index("Số cccd")
    assert sorted(r[cccd_col] for r in rows[1:]) == sorted(m.cccd for m in w.a1a.members.all())
    assert SensitiveAccess.objects.filter(channel="export").count() == 4


def test_the_api_export_follows_the_same_rules(client_for, w):
    response = client_for("province").get("/api/v1/members/export/csv", {"organization_id": w.a2.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) == 4 and "Số cccd" not in rows[0]
    assert client_for("outsider").get("/api/v1/members/export/csv", {"organization_id": w.a2.pk}).status_code == 404
