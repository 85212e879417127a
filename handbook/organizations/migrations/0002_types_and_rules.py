"""Seed the organisation types with their parent rules, and enforce the tree invariants in the
database itself (triggers on SQLite and PostgreSQL), so no code path can break them:

* a node's parent must be of a type that the node's type allows as parent;
* a node that holds members (a cell) has no children;
* a node's path continues its parent's path (so a node can never sit inside its own subtree).
"""

from django.db import migrations

TYPES = [
    # code, name (vi), name_en, rank, holds_members, allowed parents
    ("central", "Trung ương", "Central committee", 0, False, []),
    ("province", "Đảng bộ tỉnh/thành phố", "Province/city committee", 10, False, ["central"]),
    ("commune", "Đảng bộ xã/phường", "Commune/ward committee", 20, False, ["province"]),
    ("grassroots_other", "Đảng bộ cơ sở khác", "Other grassroots committee", 21, False, ["province", "central"]),
    ("partial", "Đảng bộ bộ phận", "Partial committee", 30, False, ["commune", "grassroots_other"]),
    ("grassroots_cell", "Chi bộ cơ sở", "Grassroots cell", 25, True, ["province", "central"]),
    ("cell", "Chi bộ", "Cell", 40, True, ["commune", "grassroots_other", "partial"]),
]


def seed_types(apps, schema_editor):
    OrganizationType = apps.get_model("organizations", "OrganizationType")
    by_code = {}
    for code, name, name_en, rank, holds, _parents in TYPES:
        by_code[code] = OrganizationType.objects.create(
            code=code, name=name, name_en=name_en, rank=rank, holds_members=holds
        )
    for code, *_rest, parents in TYPES:
        by_code[code].allowed_parents.set([by_code[p] for p in parents])


CHECK_SQLITE = """
SELECT RAISE(ABORT, 'organisation tree rule violated: parent type, cell leaf or path')
WHERE NOT EXISTS (
    SELECT 1 FROM organizations_organization p
    JOIN organizations_organizationtype pt ON pt.id = p.type_id
    JOIN organizations_organizationtype_allowed_parents a
      ON a.to_organizationtype_id = p.type_id AND a.from_organizationtype_id = NEW.type_id
    WHERE p.id = NEW.parent_id AND pt.holds_members = 0
      AND p.path = substr(NEW.path, 1, length(NEW.path) - 4)
);
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER organization_rules_insert BEFORE INSERT ON organizations_organization
    FOR EACH ROW WHEN NEW.parent_id IS NOT NULL BEGIN {CHECK_SQLITE} END;""",
    f"""CREATE TRIGGER organization_rules_update BEFORE UPDATE OF parent_id, type_id ON organizations_organization
    FOR EACH ROW WHEN NEW.parent_id IS NOT NULL
      AND (NEW.parent_id IS NOT OLD.parent_id OR NEW.type_id IS NOT OLD.type_id) BEGIN {CHECK_SQLITE} END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS organization_rules_insert;",
    "DROP TRIGGER IF EXISTS organization_rules_update;",
]

PG_FORWARD = [
    """CREATE FUNCTION organization_rules_check() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.parent_id IS NULL THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.parent_id = OLD.parent_id AND NEW.type_id = OLD.type_id THEN
            RETURN NEW;
        END IF;
        IF NOT EXISTS (
            SELECT 1 FROM organizations_organization p
            JOIN organizations_organizationtype pt ON pt.id = p.type_id
            JOIN organizations_organizationtype_allowed_parents a
              ON a.to_organizationtype_id = p.type_id AND a.from_organizationtype_id = NEW.type_id
            WHERE p.id = NEW.parent_id AND NOT pt.holds_members
              AND p.path = substr(NEW.path, 1, length(NEW.path) - 4)
        ) THEN
            RAISE EXCEPTION 'organisation tree rule violated: parent type, cell leaf or path'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$;""",
    """CREATE TRIGGER organization_rules BEFORE INSERT OR UPDATE OF parent_id, type_id
    ON organizations_organization FOR EACH ROW EXECUTE FUNCTION organization_rules_check();""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS organization_rules ON organizations_organization;",
    "DROP FUNCTION IF EXISTS organization_rules_check();",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [
        migrations.RunPython(seed_types, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
