"""Route-matrix cases for the discipline pages and API (merged into test_route_matrix).

Discipline is sensitive: `province` and `leader` (officials over the cell without the
sensitive-data permission) get 404 like outsiders; `secretary`, `commune` and `admin` see it; the
member sees their own cases only."""

import datetime

from django.utils import timezone

from handbook.core.tests.test_route_matrix import Case, api_op, page

#: Sensitive-data holders over cell A1a.
SENSITIVE_A1A = {"secretary": 200, "commune": 200, "admin": 200}
MEMBER_VIEWERS_A1A = {"secretary": 200, "commune": 200, "province": 200, "leader": 200, "admin": 200}
MEMBER_CHANGERS_A1A = {"secretary": 200, "commune": 200, "province": 200, "admin": 200}
OFFICIALS_OF_A1 = {"commune": 200, "province": 200, "leader": 200, "admin": 200}


def _ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _case(w, member=None, *, decided=False, notified=False, appealed=False) -> int:
    from handbook.discipline import services

    case = services.case_open(actor=None, member=member or w.other_member, violation="Vi phạm", opened_on=_ago(60))
    if decided:
        case = services.case_decide(
            actor=None,
            case=case,
            form="reprimand",
            decided_by="Đảng ủy xã A1",
            decision_number="3-QĐ/ĐU",
            decision_date=_ago(50),
            votes_for=5,
            votes_against=1,
            voters=7,
        )
    if notified:
        case = services.case_notify(actor=None, case=case, notified_on=_ago(48))
    if appealed:
        case = services.appeal_file(actor=None, case=case, filed_on=_ago(40))
    return case.pk


def _exemption(w) -> int:
    from handbook.discipline import services

    return services.exemption_grant(actor=None, member=w.other_member, reason="Tuổi cao", start=_ago(20)).pk


def _redirect(statuses: dict) -> dict:
    return {who: 302 for who in statuses}


