"""Sensitive-data access records are append-only in the database too (as audit events)."""

from django.db import migrations

FORWARD = {
    "sqlite": [
        """CREATE TRIGGER sensitive_access_no_update BEFORE UPDATE ON audit_sensitiveaccess
        BEGIN SELECT RAISE(ABORT, 'access records are append-only'); END;"""
    ],
    "postgresql": [
        """CREATE TRIGGER sensitive_access_no_change BEFORE UPDATE OR DELETE ON audit_sensitiveaccess
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse();"""
    ],
}
BACKWARD = {
    "sqlite": ["DROP TRIGGER IF EXISTS sensitive_access_no_update;"],
    "postgresql": ["DROP TRIGGER IF EXISTS sensitive_access_no_change ON audit_sensitiveaccess;"],
}


def forward(apps, schema_editor):
    for sql in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in BACKWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_sensitive_access")]

    operations = [migrations.RunPython(forward, backward)]
