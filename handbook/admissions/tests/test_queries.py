import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handbook.admissions import queries, services
from handbook.admissions.models import AdmissionCase, Candidate
from handbook.admissions.tests.helpers import open_case, walk
from handbook.core.errors import RuleViolation
from handbook.members import services as member_services
from handbook.members.models import Member

D = datetime.date


def test_percent_of_plan_matches_the_seeds_example():
    assert queries.percent_of(2360, 2253) == Decimal("104.75")
    assert queries.percent_of(12, 10) == Decimal("120.00")
    assert queries.percent_of(5, 0) is None


def test_the_pipeline_lists_open_cases_of_the_subtree_with_overdue_steps(w):
    stale = walk(w, open_case(w, name="Quá hạn"), "course")
    AdmissionCase.objects.filter(pk=stale.pk).update(certificate_expires=D(2024, 1, 1))
    fresh = walk(w, open_case(w, name="Đúng hạn", category=Candidate.Category.STUDENT), "course")
    late = walk(w, open_case(w, name="Chưa kết nạp"), "decision")  # ceremony due 28/07/2025
    elsewhere = open_case(w, cell=w.b1a, name="Tỉnh B")
    withdrawn = services.case_withdraw(actor=None, case=open_case(w, name="Rút"), reason="Chuyển đi")

    rows = {c.pk: c for c in queries.pipeline(w.a)}
    assert set(rows) == {stale.pk, fresh.pk, late.pk}
    assert elsewhere.pk not in rows and withdrawn.pk not in rows
    assert rows[stale.pk].certificate_expired and not rows[fresh.pk].certificate_expired
    assert rows[late.pk].ceremony_late and not rows[late.pk].certificate_expired
    # Every case here last moved in 2025, longer ago than the 90 days of `admission.stall_days`.
    assert rows[stale.pk].stalled and rows[fresh.pk].stalled and not rows[late.pk].stalled
    assert {c.pk for c in queries.pipeline(w.a, overdue=True)} == {stale.pk, fresh.pk, late.pk}
    just_opened = open_case(w, name="Mới mở")
    assert not {c.pk: c for c in queries.pipeline(w.a)}[just_opened.pk].stalled
    assert just_opened.pk not in {c.pk for c in queries.pipeline(w.a, overdue=True)}
    assert [c.pk for c in queries.pipeline(w.a, category="student")] == [fresh.pk]
    assert [c.pk for c in queries.pipeline(w.a, step="decision")] == [late.pk]
    with CaptureQueriesContext(connection) as ctx:
        for c in queries.pipeline(w.central):
            str(c.candidate), c.organization.name
    # The cases in one query, plus at most two to resolve the rules (cached afterwards).
    assert len(ctx.captured_queries) <= 3


def _admit(w, cell, day, name):
    return member_services.member_create(
        actor=None,
        organization=cell,
        full_name=name,
        sex="F",
        date_of_birth=D(1995, 1, 1),
        cccd=f"037195{abs(hash(name)) % 1_000_000:06d}",
        admission_date=day,
    )


def test_progress_counts_admissions_of_the_year_per_child_and_category(w):
    services.target_set(
        actor=None, organization=w.a, year=2025, number=4, by_category={"worker": 2}, enterprise_organizations=2
    )
    services.target_set(actor=None, organization=w.a1, year=2025, number=2)
    walk(w, open_case(w, name="Qua quy trình"), "decision")  # a worker, admitted 16/06/2025 in A1a
    _admit(w, w.a2a, D(2025, 3, 1), "Kết nạp A2a")
    _admit(w, w.a1b, D(2025, 12, 31), "Kết nạp A1b")
    _admit(w, w.a1b, D(2024, 12, 31), "Năm trước")
    _admit(w, w.b1a, D(2025, 5, 1), "Tỉnh B")
    services.enterprise_organization_record(
        actor=None, organization=w.a1, name="Chi bộ Công ty X", founded_on=D(2025, 8, 1)
    )

    with CaptureQueriesContext(connection) as ctx:
        p = queries.progress(w.a, 2025)
    assert len(ctx.captured_queries) <= 7
    assert (p["admitted"], p["plan"], p["percent"]) == (3, 4, Decimal("75.00"))
    children = {r["organization"].pk: r for r in p["children"]}
    assert children[w.a1.pk]["admitted"] == 2 and children[w.a1.pk]["percent"] == Decimal("100.00")
    assert children[w.a2.pk]["admitted"] == 1 and children[w.a2.pk]["plan"] is None
    worker = next(r for r in p["categories"] if r["code"] == "worker")
    assert (worker["admitted"], worker["plan"], worker["percent"]) == (1, 2, Decimal("50.00"))
    assert (p["enterprise_organizations"], p["enterprise_percent"]) == (1, Decimal("50.00"))


def test_a_percentage_target_uses_the_membership_at_the_start_of_the_year(w):
    on_rolls = Member.objects.filter(organization__path__startswith=w.a.path, status__in=Member.ON_ROLLS).count()
    target = services.target_set(actor=None, organization=w.a, year=2025, percent=Decimal("50"))
    assert target.base_membership == on_rolls
    assert target.plan == round(on_rolls / 2 + 0.01)
    again = services.target_set(actor=None, organization=w.a, year=2025, number=7)
    assert again.pk == target.pk and again.plan == 7 and again.base_membership is None


def test_a_target_is_a_number_or_a_percentage(w):
    with pytest.raises(RuleViolation):
        services.target_set(actor=None, organization=w.a, year=2025)
    with pytest.raises(RuleViolation):
        services.target_set(actor=None, organization=w.a, year=2025, number=3, percent=Decimal(3))
    with pytest.raises(RuleViolation):
        services.target_set(actor=None, organization=w.a, year=2025, number=3, by_category={"nobody": 1})
