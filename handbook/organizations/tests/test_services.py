import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.members import counts
from handbook.members.models import Member
from handbook.organizations import contents, queries, services
from handbook.organizations.models import Organization, OrganizationType, OrganizationVersion
from handbook.organizations.paths import next_path, subtree_q


def t(code):
    return OrganizationType.objects.get(code=code)


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


def test_create_appends_a_version_and_an_audit_event(w):
    admin = w.users["admin"]
    cell = services.organization_create(actor=admin, name="  Chi bộ   mới ", type=t("cell"), parent=w.a1)
    assert cell.name == "Chi bộ mới" and cell.parent == w.a1 and cell.path.startswith(w.a1.path)
    assert OrganizationVersion.objects.get(organization=cell).valid_to is None
    event = events(EventType.ORGANIZATION_CREATED).get(object_id=str(cell.pk))
    assert event.actor == admin and event.after["name"] == "Chi bộ mới"


@pytest.mark.parametrize(
    ("type_code", "parent_attr", "code"),
    [("cell", "a", "parent_type_rule"), ("commune", "a1a", "cell_is_leaf"), ("province", "a1", "parent_type_rule")],
)
def test_create_refuses_a_type_its_parent_does_not_allow(w, type_code, parent_attr, code):
    before = (Organization.objects.count(), AuditEvent.objects.count())
    with pytest.raises(RuleViolation) as err:
        services.organization_create(actor=None, name="X", type=t(type_code), parent=getattr(w, parent_attr))
    assert err.value.code == code
    assert (Organization.objects.count(), AuditEvent.objects.count()) == before


def test_create_refuses_an_empty_name(w):
    with pytest.raises(RuleViolation) as err:
        services.organization_create(actor=None, name="   ", type=t("cell"), parent=w.a1)
    assert err.value.field == "name"


def test_the_database_itself_refuses_a_child_under_a_cell(w):
    with pytest.raises(DatabaseError), transaction.atomic():
        Organization.objects.add_child(w.a1a, instance=Organization(name="X", type=t("cell"), parent=w.a1a))


def test_the_database_refuses_a_parent_that_contradicts_the_path(w):
    # A1a's path says it lives under A1; pointing its parent at B1 without moving it must fail.
    with pytest.raises(DatabaseError), transaction.atomic():
        Organization.objects.filter(pk=w.a1a.pk).update(parent=w.b1)


def test_the_database_refuses_a_wrong_type_under_a_parent(w):
    with pytest.raises(DatabaseError), transaction.atomic():
        Organization.objects.filter(pk=w.a1.pk).update(type=t("cell"))


def test_rename_keeps_the_old_name_in_history(w):
    services.organization_rename(actor=w.users["province"], organization=w.a1, name="Xã Yên Mô")
    names = list(OrganizationVersion.objects.filter(organization=w.a1).values_list("name", flat=True))
    assert names == ["Xã A1", "Xã Yên Mô"]
    assert events(EventType.ORGANIZATION_RENAMED).get().before["name"] == "Xã A1"


def test_move_carries_the_subtree_and_its_member_counts(w):
    services.organization_move(actor=w.users["province"], organization=w.a1a, new_parent=w.a2)
    a1a = Organization.objects.get(pk=w.a1a.pk)
    assert a1a.parent_id == w.a2.pk and a1a.path.startswith(w.a2.path)
    assert counts.subtree_member_count(w.a1) == 2  # A1b only
    assert counts.subtree_member_count(w.a2) == 7
    assert Member.objects.filter(organization=a1a).count() == 4
    event = events(EventType.ORGANIZATION_MOVED).get()
    assert event.before["parent_id"] == w.a1.pk and event.after["parent_id"] == w.a2.pk


def test_moving_a_commune_moves_all_its_cells(w):
    services.organization_move(actor=None, organization=w.a1, new_parent=w.b)
    for cell in (w.a1a, w.a1b):
        assert Organization.objects.get(pk=cell.pk).path.startswith(w.b.path)
    assert counts.subtree_member_count(w.b) == 9


def test_move_into_its_own_subtree_is_refused(w):
    with pytest.raises(RuleViolation) as err:
        services.organization_move(actor=None, organization=w.a1, new_parent=w.a1a)
    assert err.value.code == "cycle"


def test_move_under_a_forbidden_parent_type_changes_nothing(w):
    path = w.a1a.path
    with pytest.raises(RuleViolation) as err:
        services.organization_move(actor=None, organization=w.a1a, new_parent=w.a)
    assert err.value.code == "parent_type_rule"
    assert Organization.objects.get(pk=w.a1a.pk).path == path
    assert not events(EventType.ORGANIZATION_MOVED).exists()


def test_merge_moves_members_and_archives_the_source(w):
    services.organization_merge(actor=w.users["commune"], source=w.a1b, target=w.a1a)
    a1b = Organization.objects.get(pk=w.a1b.pk)
    assert a1b.status == "archived" and a1b.merged_into_id == w.a1a.pk
    assert Member.objects.filter(organization=w.a1b).count() == 0
    assert Member.objects.filter(organization=w.a1a).count() == 6
    assert counts.subtree_member_count(w.a1a) == 6 and counts.subtree_member_count(w.a1b) == 0
    assert events(EventType.MEMBER_MOVED).count() == 2
    merged = events(EventType.ORGANIZATION_MERGED).get()
    assert merged.after["moved"] == {"organizations": 0, "members": 2}
    assert OrganizationVersion.objects.filter(organization=a1b, valid_to__isnull=True).get().reason == "merged"


