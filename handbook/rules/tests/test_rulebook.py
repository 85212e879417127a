import datetime
import decimal

import pytest
from django.db import models
from django.utils import timezone, translation

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.organizations import services as org_services
from handbook.rules import registry, rulebook, services
from handbook.rules.models import RuleAssignment, RuleSet, RuleSetVersion

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=40)
MUCH_LATER = TODAY + datetime.timedelta(days=400)


def default():
    return RuleSet.objects.get(is_default=True)


def current_values():
    return dict(default().versions.order_by("-effective_from").first().values)


def with_(**changes):
    values = current_values()
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return values


def own_set(owner, name="Quy định tỉnh A", **changes):
    return services.rule_set_create(
        actor=None, name=name, owner=owner, values=with_(**changes), effective_from=TODAY
    ).rule_set


def test_the_2025_rules_are_the_national_default(w):
    rs = rulebook.for_organization(w.a1a, on=datetime.date(2025, 6, 1))
    assert rs.rule_set.name == "Quy định 2025"
    assert rs.rule_set.is_default
    assert rs.effective_from == datetime.date(2025, 1, 1)
    assert rs.value("admission.age_min") == 18
    assert rs.value("admission.age_max") == 60
    assert rs.value("probation.months") == 12
    assert rs.value("admission.cell_vote_threshold") == "2/3"
    assert rs.value("meetings.default_threshold") == ">1/2"
    assert rs.value("badges.milestones") == [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]
    assert rs.value("badges.early_months") == [
        {"from": 30, "to": 65, "months": 12},
        {"from": 70, "to": 90, "months": 24},
    ]
    assert rs.value("review.levels") == {"excellent": 90, "good": 70, "completed": 50, "not_completed": 0}
    assert list(rs.value("review.levels")) == ["excellent", "good", "completed", "not_completed"]
    assert rs.value("discipline.member_forms") == ["reprimand", "warning", "removal_from_post", "expulsion"]
    assert rs.value("discipline.organization_forms") == ["reprimand", "warning", "dissolution"]
    assert datetime.date(2025, 1, 29) in rs.value("calendar.holidays")  # Tết Ất Tỵ
    assert datetime.date(2026, 2, 17) in rs.value("calendar.holidays")  # Tết Bính Ngọ
    assert rs.pk and "Quy định 2025" in rs.label


def test_every_declared_key_is_set_in_the_2025_rules(w):
    rs = rulebook.for_organization(w.central, on=datetime.date(2025, 1, 1))
    assert set(rs.values) == set(registry.REGISTRY)
    for key in registry.REGISTRY:
        rs.value(key)


def test_an_unknown_key_is_a_rule_violation_and_a_key_error(w):
    rs = rulebook.for_organization(w.a1a)
    with pytest.raises(KeyError):
        rs.value("probation.years")
    with pytest.raises(RuleViolation) as caught:
        rs.value("probation.years")
    assert caught.value.code == "unknown_rule"


def test_before_a_date_there_are_no_rules(w):
    with pytest.raises(RuleViolation) as caught:
        rulebook.for_organization(w.a1a, on=datetime.date(2024, 12, 31))
    assert caught.value.code == "no_rules_in_force"


def test_a_new_version_applies_from_its_date_and_the_old_one_before(w):
    old = rulebook.for_organization(w.a1a, on=TODAY)
    new = services.rule_version_create(
        actor=w.users["admin"], rule_set=default(), values=with_(probation__months=18), effective_from=LATER
    )
    assert rulebook.for_organization(w.a1a, on=LATER - datetime.timedelta(days=1)).pk == old.pk
    assert rulebook.for_organization(w.a1a, on=LATER).pk == new.pk
    assert rulebook.for_organization(w.a1a, on=MUCH_LATER).value("probation.months") == 18
    old.refresh_from_db()
    assert old.effective_to == LATER - datetime.timedelta(days=1)
    assert new.number == old.number + 1
    assert old.value("probation.months") == 12


def test_the_cache_does_not_go_stale_when_a_version_is_added(w):
    assert rulebook.for_organization(w.a1a, on=LATER).value("probation.months") == 12
    services.rule_version_create(
        actor=None, rule_set=default(), values=with_(probation__months=18), effective_from=LATER
    )
    assert rulebook.for_organization(w.a1a, on=LATER).value("probation.months") == 18