PAGES: dict[str, list[Case]] = {
    "discipline:member": [
        Case(lambda w: f"/discipline/members/{w.other_member.pk}/", page(**SENSITIVE_A1A)),
        # The member sees their own cases; province and leader still do not.
        Case(lambda w: f"/discipline/members/{w.own_member.pk}/", page(**SENSITIVE_A1A, member=200)),
        Case(lambda w: f"/discipline/members/{w.outside_member.pk}/", page(outsider=200, admin=200)),
        Case(
            lambda w: f"/discipline/members/{w.other_member.pk}/",
            page(**_redirect(SENSITIVE_A1A)),
            "post",
            lambda w: {"violation": "Vi phạm nguyên tắc tập trung dân chủ"},
        ),
        # Members cannot open a case on themselves.
        Case(
            lambda w: f"/discipline/members/{w.own_member.pk}/",
            page(**_redirect(SENSITIVE_A1A)),
            "post",
            lambda w: {"violation": "Vi phạm"},
        ),
    ],
    "discipline:organization": [
        Case(lambda w: f"/discipline/org/{w.a1.pk}/", page(commune=200, admin=200)),
        Case(lambda w: f"/discipline/org/{w.a1a.pk}/", page(**SENSITIVE_A1A)),
        # Opening a case against an organisation needs ORG_CHANGE: not the cell secretary.
        Case(
            lambda w: f"/discipline/org/{w.a1a.pk}/",
            page(commune=302, admin=302),
            "post",
            lambda w: {"violation": "Mất đoàn kết nội bộ"},
        ),
    ],
    "discipline:case": [
        Case(lambda w: f"/discipline/cases/{_case(w)}/", page(**SENSITIVE_A1A)),
        Case(lambda w: f"/discipline/cases/{_case(w, w.own_member)}/", page(**SENSITIVE_A1A, member=200)),
        Case(lambda w: f"/discipline/cases/{_case(w, decided=True)}/", page(**SENSITIVE_A1A)),
        Case(
            lambda w: f"/discipline/cases/{_case(w, w.own_member)}/",
            page(**_redirect(SENSITIVE_A1A)),
            "post",
            lambda w: {"action": "drop", "note": "Không đủ căn cứ"},
        ),
    ],
    "discipline:member_status": [
        Case(lambda w: f"/discipline/members/{w.other_member.pk}/status/", page(**MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/discipline/members/{w.own_member.pk}/status/", page(**MEMBER_VIEWERS_A1A, member=200)),
        Case(
            lambda w: f"/discipline/members/{w.other_member.pk}/status/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"action": "exempt", "reason": "Tuổi cao, sức yếu", "start": _ago(5).isoformat()},
        ),
    ],
    "discipline:exits": [
        Case(lambda w: f"/discipline/org/{w.a1.pk}/exits/", page(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/discipline/org/{w.a1a.pk}/exits/", page(**OFFICIALS_OF_A1, secretary=200)),
        Case(lambda w: f"/discipline/org/{w.b.pk}/exits/", page(outsider=200, admin=200)),
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/v1/discipline/cases": [
        Case(lambda w: "/api/v1/discipline/cases", api_op(200)),
        Case(lambda w: f"/api/v1/discipline/cases?organization_id={w.a1.pk}", api_op(**OFFICIALS_OF_A1)),
    ],
    "POST /api/v1/discipline/cases": [
        Case(
            lambda w: "/api/v1/discipline/cases",
            api_op(secretary=201, commune=201, admin=201),
            "post",
            lambda w: {"member_id": w.other_member.pk, "violation": "Vi phạm"},
            True,
        ),
        Case(
            lambda w: "/api/v1/discipline/cases",
            api_op(commune=201, admin=201),
            "post",
            lambda w: {"organization_id": w.a1a.pk, "violation": "Mất đoàn kết"},
            True,
        ),
    ],
    "GET /api/v1/discipline/cases/{case_id}": [
        Case(lambda w: f"/api/v1/discipline/cases/{_case(w)}", api_op(**SENSITIVE_A1A)),
        Case(lambda w: f"/api/v1/discipline/cases/{_case(w, w.own_member)}", api_op(**SENSITIVE_A1A, member=200)),
    ],
    "POST /api/v1/discipline/cases/{case_id}/decide": [
        Case(
            lambda w: f"/api/v1/discipline/cases/{_case(w)}/decide",
            api_op(**SENSITIVE_A1A),
            "post",
            lambda w: {
                "form": "warning",
                "decided_by": "Đảng ủy xã A1",
                "decision_number": "9-QĐ/ĐU",
                "decision_date": _ago(10).isoformat(),
                "votes_for": 4,
                "votes_against": 1,
                "voters": 5,
            },
            True,
        )
    ],
    "POST /api/v1/discipline/cases/{case_id}/drop": [
        Case(
            lambda w: f"/api/v1/discipline/cases/{_case(w)}/drop",
            api_op(**SENSITIVE_A1A),
            "post",
            lambda w: {"note": "Không vi phạm"},
            True,
        )
    ],
    "POST /api/v1/discipline/cases/{case_id}/notify": [
        Case(
            lambda w: f"/api/v1/discipline/cases/{_case(w, decided=True)}/notify",
            api_op(**SENSITIVE_A1A),
            "post",
            lambda w: {"notified_on": _ago(45).isoformat()},
            True,
        )
    ],
    "POST /api/v1/discipline/cases/{case_id}/appeal": [
        Case(
            lambda w: f"/api/v1/discipline/cases/{_case(w, decided=True, notified=True)}/appeal",
            api_op(**SENSITIVE_A1A),
            "post",
            lambda w: {"filed_on": _ago(30).isoformat()},
            True,
        )
    ],
    "POST /api/v1/discipline/cases/{case_id}/appeal-decision": [
        Case(
            lambda w: (
                f"/api/v1/discipline/cases/{_case(w, decided=True, notified=True, appealed=True)}/appeal-decision"
            ),
            api_op(**SENSITIVE_A1A),
            "post",
            lambda w: {"outcome": "upheld", "decided_on": _ago(5).isoformat()},
            True,
        )
    ],
    "GET /api/v1/discipline/exits": [
        Case(lambda w: f"/api/v1/discipline/exits?organization_id={w.a1.pk}", api_op(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/api/v1/discipline/exits?organization_id={w.b.pk}", api_op(outsider=200, admin=200)),
    ],
    "POST /api/v1/discipline/exits": [
        Case(
            lambda w: "/api/v1/discipline/exits",
            api_op(secretary=201, commune=201, province=201, admin=201),
            "post",
            lambda w: {"member_id": w.other_member.pk, "kind": "death", "date": _ago(2).isoformat()},
            True,
        )
    ],
    "GET /api/v1/discipline/exemptions": [
        Case(lambda w: f"/api/v1/discipline/exemptions?member_id={w.other_member.pk}", api_op(**MEMBER_VIEWERS_A1A)),
        Case(
            lambda w: f"/api/v1/discipline/exemptions?member_id={w.own_member.pk}",
            api_op(**MEMBER_VIEWERS_A1A, member=200),
        ),
    ],
    "POST /api/v1/discipline/exemptions": [
        Case(
            lambda w: "/api/v1/discipline/exemptions",
            api_op(secretary=201, commune=201, province=201, admin=201),
            "post",
            lambda w: {"member_id": w.other_member.pk, "reason": "Ốm nặng", "start": _ago(3).isoformat()},
            True,
        )
    ],
    "POST /api/v1/discipline/exemptions/{exemption_id}/end": [
        Case(
            lambda w: f"/api/v1/discipline/exemptions/{_exemption(w)}/end",
            api_op(**MEMBER_CHANGERS_A1A),
            "post",
            lambda w: {"end": _ago(1).isoformat()},
            True,
        )
    ],
}
