"""Route-matrix cases for the probation and badges pages and API (merged into
handbook/core/tests/test_route_matrix.py's PAGES and API)."""

import datetime

from django.utils import timezone

from handbook.members.validators import add_months, add_years

TODAY = timezone.localdate()
AWARD = datetime.date(TODAY.year, 9, 2)
#: Officials who see the members of commune A1 (and whole subtrees above it).
SEE_A1 = {"commune": 200, "province": 200, "leader": 200, "admin": 200}
SEE_A1A = {**SEE_A1, "secretary": 200}
#: Committee staff over A1a decide; the secretary and the leader see but may not.
DECIDE_A1A = {"commune": 200, "province": 200, "admin": 200, "secretary": 403, "leader": 403}


def _due_member(w) -> int:
    from handbook.members import services
    from handbook.testing import BORN, next_cccd

    return services.member_create(
        actor=None,
        organization=w.a1a,
        full_name="Đinh Văn Phúc",
        sex="M",
        date_of_birth=BORN,
        cccd=next_cccd(),
        admission_date=add_months(TODAY - datetime.timedelta(days=5), -12),
        status="probationary",
    ).pk


def _recognition(w) -> int:
    from handbook.members.models import Member
    from handbook.probation.services import recognition_decide

    member = Member.objects.get(pk=_due_member(w))
    return recognition_decide(
        actor=None,
        member=member,
        outcome="recognised",
        decision_number="1-QĐ",
        decision_date=TODAY,
        votes_for=3,
        eligible=3,
    ).pk


def _veteran(w) -> int:
    from handbook.members import services
    from handbook.testing import next_cccd

    born = datetime.date(1940, 1, 1)
    admitted = add_years(AWARD, -30)
    return services.member_create(
        actor=None,
        organization=w.a1a,
        full_name="Cụ Lê Văn Thọ",
        sex="M",
        date_of_birth=born,
        cccd=next_cccd("M", born),
        admission_date=admitted,
        official_date=add_months(admitted, 12),
        status="official",
    ).pk


def _award(w) -> int:
    from handbook.badges.services import badge_award
    from handbook.members.models import Member

    member = Member.objects.get(pk=_veteran(w))
    return badge_award(
        actor=None, member=member, years=30, award_date=AWARD, decision_number="2-QĐ", decision_date=TODAY
    ).pk


def route_cases(Case, page, api_op):  # noqa: N803 (the matrix's classes and helpers)
    def posted(statuses):
        return {who: (302 if code == 200 else code) for who, code in statuses.items()}

    def created(statuses):
        return {who: (201 if code == 200 else code) for who, code in statuses.items()}

    decision = lambda w: {  # noqa: E731
        "outcome": "recognised",
        "votes_for": 3,
        "eligible": 3,
        "decision_number": "3-QĐ",
        "decision_date": TODAY.isoformat(),
    }
    badge = lambda w: {  # noqa: E731
        "years": 30,
        "award_date": AWARD.isoformat(),
        "decision_number": "4-QĐ",
        "decision_date": TODAY.isoformat(),
    }
    pages = {
        "probation:due": [
            Case(lambda w: f"/probation/org/{w.a1.pk}/", page(**SEE_A1)),
            # A member sees their own cell's page, but not who is due in it.
            Case(lambda w: f"/probation/org/{w.a1a.pk}/?window=90", page(**SEE_A1A)),
            Case(lambda w: f"/probation/org/{w.b1.pk}/", page(outsider=200, admin=200)),
        ],
        "probation:decide": [
            Case(lambda w: f"/probation/members/{_due_member(w)}/decide/", page(**DECIDE_A1A)),
            Case(
                lambda w: f"/probation/members/{_due_member(w)}/decide/",
                page(**posted(DECIDE_A1A)),
                "post",
                decision,
            ),
        ],
        "probation:detail": [Case(lambda w: f"/probation/{_recognition(w)}/", page(**SEE_A1A))],
        "badges:due": [
            Case(lambda w: f"/badges/org/{w.a1.pk}/?award_date={AWARD.isoformat()}", page(**SEE_A1)),
            Case(lambda w: f"/badges/org/{w.a1a.pk}/", page(**SEE_A1A)),
            Case(lambda w: f"/badges/org/{w.b.pk}/", page(outsider=200, admin=200)),
        ],
        "badges:award": [
            Case(lambda w: f"/badges/members/{_veteran(w)}/award/", page(**DECIDE_A1A)),
            Case(lambda w: f"/badges/members/{_veteran(w)}/award/", page(**posted(DECIDE_A1A)), "post", badge),
        ],
        "badges:detail": [Case(lambda w: f"/badges/{_award(w)}/", page(**SEE_A1A))],
    }
    apis = {
        "GET /api/v1/probation/due": [
            Case(lambda w: f"/api/v1/probation/due?organization_id={w.a1.pk}", api_op(**SEE_A1)),
            Case(lambda w: f"/api/v1/probation/due?organization_id={w.a1a.pk}&window_days=0", api_op(**SEE_A1A)),
        ],
        "POST /api/v1/probation/recognitions": [
            Case(
                lambda w: "/api/v1/probation/recognitions",
                api_op(**created(DECIDE_A1A)),
                "post",
                lambda w: {**decision(w), "member_id": _due_member(w)},
                True,
            )
        ],
        "GET /api/v1/probation/recognitions/{recognition_id}": [
            Case(lambda w: f"/api/v1/probation/recognitions/{_recognition(w)}", api_op(**SEE_A1A))
        ],
        "GET /api/v1/badges/due": [
            Case(
                lambda w: f"/api/v1/badges/due?organization_id={w.a.pk}&award_date={AWARD.isoformat()}",
                api_op(province=200, leader=200, admin=200),
            )
        ],
        "POST /api/v1/badges/awards": [
            Case(
                lambda w: "/api/v1/badges/awards",
                api_op(**created(DECIDE_A1A)),
                "post",
                lambda w: {**badge(w), "member_id": _veteran(w)},
                True,
            )
        ],
        "GET /api/v1/badges/awards/{award_id}": [
            Case(lambda w: f"/api/v1/badges/awards/{_award(w)}", api_op(**SEE_A1A))
        ],
    }
    return pages, apis