def test_resolution_costs_at_most_two_queries_and_none_when_cached(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rs = rulebook.for_organization(w.a1a, on=TODAY)
    with django_assert_max_num_queries(0):
        assert rulebook.for_organization(w.a1a, on=TODAY).pk == rs.pk
    with django_assert_max_num_queries(0):
        assert rs.label


def test_a_subtree_override_applies_below_and_not_beside(w):
    province_set = own_set(w.a, probation__months=24)
    services.rule_assign(actor=w.users["province"], organization=w.a, rule_set=province_set, effective_from=TODAY)
    assert rulebook.for_organization(w.a1a, on=TODAY).value("probation.months") == 24
    assert rulebook.for_organization(w.a, on=TODAY).rule_set_id == province_set.pk
    assert rulebook.for_organization(w.b1a, on=TODAY).rule_set.is_default
    assert rulebook.for_organization(w.central, on=TODAY).rule_set.is_default


def test_the_nearest_assignment_wins_and_inherit_returns_to_the_rules_above(w):
    province_set = own_set(w.a, probation__months=24)
    commune_set = own_set(w.a1, name="Quy định xã A1", probation__months=6)
    services.rule_assign(actor=None, organization=w.a, rule_set=province_set, effective_from=TODAY)
    services.rule_assign(actor=None, organization=w.a1, rule_set=commune_set, effective_from=TODAY)
    assert rulebook.for_organization(w.a1a, on=TODAY).value("probation.months") == 6
    assert rulebook.for_organization(w.a2a, on=TODAY).value("probation.months") == 24
    services.rule_assign(actor=None, organization=w.a1, rule_set=None, effective_from=LATER)
    assert rulebook.for_organization(w.a1a, on=TODAY).value("probation.months") == 6
    assert rulebook.for_organization(w.a1a, on=LATER).value("probation.months") == 24


def test_an_assignment_applies_only_from_its_date(w):
    province_set = own_set(w.a, probation__months=24)
    services.rule_assign(actor=None, organization=w.a, rule_set=province_set, effective_from=LATER)
    assert rulebook.for_organization(w.a1a, on=TODAY).rule_set.is_default
    assert rulebook.for_organization(w.a1a, on=LATER).rule_set_id == province_set.pk


def test_assignments_follow_a_moved_subtree(w):
    commune_set = own_set(w.a1, name="Quy định xã A1", probation__months=6)
    services.rule_assign(actor=None, organization=w.a1a, rule_set=commune_set, effective_from=TODAY)
    org_services.organization_move(actor=None, organization=w.a1a, new_parent=w.a2)
    w.a1a.refresh_from_db()
    row = RuleAssignment.objects.get(organization=w.a1a)
    assert row.path == w.a1a.path
    assert rulebook.for_organization(w.a1a, on=TODAY).value("probation.months") == 6


def test_a_past_version_never_changes(w):
    past = rulebook.for_organization(w.a1a, on=datetime.date(2025, 3, 1))
    with pytest.raises(RuleViolation) as caught:
        services.rule_version_update(actor=None, version=past, values=with_(probation__months=18))
    assert caught.value.code == "immutable"
    past.refresh_from_db()
    assert past.value("probation.months") == 12


def test_a_new_version_cannot_start_in_the_past_or_before_the_latest(w):
    with pytest.raises(RuleViolation) as caught:
        services.rule_version_create(
            actor=None, rule_set=default(), values=current_values(), effective_from=TODAY - datetime.timedelta(days=1)
        )
    assert caught.value.code == "in_the_past"
    services.rule_version_create(actor=None, rule_set=default(), values=current_values(), effective_from=LATER)
    with pytest.raises(RuleViolation) as caught:
        services.rule_version_create(actor=None, rule_set=default(), values=current_values(), effective_from=LATER)
    assert caught.value.code == "not_after_latest"


def test_a_future_version_can_be_corrected_until_a_decision_uses_it(w, monkeypatch):
    future = services.rule_version_create(
        actor=None, rule_set=default(), values=with_(probation__months=18), effective_from=LATER
    )
    services.rule_version_update(actor=None, version=future, values=with_(probation__months=15))
    future.refresh_from_db()
    assert future.value("probation.months") == 15
    assert AuditEvent.objects.filter(event_type=EventType.RULE_VERSION_UPDATED, object_id=str(future.pk)).exists()
    monkeypatch.setattr(services, "version_is_used", lambda version: True)
    with pytest.raises(RuleViolation) as caught:
        services.rule_version_update(actor=None, version=future, values=with_(probation__months=9))
    assert caught.value.code == "immutable"


def test_version_is_used_looks_at_every_foreign_key_to_versions(w, monkeypatch):
    version = rulebook.for_organization(w.a1a)
    assert not services.version_is_used(version)

    class DecisionRelation:
        """Stands for a decision model's foreign key; querying versions by pk finds this one."""

        related_model = RuleSetVersion
        field = models.Field(name="pk")

    monkeypatch.setattr(RuleSetVersion._meta, "related_objects", (DecisionRelation,), raising=False)
    assert services.version_is_used(version)


def test_versions_are_protected_from_deletion(w):
    version = rulebook.for_organization(w.a1a)
    with pytest.raises(models.ProtectedError):
        version.rule_set.delete()


def test_unknown_keys_and_wrong_types_are_refused_with_every_problem(w):
    values = with_(probation__months="twelve")
    values["probation.years"] = 1
    del values["meetings.quorum"]
    with translation.override("en"), pytest.raises(RuleViolation) as caught:
        services.rule_version_create(actor=None, rule_set=default(), values=values, effective_from=LATER)
    errors = caught.value.errors
    assert set(errors) == {"probation.months", "probation.years", "meetings.quorum"}
    assert "whole number" in errors["probation.months"]


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("admission.cell_vote_threshold", "3/2"),
        ("admission.cell_vote_threshold", "two thirds"),
        ("badges.milestones", [40, 30]),
        ("discipline.member_forms", ["reprimand", "beheading"]),
        ("calendar.holidays", ["2025-02-30"]),
        ("review.levels", [["excellent", 90], ["good", 95], ["completed", 50], ["not_completed", 0]]),
        ("badges.early_months", [[30, 65, 12]]),  # leaves the 70–90 badges uncovered
        ("admission.age_min", True),
        ("admission.age_min", 61),  # above age_max: reported on age_max
    ],
)
def test_each_type_refuses_bad_values(w, key, bad):
    values = current_values()
    values[key] = bad
    with pytest.raises(RuleViolation) as caught:
        registry.validate_values(values)
    assert set(caught.value.errors) == {"admission.age_max" if bad == 61 else key}