def test_merging_two_communes_moves_the_cells(w):
    services.organization_merge(actor=None, source=w.a2, target=w.a1)
    assert Organization.objects.get(pk=w.a2a.pk).parent_id == w.a1.pk
    assert counts.subtree_member_count(w.a1) == 9
    assert Organization.objects.get(pk=w.a2.pk).numchild == 0


def test_merge_across_types_that_the_rules_forbid_is_refused(w):
    with pytest.raises(RuleViolation) as err:
        services.organization_merge(actor=None, source=w.a1a, target=w.a2)
    assert err.value.code == "target_cannot_hold_members"
    with pytest.raises(RuleViolation):
        services.organization_merge(actor=None, source=w.a2, target=w.a1a)
    assert Organization.objects.get(pk=w.a1a.pk).is_active and Organization.objects.get(pk=w.a2.pk).is_active


def test_a_failed_merge_leaves_nothing_half_done(w, monkeypatch):
    handler = contents.handler("members")

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(handler, "transfer_all", explode)
    paths = dict(Organization.objects.values_list("pk", "path"))
    with pytest.raises(RuntimeError):
        services.organization_merge(actor=None, source=w.a2, target=w.a1)
    assert dict(Organization.objects.values_list("pk", "path")) == paths
    assert Organization.objects.get(pk=w.a2.pk).is_active
    assert not events(EventType.ORGANIZATION_MERGED).exists()


def test_split_moves_the_chosen_members_to_a_new_sibling(w):
    new = services.organization_split(
        actor=None, organization=w.a1a, new_name="Chi bộ A1c", member_ids=[w.other_member.pk]
    )
    assert new.parent_id == w.a1.pk and new.type.code == "cell"
    assert Member.objects.get(pk=w.other_member.pk).organization_id == new.pk
    assert counts.subtree_member_count(new) == 1 and counts.subtree_member_count(w.a1a) == 3
    assert events(EventType.ORGANIZATION_SPLIT).get().after["moved_members"] == 1


def test_split_refuses_members_of_another_cell(w):
    with pytest.raises(RuleViolation):
        services.organization_split(actor=None, organization=w.a1a, new_name="X", member_ids=[w.outside_member.pk])
    assert not Organization.objects.filter(name="X").exists()


def test_split_of_a_commune_moves_chosen_cells(w):
    new = services.organization_split(actor=None, organization=w.a1, new_name="Xã A3", children=[w.a1b])
    assert Organization.objects.get(pk=w.a1b.pk).parent_id == new.pk
    assert new.parent_id == w.a.pk


def test_dissolve_refuses_a_node_that_is_not_empty(w):
    for org in (w.a1, w.a1b):
        with pytest.raises(RuleViolation) as err:
            services.organization_dissolve(actor=None, organization=org)
        assert err.value.code == "not_empty"


def test_dissolve_archives_an_empty_node_and_keeps_it(w):
    empty = services.organization_create(actor=None, name="Chi bộ trống", type=t("cell"), parent=w.a1)
    services.organization_dissolve(actor=None, organization=empty)
    assert Organization.objects.get(pk=empty.pk).status == "archived"
    with pytest.raises(RuleViolation) as err:
        services.organization_rename(actor=None, organization=empty, name="Y")
    assert err.value.code == "archived"


def test_history_answers_where_a_cell_was_on_a_past_date(w):
    before_move = timezone.now()
    services.organization_move(actor=None, organization=w.a1a, new_parent=w.a2)
    services.organization_rename(actor=None, organization=w.a2, name="Xã A2 mới")
    then = [v.name for v in queries.organization_at(w.a1a, before_move)]
    now = [v.name for v in queries.organization_at(w.a1a, timezone.now())]
    assert then == ["Chi bộ A1a", "Xã A1", "Tỉnh A", "Trung ương"]
    assert now == ["Chi bộ A1a", "Xã A2 mới", "Tỉnh A", "Trung ương"]


def test_cells_with_fewer_than_three_official_members_are_flagged(w):
    flagged = {c.pk for c in counts.small_cells(w.a)}
    assert w.a1b.pk in flagged and w.a1a.pk not in flagged
    kids = {k.pk: k for k in counts.children_with_counts(w.a1)}
    assert kids[w.a1b.pk].is_small_cell and not kids[w.a1a.pk].is_small_cell


def test_next_path_bounds_exactly_the_subtree():
    assert next_path("0001") == "0002"
    assert next_path("000Z") == "001"
    assert next_path("0001ZZZZ") == "0002"
    inside, outside = "000100020003", "0002"
    assert "0001" <= inside < next_path("0001") <= outside


def test_subtree_queries_can_use_the_path_index(w):
    qs = Organization.objects.filter(subtree_q(w.a.path)).values("pk")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "path" in plan and ("INDEX" in plan.upper())


def test_counter_paths_follow_every_restructuring(w):
    from handbook.members.models import MemberCount

    services.organization_move(actor=None, organization=w.a1, new_parent=w.b)
    services.organization_merge(actor=None, source=w.a2, target=w.b1)
    services.organization_split(actor=None, organization=w.a1, new_name="Xã A3", children=[w.a1b])
    for row in MemberCount.objects.select_related("organization"):
        assert row.path == row.organization.path
    assert counts.subtree_member_count(w.b) == 12 and counts.subtree_member_count(w.a) == 0