def test_a_set_owned_by_a_province_cannot_be_used_outside_it(w):
    province_set = own_set(w.a)
    with pytest.raises(RuleViolation) as caught:
        services.rule_assign(actor=None, organization=w.b, rule_set=province_set, effective_from=TODAY)
    assert caught.value.code == "outside_owner"


def test_an_assignment_cannot_start_in_the_past_or_before_the_set_exists(w):
    with pytest.raises(RuleViolation) as caught:
        services.rule_assign(
            actor=None, organization=w.a, rule_set=default(), effective_from=TODAY - datetime.timedelta(days=1)
        )
    assert caught.value.code == "in_the_past"
    late = services.rule_set_create(
        actor=None, name="Bộ sau", owner=w.a, values=current_values(), effective_from=LATER
    ).rule_set
    with pytest.raises(RuleViolation) as caught:
        services.rule_assign(actor=None, organization=w.a, rule_set=late, effective_from=TODAY)
    assert caught.value.code == "no_version"


def test_every_change_is_audited(w):
    admin = w.users["admin"]
    version = services.rule_set_create(
        actor=admin, name="Bộ thử", owner=w.a, values=current_values(), effective_from=TODAY
    )
    services.rule_version_create(actor=admin, rule_set=version.rule_set, values=current_values(), effective_from=LATER)
    services.rule_assign(actor=admin, organization=w.a1, rule_set=version.rule_set, effective_from=TODAY)
    types = set(AuditEvent.objects.filter(actor=admin).values_list("event_type", flat=True))
    assert {
        EventType.RULE_SET_CREATED,
        EventType.RULE_VERSION_CREATED,
        EventType.RULE_VERSION_CLOSED,
        EventType.RULE_SET_ASSIGNED,
    } <= types


def test_the_national_default_can_be_switched_to_another_national_set(w):
    new = services.rule_set_create(
        actor=None, name="Quy định 2026", owner=None, values=with_(probation__months=18), effective_from=TODAY
    ).rule_set
    services.rule_default_set(actor=None, rule_set=new)
    assert rulebook.for_organization(w.b1a, on=TODAY).rule_set_id == new.pk
    assert RuleSet.objects.filter(is_default=True).count() == 1
    owned = own_set(w.a)
    with pytest.raises(RuleViolation):
        services.rule_default_set(actor=None, rule_set=owned)


def test_values_have_python_types(w):
    rs = rulebook.for_organization(w.a1a)
    spec = registry.DecimalValue()
    assert spec.load("0.5") == decimal.Decimal("0.5")
    assert isinstance(rs.value("calendar.holidays")[0], datetime.date)
    assert isinstance(rs.value("probation.months"), int)
