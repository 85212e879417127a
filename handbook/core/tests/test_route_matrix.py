"""Every registered page and API operation, run against every persona.

`test_every_route_has_a_case` fails when a route is added without an entry here, so no route can
skip the access layer unnoticed. Expected statuses: pages answer anonymous users with a redirect
to the login page and out-of-scope objects with 404; the API answers 401 and 404.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from handbook.accounts.models import RoleGrant
from handbook.api import api
from handbook.testing import PERSONAS

LOGGED_IN = [p for p in PERSONAS if p != "anonymous"]


def expect(default: int, anonymous: int | None = None, **overrides: int) -> dict[str, int]:
    statuses = {p: default for p in PERSONAS}
    if anonymous is not None:
        statuses["anonymous"] = anonymous
    statuses.update(overrides)
    return statuses


def page(default=404, **overrides):
    """A signed-in page: anonymous users are sent to the login page (302)."""
    return expect(default, 302, **overrides)


def api_op(default=404, **overrides):
    return expect(default, 401, **overrides)


@dataclass
class Case:
    url: Callable[[SimpleNamespace], str]
    statuses: dict[str, int]
    method: str = "get"
    data: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})
    json: bool = False


OFFICIALS_OF_A1 = {"commune": 200, "province": 200, "leader": 200, "admin": 200}
CHANGERS_OF_A1 = {"commune": 200, "province": 200, "admin": 200}
MEMBER_VIEWERS_A1A = {"secretary": 200, "commune": 200, "province": 200, "leader": 200, "admin": 200}
MEMBER_CHANGERS_A1A = {"secretary": 200, "commune": 200, "province": 200, "admin": 200}


def _review_period(w, subject="members") -> int:
    from handbook.reviews.tests.factories import open_period

    return open_period(w.a1, subject=subject).pk


def _review_proposed(w) -> int:
    """A period of A1 in which Lê Văn Cường's review awaits the committee's decision."""
    from handbook.reviews import services as review_services
    from handbook.reviews.tests.factories import open_period

    period = open_period(w.a1)
    review_services.review_self_assess(actor=None, period=period, subject=w.other_member, text="Tự đánh giá")
    review_services.review_propose(actor=None, period=period, subject=w.other_member, score=82)
    return period.pk


def _review_self_assessed(w) -> int:
    from handbook.reviews import services as review_services
    from handbook.reviews.tests.factories import open_period

    period = open_period(w.a1)
    review_services.review_self_assess(actor=None, period=period, subject=w.own_member, text="Tự đánh giá")
    return period.pk


def _review_period_in(w) -> dict:
    return {"title": "Kiểm điểm 2025", "kind": "annual", "subject": "members", "year": 2025, "deadline": "2025-12-31"}


REVIEW_READERS_A1A = {"member": 200, **MEMBER_VIEWERS_A1A}
REVIEW_DECIDERS_A1 = {"commune": 200, "province": 200, "admin": 200}


def _motion(w, *, opened: bool = False) -> int:
    from handbook.meetings import votes

    motion = votes.motion_create(actor=None, meeting=w.meeting, title="Thông qua nghị quyết")
    if opened:
        votes.motion_open(actor=None, motion=motion)
    return motion.pk


def _feed(w) -> str:
    from handbook.meetings.calendar import feed_renew

    return feed_renew(user=w.users["member"]).token


def _comment(w) -> int:
    from handbook.meetings.minutes import comment_add

    return comment_add(actor=w.users["member"], meeting=w.meeting, text="Ý kiến").pk


def _attachment(w) -> int:
    from handbook.documents.services import attachment_add

    return attachment_add(actor=None, document=w.document, data=b"%PDF-1.4 test", filename="kem-theo.pdf").pk


def _attachment_upload(w) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("phu-luc.pdf", b"%PDF-1.4 phu luc", content_type="application/pdf")}


#: Everyone province A's resolution reaches (its members and the officials inside province A).
RECIPIENTS_A = {"member": 200, "secretary": 200, "commune": 200, "province": 200, "leader": 200}
READERS_A = {**RECIPIENTS_A, "admin": 200}
ISSUERS_A = {"province": 200, "admin": 200}
OVERSEERS_A = {"province": 200, "leader": 200, "admin": 200}
FEEDBACK_READERS = {"member": 200, "commune": 200, "province": 200, "leader": 200, "admin": 200}


def _adm_candidate(w) -> int:
    from handbook.admissions.tests.helpers import candidate

    return candidate(w).pk


def _adm_case(w, until: str | None = None) -> int:
    from handbook.admissions.tests.helpers import open_case, walk

    case = open_case(w)
    return (walk(w, case, until) if until else case).pk


def _adm_step_file(w) -> int:
    from handbook.admissions import services
    from handbook.admissions.tests.helpers import open_case

    case = services.case_step_record(
        actor=None,
        case=open_case(w),
        step="course",
        date=datetime.date(2025, 3, 3),
        certificate_number="03/GCN",
        file=b"%PDF-1.4 gcn",
    )
    return case.steps.get().pk


def _adm_candidate_data(w) -> dict:
    return {"full_name": "Đinh Thị Nguồn", "date_of_birth": "2001-02-03", "sex": "F", "category": "student"}


ADM_VIEWERS_A1 = OFFICIALS_OF_A1


def _redirects(statuses: dict[str, int]) -> dict[str, int]:
    return {who: 302 for who in statuses}


def _minutes(w) -> int:
    from handbook.meetings.minutes import minutes_save

    minutes_save(actor=None, meeting=w.meeting)
    return w.meeting.pk


def _redirect(statuses: dict) -> dict:
    """The same personas, answered with a redirect (a POST that succeeded)."""
    return {who: 302 for who in statuses}


def _work_row(w) -> int:
    from handbook.members.models import WorkHistory

    return WorkHistory.objects.get(member=w.other_member).pk


def _change_request(w) -> int:
    from handbook.members.requests import change_request_create

    return change_request_create(
        actor=w.users["member"], member=w.own_member, changes={"hometown": "Yên Mô"}, comment=""
    ).pk


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("members.pdf", b"%PDF-1.4")


def _import_job(w) -> int:
    from handbook.members.models import ImportJob

    return ImportJob.objects.create(user=w.users["commune"], filename="x.csv", content=b"", state="failed").pk


def _notification(w) -> int:
    """The member's own notification: everybody else gets 404 for it."""
    from handbook.notifications.models import Notification

    return Notification.objects.create(user=w.users["member"], kind="any", event_key="matrix").pk


def _push_endpoint(w) -> str:
    from handbook.notifications.models import PushSubscription

    return PushSubscription.objects.create(
        user=w.users["member"], endpoint="https://push.example.net/matrix", p256dh="key", auth="auth"
    ).endpoint


def _grant_on_a1a(w) -> int:
    return RoleGrant.objects.get(organization=w.a1a, user__username="secretary").pk


def _document(w) -> int:
    from handbook.meetings.documents import document_add

    return document_add(
        actor=w.users["secretary"],
        meeting=w.meeting,
        title="Dự thảo nghị quyết",
        filename="du-thao.pdf",
        data=b"%PDF-1.4",
    ).pk


def _guest(w) -> int:
    """The province's leader invited to the cell's meeting (a guest from an upper level)."""
    from handbook.meetings.guests import guest_invite

    return guest_invite(actor=w.users["secretary"], meeting=w.meeting, user=w.users["leader"]).pk


#: Managers of the cell's meetings, plus the invited guest (the leader) marking their own presence.
GUEST_PRESENCE = {**MEMBER_CHANGERS_A1A, "leader": 200}


def _report(w) -> int:
    """A monthly report asked by commune A1 of its cells (one integer field, optional file)."""
    import datetime

    from handbook.reports import services

    return services.definition_create(
        actor=None,
        issuer=w.a1,
        title="Báo cáo tháng",
        frequency="monthly",
        start_period=datetime.date(2026, 1, 1),
        attachment="optional",
        fields_spec=[{"key": "meetings", "label": "Số buổi sinh hoạt", "type": "integer", "required": True}],
    ).pk


def _report_sub(w) -> int:
    """Cell A1a's report for June 2026, with a PDF attached."""
    import datetime

    from handbook.reports import services
    from handbook.reports.models import ReportDefinition

    definition = ReportDefinition.objects.get(pk=_report(w))
    return services.submission_submit(
        actor=None,
        definition=definition,
        organization=w.a1a,
        period=datetime.date(2026, 6, 1),
        data={"meetings": 1},
        attachment=("bao-cao.pdf", b"%PDF-1.4 report"),
    ).pk


def _report_form(w, org=None) -> dict:
    return {"organization_id": (org or w.a1a).pk, "period": "2026-06-01", "data": '{"meetings": 2}'}


def _default_rules(w) -> int:
    from handbook.rules.models import RuleSet

    return RuleSet.objects.get(is_default=True).pk


def _default_version(w) -> int:
    from handbook.rules.models import RuleSet

    return RuleSet.objects.get(is_default=True).versions.order_by("-effective_from").first().pk


def _rule_values(w) -> dict:
    from handbook.rules.models import RuleSetVersion

    return dict(RuleSetVersion.objects.get(pk=_default_version(w)).values)


def _province_rules(w) -> int:
    """A rule set kept by province A (usable only inside it)."""
    from django.utils import timezone

    from handbook.rules.services import rule_set_create

    return rule_set_create(
        actor=None, name="Quy định tỉnh A", owner=w.a, values=_rule_values(w), effective_from=timezone.localdate()
    ).rule_set_id


def _tomorrow() -> str:
    import datetime

    from django.utils import timezone

    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


#: Everyone who sees province A's rule sets: members inside it and officials on or above it.
RULE_READERS_A = {"member": 200, "secretary": 200, "commune": 200, "province": 200, "leader": 200, "admin": 200}


def _transfer(w, *, to=None, member=None, state="issued", kind="official", days_ago=0) -> int:
    """A transfer letter from cell A1a (to cell B1a in the other province by default), taken to `state`."""
    import datetime

    from django.utils import timezone

    from handbook.transfers import services

    issued = timezone.localdate() - datetime.timedelta(days=days_ago)
    period = {}
    if kind != "official":
        period = {"start": issued, "end": issued + datetime.timedelta(days=150)}
    t = services.transfer_issue(
        actor=None,
        member=member or w.own_member,
        to_organization=to or w.b1a,
        kind=kind,
        letter_number="05-GGT/ĐU",
        issued_on=issued,
        **period,
    )
    if state in ("presented", "accepted"):
        services.transfer_present(actor=None, transfer=t, presented_on=issued)
    if state == "accepted":
        services.transfer_accept(actor=None, transfer=t, accepted_on=issued)
    return t.pk


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _issue_form(w) -> dict:
    from django.utils import timezone

    return {
        "kind": "official",
        "to_organization": w.a2a.pk,
        "letter_number": "07-GGT/ĐU",
        "issued_on": timezone.localdate().isoformat(),
    }


#: Who sees a letter from A1a to B1a: both sides, the member, and the officials above A1a.
TRANSFER_A1A_TO_B1A = {"outsider": 200, **MEMBER_VIEWERS_A1A, "member": 200}
#: Steps of that letter: only the receiving side (province B) and administrators; the others see it
#: but may not act (403).
RECEIVE_B1A = {**{p: 403 for p in TRANSFER_A1A_TO_B1A}, "outsider": 200, "admin": 200}
#: Steps of the sending committee on a letter of another member of A1a to A2a.
SEND_A1A = {"secretary": 403, "leader": 403, "commune": 200, "province": 200, "admin": 200}


PAGES: dict[str, list[Case]] = {
    "home": [Case(lambda w: "/", page(200))],
    "healthz": [Case(lambda w: "/healthz", expect(200))],
    "service_worker": [Case(lambda w: "/sw.js", expect(200))],
    "set_language": [Case(lambda w: "/i18n/setlang/", expect(302), "post", lambda w: {"language": "en"})],
    # allauth: sign-in pages are public; account management needs a login; sign-up is closed.
    "account_login": [Case(lambda w: "/accounts/login/", expect(302, 200))],
    "account_logout": [Case(lambda w: "/accounts/logout/", expect(200, 302))],
    "account_inactive": [Case(lambda w: "/accounts/inactive/", expect(200))],
    "account_signup": [Case(lambda w: "/accounts/signup/", expect(302, 200))],
    "account_reauthenticate": [Case(lambda w: "/accounts/reauthenticate/", page(200))],
    "account_email": [Case(lambda w: "/accounts/email/", page(200))],
    "account_email_verification_sent": [Case(lambda w: "/accounts/confirm-email/", expect(200))],
    "account_change_password": [Case(lambda w: "/accounts/password/change/", page(200))],
    "account_set_password": [Case(lambda w: "/accounts/password/set/", page(302))],
    "account_reset_password": [Case(lambda w: "/accounts/password/reset/", expect(200))],
    "account_confirm_login_code": [Case(lambda w: "/accounts/login/code/confirm/", expect(302))],
    "account_confirm_email": [Case(lambda w: "/accounts/confirm-email/bad-key/", expect(200))],
    "account_reset_password_from_key_done": [Case(lambda w: "/accounts/password/reset/key/done/", expect(200))],
    "account_reset_password_from_key": [Case(lambda w: "/accounts/password/reset/key/1-bad/", expect(200))],
    "account_reset_password_done": [Case(lambda w: "/accounts/password/reset/done/", expect(200))],
    "mfa_index": [Case(lambda w: "/accounts/2fa/", page(200))],
    "mfa_authenticate": [Case(lambda w: "/accounts/2fa/authenticate/", expect(302))],
    "mfa_reauthenticate": [Case(lambda w: "/accounts/2fa/reauthenticate/", page(302))],
    # Activating TOTP first asks for the password again (a fresh session has not re-authenticated).
    "mfa_activate_totp": [Case(lambda w: "/accounts/2fa/totp/activate/", page(302))],
    "mfa_deactivate_totp": [Case(lambda w: "/accounts/2fa/totp/deactivate/", page(404))],
    "mfa_view_recovery_codes": [Case(lambda w: "/accounts/2fa/recovery-codes/", page(404))],
    "mfa_generate_recovery_codes": [Case(lambda w: "/accounts/2fa/recovery-codes/generate/", page(302))],
    "mfa_download_recovery_codes": [Case(lambda w: "/accounts/2fa/recovery-codes/download/", page(404))],
    # Reports upward (commune A1 asks its cells for a monthly report).
    "reports:index": [Case(lambda w: "/reports/", page(200))],
    "reports:define": [
        Case(lambda w: f"/reports/new/{w.a1.pk}/", page(**CHANGERS_OF_A1)),
        # A cell does not define reports, whoever asks.
        Case(lambda w: f"/reports/new/{w.a1a.pk}/", page()),
    ],
    "reports:detail": [Case(lambda w: f"/reports/{_report(w)}/", page(**OFFICIALS_OF_A1, secretary=200))],
    "reports:edit": [Case(lambda w: f"/reports/{_report(w)}/edit/", page(**CHANGERS_OF_A1))],
    "reports:archive": [Case(lambda w: f"/reports/{_report(w)}/archive/", page(**_redirect(CHANGERS_OF_A1)), "post")],
    "reports:track": [
        Case(lambda w: f"/reports/{_report(w)}/track/?period=2026-06-01", page(**OFFICIALS_OF_A1, secretary=200)),
        # Drilling down: only to a node of the viewer's scope (not the secretary's neighbour cell)...
        Case(lambda w: f"/reports/{_report(w)}/track/?node={w.a1b.pk}", page(**OFFICIALS_OF_A1)),
        # ...and inside the issuer's subtree.
        Case(lambda w: f"/reports/{_report(w)}/track/?node={w.a2.pk}", page()),
    ],
    "reports:export": [
        Case(lambda w: f"/reports/{_report(w)}/export/?period=2026-06-01", page(**OFFICIALS_OF_A1, secretary=200))
    ],
    "reports:submit": [
        Case(lambda w: f"/reports/{_report(w)}/submit/{w.a1a.pk}/2026-06-01/", page(**MEMBER_CHANGERS_A1A)),
        # The secretary of A1a does not report for A1b.
        Case(lambda w: f"/reports/{_report(w)}/submit/{w.a1b.pk}/2026-06-01/", page(**CHANGERS_OF_A1)),
    ],
    "reports:cell": [Case(lambda w: f"/reports/org/{w.a1a.pk}/", page(**MEMBER_VIEWERS_A1A))],
    "reports:submission": [Case(lambda w: f"/reports/submissions/{_report_sub(w)}/", page(**MEMBER_VIEWERS_A1A))],
    "reports:review": [
        Case(
            lambda w: f"/reports/submissions/{_report_sub(w)}/review/",
            page(**_redirect(CHANGERS_OF_A1)),
            "post",
            lambda w: {"decision": "accept"},
        )
    ],
    "reports:attachment": [
        Case(lambda w: f"/reports/submissions/{_report_sub(w)}/attachment/", page(**MEMBER_VIEWERS_A1A))
    ],
    # The organisation tree.
    "organizations:browser": [Case(lambda w: "/org/", page(200))],
    "organizations:detail": [
        Case(lambda w: f"/org/{w.a1.pk}/", page(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/org/{w.a1a.pk}/", page(**OFFICIALS_OF_A1, member=200, secretary=200)),
    ],
    "organizations:history": [
        Case(lambda w: f"/org/{w.a1.pk}/history/", page(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/org/{w.a1a.pk}/history/", page(**OFFICIALS_OF_A1, secretary=200)),
    ],
    "organizations:create": [Case(lambda w: f"/org/{w.a1.pk}/add/", page(**CHANGERS_OF_A1))],
    "organizations:rename": [Case(lambda w: f"/org/{w.a1.pk}/rename/", page(**CHANGERS_OF_A1))],
    "organizations:move": [
        Case(lambda w: f"/org/{w.a1a.pk}/move/", page(**CHANGERS_OF_A1)),
        # Where a commune hangs is decided above it: its own staff cannot move it.
        Case(lambda w: f"/org/{w.a1.pk}/move/", page(province=200, admin=200)),
    ],
    "organizations:merge": [Case(lambda w: f"/org/{w.a1a.pk}/merge/", page(**CHANGERS_OF_A1))],
    "organizations:split": [Case(lambda w: f"/org/{w.a1a.pk}/split/", page(**CHANGERS_OF_A1))],
    "organizations:dissolve": [Case(lambda w: f"/org/{w.a1a.pk}/dissolve/", page(**CHANGERS_OF_A1))],
    "organizations:grant": [
        Case(lambda w: f"/org/{w.a1a.pk}/roles/", page(commune=302, province=302, admin=302), "post")
    ],
    "organizations:revoke": [
        Case(lambda w: f"/org/roles/{_grant_on_a1a(w)}/revoke/", page(commune=302, province=302, admin=302), "post")
    ],
    # The rulebook.
    "rules:list": [Case(lambda w: "/rules/", page(200))],
    "rules:set_create": [
        Case(lambda w: "/rules/new/", page(commune=200, province=200, outsider=200, admin=200)),
    ],
    "rules:set": [
        Case(lambda w: f"/rules/{_default_rules(w)}/", page(200)),
        Case(lambda w: f"/rules/{_province_rules(w)}/", page(**RULE_READERS_A)),
    ],
    "rules:version_create": [
        # National rules: administrators only; a province's own set: its staff too.
        Case(lambda w: f"/rules/{_default_rules(w)}/new-version/", page(admin=200)),
        Case(lambda w: f"/rules/{_province_rules(w)}/new-version/", page(province=200, admin=200)),
    ],
    "rules:version": [Case(lambda w: f"/rules/versions/{_default_version(w)}/", page(200))],
    "rules:effective": [
        Case(lambda w: f"/rules/org/{w.a1a.pk}/", page(**OFFICIALS_OF_A1, member=200, secretary=200)),
        Case(lambda w: f"/rules/org/{w.b1a.pk}/", page(outsider=200, admin=200)),
    ],
    "rules:assign": [
        Case(lambda w: f"/rules/org/{w.a1.pk}/assign/", page(**CHANGERS_OF_A1)),
        # The root's rules apply to everyone: administrators only.
        Case(lambda w: f"/rules/org/{w.central.pk}/assign/", page(admin=200)),
        Case(
            lambda w: f"/rules/org/{w.a1.pk}/assign/",
            page(**_redirect(CHANGERS_OF_A1)),
            "post",
            lambda w: {"rule_set": _default_rules(w), "effective_from": _tomorrow()},
        ),
    ],
    # Members.
    "members:list": [
        Case(lambda w: "/members/", page(200)),
        Case(lambda w: "/members/", page(302), "post", lambda w: {"q": "nguyen van"}),  # search: redirect to ?f=
    ],
    "members:detail": [
        Case(lambda w: f"/members/{w.other_member.pk}/", page(**MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/members/{w.own_member.pk}/", page(**MEMBER_VIEWERS_A1A, member=200)),
        Case(lambda w: f"/members/{w.outside_member.pk}/", page(outsider=200, admin=200)),
    ],
    "members:edit": [Case(lambda w: f"/members/{w.other_member.pk}/edit/", page(**MEMBER_CHANGERS_A1A))],
    "members:export": [
        Case(lambda w: "/members/export.xlsx", page(200, member=404)),
        Case(lambda w: "/members/export.pdf", page(302, member=404)),  # unknown format: back with a message
    ],
    "members:quality": [
        Case(lambda w: f"/members/quality/?org={w.a1.pk}", page(**OFFICIALS_OF_A1)),
        Case(lambda w: "/members/quality/", page(200, member=404)),
    ],
    "members:merge": [
        Case(lambda w: f"/members/merge/{w.own_member.pk}/{w.other_member.pk}/", page(**MEMBER_CHANGERS_A1A))
    ],
    "members:import": [Case(lambda w: "/members/import/", page(**MEMBER_CHANGERS_A1A, outsider=200))],
    "members:import_template": [
        Case(lambda w: "/members/import/template.xlsx", page(**MEMBER_CHANGERS_A1A, outsider=200))
    ],
    # An import job is its uploader's only.
    "members:import_job": [Case(lambda w: f"/members/import/{_import_job(w)}/", page(commune=200))],
    "members:import_errors": [Case(lambda w: f"/members/import/{_import_job(w)}/errors.csv", page(commune=200))],
    "members:status": [Case(lambda w: f"/members/{w.other_member.pk}/status/", page(**MEMBER_CHANGERS_A1A))],
    "members:row_add": [
        Case(lambda w: f"/members/{w.other_member.pk}/rows/work/add/", page(**MEMBER_CHANGERS_A1A)),
        # Province staff may change the record but not see its protected tables.
        Case(lambda w: f"/members/{w.other_member.pk}/rows/family/add/", page(secretary=200, commune=200, admin=200)),
    ],
    "members:row_remove": [
        Case(
            lambda w: f"/members/{w.other_member.pk}/rows/work/{_work_row(w)}/remove/",
            page(secretary=302, commune=302, province=302, admin=302),
            "post",
        )
    ],
    "members:propose": [
        Case(lambda w: f"/members/{w.own_member.pk}/propose/", page(member=200)),
        Case(lambda w: f"/members/{w.other_member.pk}/propose/", page()),  # only one's own record
    ],
    "members:requests": [Case(lambda w: "/members/requests/", page(200))],
    "members:request_detail": [
        Case(
            lambda w: f"/members/requests/{_change_request(w)}/",
            page(member=200, secretary=200, commune=200, province=200, admin=200),
        )
    ],
    "members:my_data": [Case(lambda w: "/members/me/data.json", page(member=200, secretary=200))],
    "members:photo": [Case(lambda w: f"/members/{w.own_member.pk}/photo.jpg", page(**MEMBER_VIEWERS_A1A, member=200))],
    "members:photo_upload": [Case(lambda w: f"/members/{w.own_member.pk}/photo/", page(**MEMBER_CHANGERS_A1A))],
    "members:sheet_pdf": [Case(lambda w: f"/members/{w.other_member.pk}/sheet.pdf", page(**MEMBER_VIEWERS_A1A))],
    "members:print": [Case(lambda w: f"/members/{w.other_member.pk}/print/", page(**MEMBER_VIEWERS_A1A))],
    "members:create": [Case(lambda w: f"/members/new/{w.a1a.pk}/", page(**MEMBER_CHANGERS_A1A))],
    # Meetings.
    "meetings:list": [Case(lambda w: "/meetings/", page(200))],
    "meetings:calendar": [Case(lambda w: "/meetings/calendar/", page(member=200, secretary=200))],
    # The feed needs no login: its token is the key; a wrong token is 404 for everyone.
    "meetings:calendar_feed": [
        Case(lambda w: f"/meetings/calendar/{_feed(w)}.ics", expect(200)),
        Case(lambda w: "/meetings/calendar/not-a-token.ics", expect(404)),
    ],
    "meetings:supervise": [
        Case(lambda w: f"/meetings/supervise/?org={w.a1.pk}", page(**OFFICIALS_OF_A1)),
        Case(lambda w: "/meetings/supervise/", page(200, member=404)),
    ],
    # Rated from above the cell: the cell's own secretary cannot rate (404); the meeting is not held yet (rule: 302 + message).
    "meetings:rate": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/rate/",
            page(302, member=404, secretary=404, outsider=404),
            "post",
            lambda w: {"score": "4"},
        )
    ],
    "meetings:detail": [
        Case(lambda w: f"/meetings/{w.meeting.pk}/", page(200, outsider=404)),
        Case(lambda w: f"/meetings/{w.draft_meeting.pk}/", page(**MEMBER_CHANGERS_A1A)),  # drafts: managers only
    ],
    "meetings:check_in": [Case(lambda w: f"/meetings/{w.meeting.pk}/check-in/", page(302, outsider=404), "post")],
    "meetings:absence": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/absence/", page(302, outsider=404), "post", lambda w: {"reason": "ốm"}
        )
    ],
    "meetings:publish": [
        Case(lambda w: f"/meetings/{w.draft_meeting.pk}/publish/", page(**_redirect(MEMBER_CHANGERS_A1A)), "post")
    ],
    "meetings:roll_call": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/roll-call/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"member": w.other_member.pk, "state": "present"},
        )
    ],
    "meetings:create": [Case(lambda w: f"/meetings/new/{w.a1a.pk}/", page(**MEMBER_CHANGERS_A1A))],
    "meetings:edit": [Case(lambda w: f"/meetings/{w.meeting.pk}/edit/", page(**MEMBER_CHANGERS_A1A))],
    "meetings:qr": [Case(lambda w: f"/meetings/{w.meeting.pk}/qr/", page(**MEMBER_CHANGERS_A1A))],
    # Opinions: the cell's members and managers (302); officials above who only look are refused (404).
    "meetings:comment": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/comments/",
            page(member=302, **_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"text": "Tôi đồng ý với dự thảo"},
        )
    ],
    "meetings:take_in": [
        Case(lambda w: f"/meetings/comments/{_comment(w)}/taken-in/", page(**_redirect(MEMBER_CHANGERS_A1A)), "post")
    ],
    "meetings:minutes": [
        Case(lambda w: f"/meetings/{w.meeting.pk}/minutes/", page(**MEMBER_CHANGERS_A1A)),  # no minutes yet: managers
        Case(lambda w: f"/meetings/{_minutes(w)}/minutes/", page(200, outsider=404)),
    ],
    "meetings:motion_create": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/motions/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"title": "Thông qua chương trình"},
        )
    ],
    "meetings:motion_open": [
        Case(lambda w: f"/meetings/motions/{_motion(w)}/open/", page(**_redirect(MEMBER_CHANGERS_A1A)), "post")
    ],
    "meetings:motion_close": [
        Case(
            lambda w: f"/meetings/motions/{_motion(w, opened=True)}/close/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
        )
    ],
    "meetings:vote": [
        Case(
            lambda w: f"/meetings/motions/{_motion(w, opened=True)}/vote/",
            page(302, outsider=404),
            "post",
            lambda w: {"choice": "0"},
        )
    ],
    "meetings:schedule": [Case(lambda w: f"/meetings/schedule/{w.a1a.pk}/", page(**MEMBER_CHANGERS_A1A))],
    # Documents: the inbox is everyone's; a document is open to its audience and to those above
    # its issuer; drafts only to those who may issue for that organisation.
    "documents:inbox": [Case(lambda w: "/documents/", page(200))],
    "documents:sent": [Case(lambda w: "/documents/sent/", page(200))],
    "documents:create": [Case(lambda w: f"/documents/new/{w.a1.pk}/", page(**CHANGERS_OF_A1))],
    "documents:detail": [
        Case(lambda w: f"/documents/{w.document.pk}/", page(**READERS_A)),
        Case(lambda w: f"/documents/{w.draft_document.pk}/", page(**CHANGERS_OF_A1)),
        Case(lambda w: f"/documents/{w.outside_document.pk}/", page(outsider=200, admin=200)),
    ],
    "documents:edit": [Case(lambda w: f"/documents/{w.document.pk}/edit/", page(**ISSUERS_A))],
    "documents:publish": [
        Case(lambda w: f"/documents/{w.draft_document.pk}/publish/", page(**_redirects(CHANGERS_OF_A1)), "post")
    ],
    "documents:withdraw": [
        Case(
            lambda w: f"/documents/{w.document.pk}/withdraw/",
            page(**_redirects(ISSUERS_A)),
            "post",
            lambda w: {"reason": "Nhầm"},
        )
    ],
    "documents:acknowledge": [
        Case(lambda w: f"/documents/{w.document.pk}/acknowledge/", page(**_redirects(RECIPIENTS_A)), "post")
    ],
    "documents:bookmark": [
        Case(
            lambda w: f"/documents/{w.document.pk}/bookmark/",
            page(**_redirects(RECIPIENTS_A)),
            "post",
            lambda w: {"on": "1"},
        )
    ],
    "documents:study": [
        Case(
            lambda w: f"/documents/{w.document.pk}/study/",
            page(**_redirects(RECIPIENTS_A)),
            "post",
            lambda w: {"reflection": "Tôi sẽ thực hiện nghiêm túc."},
        )
    ],
    "documents:quiz": [Case(lambda w: f"/documents/{w.draft_document.pk}/quiz/", page(**CHANGERS_OF_A1))],
    "documents:stats": [
        Case(lambda w: f"/documents/{w.document.pk}/stats/", page(**OVERSEERS_A)),
        Case(lambda w: f"/documents/{w.document.pk}/stats/?org={w.a1a.pk}", page(**OVERSEERS_A)),
    ],
    "documents:remind": [Case(lambda w: f"/documents/{w.document.pk}/remind/", page(**_redirects(ISSUERS_A)), "post")],
    "documents:attach": [
        Case(
            lambda w: f"/documents/{w.document.pk}/attachments/",
            page(**_redirects(ISSUERS_A)),
            "post",
            _attachment_upload,
        )
    ],
    "documents:audio": [Case(lambda w: f"/documents/{w.document.pk}/audio/", page(**_redirects(ISSUERS_A)), "post")],
    "documents:attachment": [
        Case(lambda w: f"/documents/{w.document.pk}/attachments/{_attachment(w)}/", page(**READERS_A))
    ],
    "documents:detach": [
        Case(
            lambda w: f"/documents/{w.document.pk}/attachments/{_attachment(w)}/remove/",
            page(**_redirects(ISSUERS_A)),
            "post",
        )
    ],
    "documents:feedback_list": [Case(lambda w: "/documents/feedback/", page(200))],
    "documents:feedback_new": [Case(lambda w: "/documents/feedback/new/", page(200))],
    "documents:feedback_detail": [Case(lambda w: f"/documents/feedback/{w.feedback.pk}/", page(**FEEDBACK_READERS))],
    # Notifications: everyone has their own; someone else's is 404.
    "notifications:list": [Case(lambda w: "/notifications/", page(200))],
    "notifications:preferences": [Case(lambda w: "/notifications/settings/", page(200))],
    "notifications:read_all": [Case(lambda w: "/notifications/read-all/", page(302), "post")],
    "notifications:open": [Case(lambda w: f"/notifications/{_notification(w)}/", page(member=302))],
    "notifications:read": [Case(lambda w: f"/notifications/{_notification(w)}/read/", page(member=302), "post")],
    # Documents: managers attach and remove; everyone who sees the meeting downloads.
    "meetings:document_upload": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/documents/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"title": "Báo cáo", "file": _pdf()},
        )
    ],
    "meetings:document_download": [Case(lambda w: f"/meetings/documents/{_document(w)}/", page(200, outsider=404))],
    "meetings:document_remove": [
        Case(lambda w: f"/meetings/documents/{_document(w)}/remove/", page(**_redirect(MEMBER_CHANGERS_A1A)), "post")
    ],
    # Guests: managers invite and withdraw; a guest (the leader here) marks their own presence.
    "meetings:guests": [Case(lambda w: f"/meetings/{w.meeting.pk}/guests/", page(**MEMBER_CHANGERS_A1A))],
    "meetings:guest_remove": [
        Case(lambda w: f"/meetings/guests/{_guest(w)}/remove/", page(**_redirect(MEMBER_CHANGERS_A1A)), "post")
    ],
    "meetings:guest_presence": [
        Case(lambda w: f"/meetings/guests/{_guest(w)}/presence/", page(**_redirect(GUEST_PRESENCE)), "post")
    ],
    # Attendance rates: officials over their subtree; a member's own page for them and officials above.
    "meetings:rates": [
        Case(lambda w: f"/meetings/attendance/?org={w.a1.pk}", page(**OFFICIALS_OF_A1)),
        Case(lambda w: "/meetings/attendance/?start=2026-01-01&end=2026-12-31", page(200, member=404)),
    ],
    "meetings:member_rates": [
        Case(lambda w: f"/meetings/attendance/member/{w.own_member.pk}/", page(member=200, **MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/meetings/attendance/member/{w.other_member.pk}/", page(**MEMBER_VIEWERS_A1A)),
    ],
    # Admissions: candidates and cases follow the member permissions of the cell; the committee's
    # vote, the decision, targets and enterprise organisations need ORG_CHANGE (not the secretary).
    "admissions:pipeline": [
        Case(lambda w: f"/admissions/org/{w.a1.pk}/", page(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/admissions/org/{w.a1a.pk}/?overdue=on&category=worker", page(**MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/admissions/org/{w.b1.pk}/", page(outsider=200, admin=200)),
    ],
    "admissions:candidates": [
        Case(lambda w: f"/admissions/org/{w.a1a.pk}/candidates/", page(**MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/admissions/org/{w.a1.pk}/candidates/", page()),  # not a cell
        Case(
            lambda w: f"/admissions/org/{w.a1a.pk}/candidates/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            _adm_candidate_data,
        ),
    ],
    "admissions:progress": [
        Case(lambda w: f"/admissions/org/{w.a1.pk}/progress/?year=2025", page(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/admissions/org/{w.b.pk}/progress/", page(outsider=200, admin=200)),
    ],
    "admissions:target": [
        Case(lambda w: f"/admissions/org/{w.a1.pk}/target/", page(**CHANGERS_OF_A1)),
        Case(
            lambda w: f"/admissions/org/{w.a1.pk}/target/",
            page(**_redirect(CHANGERS_OF_A1)),
            "post",
            lambda w: {"year": 2025, "number": 12, "cat_worker": 3, "enterprise_organizations": 1},
        ),
    ],
    "admissions:enterprise": [
        Case(lambda w: f"/admissions/org/{w.a1.pk}/enterprise-organizations/new/", page(**CHANGERS_OF_A1)),
        Case(
            lambda w: f"/admissions/org/{w.a1.pk}/enterprise-organizations/new/",
            page(**_redirect(CHANGERS_OF_A1)),
            "post",
            lambda w: {"name": "Chi bộ Công ty TNHH Minh An", "founded_on": "2025-05-05"},
        ),
    ],
    "admissions:case_open": [
        Case(
            lambda w: f"/admissions/candidates/{_adm_candidate(w)}/open/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
        )
    ],
    "admissions:case": [
        Case(lambda w: f"/admissions/cases/{_adm_case(w)}/", page(**MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/admissions/cases/{_adm_case(w, 'verification')}/", page(**MEMBER_VIEWERS_A1A)),
    ],
    "admissions:step": [
        Case(lambda w: f"/admissions/cases/{_adm_case(w)}/steps/course/", page(**MEMBER_CHANGERS_A1A)),
        Case(
            lambda w: f"/admissions/cases/{_adm_case(w)}/steps/course/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"date": "2025-03-03", "certificate_number": "01/GCN", "document": "Giấy chứng nhận"},
        ),
        # The committee's decision: committee staff only, not the cell's secretary.
        Case(
            lambda w: f"/admissions/cases/{_adm_case(w, 'committee_vote')}/steps/decision/",
            page(**CHANGERS_OF_A1),
        ),
        Case(lambda w: f"/admissions/cases/{_adm_case(w)}/steps/nonsense/", page()),
    ],
    "admissions:step_file": [
        Case(lambda w: f"/admissions/steps/{_adm_step_file(w)}/file/", page(**MEMBER_VIEWERS_A1A)),
    ],
    "admissions:withdraw": [
        Case(
            lambda w: f"/admissions/cases/{_adm_case(w)}/withdraw/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"reason": "Chuyển nơi cư trú"},
        )
    ],
    "admissions:cell_motion": [
        Case(
            lambda w: f"/admissions/cases/{_adm_case(w, 'verification')}/cell-vote/",
            page(**_redirect(MEMBER_CHANGERS_A1A)),
            "post",
            lambda w: {"meeting": w.meeting.pk},
        )
    ],
    # Audit trail: system administrators only.
    "audit:list": [Case(lambda w: "/audit/", page(admin=200))],
    # API documentation is public; the data behind it is not.
    "api-1:openapi-json": [Case(lambda w: "/api/v1/openapi.json", expect(200))],
    "api-1:openapi-view": [Case(lambda w: "/api/v1/docs", expect(200))],
    "api-1:api-root": [Case(lambda w: "/api/v1/", expect(404))],
    "reviews:mine": [Case(lambda w: "/reviews/mine/", page(member=302, secretary=302))],
    "reviews:org": [
        Case(lambda w: f"/reviews/org/{w.a1.pk}/", page(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/reviews/org/{w.a1a.pk}/", page(**OFFICIALS_OF_A1, member=200, secretary=200)),
        Case(lambda w: f"/reviews/org/{w.a1.pk}/", page(**_redirect(CHANGERS_OF_A1)), "post", _review_period_in),
    ],
    "reviews:period": [
        # Members are sent to their own review; the secretary starts at their cell.
        Case(lambda w: f"/reviews/{_review_period(w)}/", page(**OFFICIALS_OF_A1, secretary=200, member=302)),
        Case(
            lambda w: f"/reviews/{_review_period(w)}/?node={w.a1a.pk}",
            page(**OFFICIALS_OF_A1, secretary=200, member=302),
        ),
    ],
    "reviews:close": [
        Case(
            lambda w: f"/reviews/{_review_period(w)}/close/",
            page(403, outsider=404, **_redirect(REVIEW_DECIDERS_A1)),
            "post",
        )
    ],
    "reviews:member": [
        Case(lambda w: f"/reviews/{_review_period(w)}/member/{w.own_member.pk}/", page(**REVIEW_READERS_A1A)),
        Case(
            lambda w: f"/reviews/{_review_period(w)}/member/{w.own_member.pk}/",
            page(403, outsider=404, member=302, secretary=302, **_redirect(REVIEW_DECIDERS_A1)),
            "post",
            lambda w: {"action": "self", "text": "Hoàn thành tốt nhiệm vụ", "score": "80"},
        ),
        Case(
            lambda w: f"/reviews/{_review_proposed(w)}/member/{w.other_member.pk}/",
            page(403, outsider=404, member=404, **_redirect(REVIEW_DECIDERS_A1)),
            "post",
            lambda w: {"action": "decide", "decision_number": "05-QĐ/ĐU", "decision_date": "2025-12-20"},
        ),
    ],
    "reviews:organization": [
        Case(
            lambda w: f"/reviews/{_review_period(w, 'organizations')}/organization/{w.a1a.pk}/",
            page(**OFFICIALS_OF_A1, secretary=200),
        )
    ],
    "reviews:member_history": [Case(lambda w: f"/reviews/members/{w.own_member.pk}/", page(**REVIEW_READERS_A1A))],
    "transfers:org": [
        Case(lambda w: f"/transfers/org/{w.a1.pk}/", page(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/transfers/org/{w.a1a.pk}/", page(**OFFICIALS_OF_A1, member=200, secretary=200)),
        Case(lambda w: f"/transfers/org/{w.b1a.pk}/", page(outsider=200, admin=200)),
    ],
    "transfers:member": [
        Case(lambda w: f"/transfers/member/{w.own_member.pk}/", page(**MEMBER_VIEWERS_A1A, member=200)),
        Case(lambda w: f"/transfers/member/{w.outside_member.pk}/", page(outsider=200, admin=200)),
    ],
    "transfers:issue": [
        # The sending committee only: not the cell secretary, not the member.
        Case(lambda w: f"/transfers/member/{w.own_member.pk}/new/?q=chi bo", page(**CHANGERS_OF_A1)),
        Case(
            lambda w: f"/transfers/member/{w.own_member.pk}/new/",
            page(commune=302, province=302, admin=302),
            "post",
            _issue_form,
        ),
    ],
    "transfers:detail": [
        Case(lambda w: f"/transfers/{_transfer(w)}/", page(**TRANSFER_A1A_TO_B1A)),
        # Inside province A: province B sees nothing, nor does another member.
        Case(
            lambda w: f"/transfers/{_transfer(w, member=w.other_member, to=w.a2a)}/",
            page(**MEMBER_VIEWERS_A1A),
        ),
    ],
    "transfers:act": [
        Case(
            lambda w: f"/transfers/{_transfer(w, state='presented')}/accept/",
            page(**{k: 302 if v == 200 else v for k, v in RECEIVE_B1A.items()}),
            "post",
            lambda w: {"accepted_on": _today()},
        ),
        Case(
            lambda w: f"/transfers/{_transfer(w, member=w.other_member, to=w.a2a)}/cancel/",
            page(**{k: 302 if v == 200 else v for k, v in SEND_A1A.items()}),
            "post",
        ),
    ],
}

API: dict[str, list[Case]] = {
    "POST /api/v1/auth/token": [
        Case(lambda w: "/api/v1/auth/token", expect(401), "post", lambda w: {"username": "x", "password": "y"}, True)
    ],
    "DELETE /api/v1/auth/token": [Case(lambda w: "/api/v1/auth/token", api_op(400), "delete")],
    "GET /api/v1/me": [Case(lambda w: "/api/v1/me", api_op(200))],
    "GET /api/v1/roles": [Case(lambda w: "/api/v1/roles", api_op(200))],
    "POST /api/v1/roles": [
        Case(
            lambda w: "/api/v1/roles",
            api_op(403, outsider=404, commune=201, province=201, admin=201),
            "post",
            lambda w: {"username": "leader", "organization_id": w.a1a.pk, "role": "committee_staff"},
            True,
        )
    ],
    "DELETE /api/v1/roles/{grant_id}": [
        Case(lambda w: f"/api/v1/roles/{_grant_on_a1a(w)}", api_op(commune=204, province=204, admin=204), "delete")
    ],
    "GET /api/v1/organizations/tree": [Case(lambda w: "/api/v1/organizations/tree", api_op(200))],
    "GET /api/v1/organizations/search": [Case(lambda w: "/api/v1/organizations/search?q=a1", api_op(200))],
    "GET /api/v1/organizations/{org_id}": [
        Case(lambda w: f"/api/v1/organizations/{w.a1.pk}", api_op(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/api/v1/organizations/{w.a1a.pk}", api_op(**OFFICIALS_OF_A1, member=200, secretary=200)),
    ],
    "GET /api/v1/organizations/{org_id}/children": [
        Case(lambda w: f"/api/v1/organizations/{w.a1.pk}/children", api_op(**OFFICIALS_OF_A1))
    ],
    "GET /api/v1/organizations/{org_id}/counts": [
        Case(lambda w: f"/api/v1/organizations/{w.a.pk}/counts", api_op(province=200, leader=200, admin=200))
    ],
    "GET /api/v1/organizations/{org_id}/history": [
        Case(lambda w: f"/api/v1/organizations/{w.a1a.pk}/history", api_op(**OFFICIALS_OF_A1, secretary=200))
    ],
    "POST /api/v1/organizations": [
        Case(
            lambda w: "/api/v1/organizations",
            api_op(commune=201, province=201, admin=201),
            "post",
            lambda w: {"parent_id": w.a1.pk, "name": "Chi bộ mới", "type": "cell"},
            True,
        )
    ],
    "POST /api/v1/organizations/{org_id}/rename": [
        Case(
            lambda w: f"/api/v1/organizations/{w.a1.pk}/rename",
            api_op(**CHANGERS_OF_A1),
            "post",
            lambda w: {"name": "Xã A1 mới"},
            True,
        )
    ],
    "GET /api/v1/organizations/{org_id}/impact": [
        Case(lambda w: f"/api/v1/organizations/{w.a1a.pk}/impact", api_op(**CHANGERS_OF_A1))
    ],
    "POST /api/v1/organizations/{org_id}/move": [
        Case(
            lambda w: f"/api/v1/organizations/{w.a1a.pk}/move",
            api_op(province=200, admin=200),
            "post",
            lambda w: {"new_parent_id": w.a2.pk},
            True,
        )
    ],
    "POST /api/v1/organizations/{org_id}/merge": [
        Case(
            lambda w: f"/api/v1/organizations/{w.a1b.pk}/merge",
            api_op(**CHANGERS_OF_A1),
            "post",
            lambda w: {"target_id": w.a1a.pk},
            True,
        )
    ],
    "POST /api/v1/organizations/{org_id}/split": [
        Case(
            lambda w: f"/api/v1/organizations/{w.a1a.pk}/split",
            api_op(commune=201, province=201, admin=201),
            "post",
            lambda w: {"name": "Chi bộ A1c", "members": [w.other_member.pk]},
            True,
        )
    ],
    "POST /api/v1/organizations/{org_id}/dissolve": [
        # A1b still holds members: those allowed to try get the rule's 400, everyone else 404.
        Case(
            lambda w: f"/api/v1/organizations/{w.a1b.pk}/dissolve", api_op(commune=400, province=400, admin=400), "post"
        )
    ],
    "GET /api/v1/rules/keys": [Case(lambda w: "/api/v1/rules/keys", api_op(200))],
    "GET /api/v1/rules/sets": [Case(lambda w: "/api/v1/rules/sets", api_op(200))],
    "GET /api/v1/rules/sets/{set_id}/versions": [
        Case(lambda w: f"/api/v1/rules/sets/{_default_rules(w)}/versions", api_op(200)),
        Case(lambda w: f"/api/v1/rules/sets/{_province_rules(w)}/versions", api_op(**RULE_READERS_A)),
    ],
    "GET /api/v1/rules/versions/{version_id}": [
        Case(lambda w: f"/api/v1/rules/versions/{_default_version(w)}", api_op(200))
    ],
    "GET /api/v1/rules/effective": [
        Case(
            lambda w: f"/api/v1/rules/effective?organization_id={w.a1a.pk}",
            api_op(**OFFICIALS_OF_A1, member=200, secretary=200),
        ),
        Case(
            lambda w: f"/api/v1/rules/effective?organization_id={w.b1a.pk}&on=2025-06-01",
            api_op(outsider=200, admin=200),
        ),
    ],
    "POST /api/v1/rules/sets": [
        Case(
            lambda w: "/api/v1/rules/sets",
            api_op(admin=201),
            "post",
            lambda w: {"name": "Quy định 2026", "effective_from": _tomorrow(), "values": _rule_values(w)},
            True,
        ),
        Case(
            lambda w: "/api/v1/rules/sets",
            api_op(province=201, admin=201),
            "post",
            lambda w: {
                "name": "Quy định tỉnh A",
                "owner_id": w.a.pk,
                "effective_from": _tomorrow(),
                "values": _rule_values(w),
            },
            True,
        ),
    ],
    "POST /api/v1/rules/sets/{set_id}/versions": [
        Case(
            lambda w: f"/api/v1/rules/sets/{_default_rules(w)}/versions",
            api_op(admin=201),
            "post",
            lambda w: {"effective_from": _tomorrow(), "values": _rule_values(w), "note": "Sửa đổi"},
            True,
        ),
        Case(
            lambda w: f"/api/v1/rules/sets/{_province_rules(w)}/versions",
            api_op(province=201, admin=201),
            "post",
            lambda w: {"effective_from": _tomorrow(), "values": _rule_values(w)},
            True,
        ),
    ],
    "POST /api/v1/rules/assignments": [
        Case(
            lambda w: "/api/v1/rules/assignments",
            api_op(commune=201, province=201, admin=201),
            "post",
            lambda w: {"organization_id": w.a1.pk, "rule_set_id": _default_rules(w), "effective_from": _tomorrow()},
            True,
        ),
        Case(
            lambda w: "/api/v1/rules/assignments",
            api_op(admin=201),
            "post",
            lambda w: {
                "organization_id": w.central.pk,
                "rule_set_id": _default_rules(w),
                "effective_from": _tomorrow(),
            },
            True,
        ),
    ],
    "GET /api/v1/members": [Case(lambda w: "/api/v1/members", api_op(200))],
    "POST /api/v1/members/search": [
        Case(lambda w: "/api/v1/members/search", api_op(200), "post", lambda w: {"q": "nguyen"}, True)
    ],
    "POST /api/v1/members": [
        Case(
            lambda w: "/api/v1/members",
            api_op(secretary=201, commune=201, province=201, admin=201),
            "post",
            lambda w: {
                "organization_id": w.a1a.pk,
                "full_name": "Ngô Văn Mới",
                "sex": "M",
                "date_of_birth": "1990-01-02",
                "cccd": "037090999999",
            },
            True,
        )
    ],
    "GET /api/v1/members/{member_id}": [
        Case(lambda w: f"/api/v1/members/{w.other_member.pk}", api_op(**MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/api/v1/members/{w.own_member.pk}", api_op(**MEMBER_VIEWERS_A1A, member=200)),
    ],
    "POST /api/v1/members/{member_id}/status": [
        Case(
            lambda w: f"/api/v1/members/{w.other_member.pk}/status",
            api_op(secretary=201, commune=201, province=201, admin=201),
            "post",
            lambda w: {"status": "exempt", "effective_date": "2026-01-05", "note": "ốm"},
            True,
        )
    ],
    "GET /api/v1/members/{member_id}/tables/{table}": [
        Case(lambda w: f"/api/v1/members/{w.other_member.pk}/tables/work", api_op(**MEMBER_VIEWERS_A1A)),
        # Family is protected: visible officials without the sensitive-data permission get 403.
        Case(
            lambda w: f"/api/v1/members/{w.other_member.pk}/tables/family",
            api_op(secretary=200, commune=200, admin=200, province=403, leader=403),
        ),
    ],
    "POST /api/v1/members/{member_id}/tables/{table}": [
        Case(
            lambda w: f"/api/v1/members/{w.other_member.pk}/tables/training",
            api_op(secretary=201, commune=201, province=201, admin=201),
            "post",
            lambda w: {"start": "2010-09-01", "institution": "Trường Chính trị tỉnh", "subject": "Lý luận chính trị"},
            True,
        )
    ],
    "DELETE /api/v1/members/{member_id}/tables/{table}/{row_id}": [
        Case(
            lambda w: f"/api/v1/members/{w.other_member.pk}/tables/work/{_work_row(w)}",
            api_op(secretary=204, commune=204, province=204, admin=204),
            "delete",
        )
    ],
    "POST /api/v1/members/{member_id}/change-requests": [
        Case(
            lambda w: f"/api/v1/members/{w.own_member.pk}/change-requests",
            # Only the member proposes; officials who can see the record are refused by the rule (400).
            api_op(member=201, secretary=400, commune=400, province=400, leader=400, admin=400),
            "post",
            lambda w: {"changes": {"hometown": "Yên Mô"}},
            True,
        )
    ],
    "GET /api/v1/members/export/{fmt}": [
        Case(lambda w: "/api/v1/members/export/csv", api_op(200, member=404)),
        Case(lambda w: "/api/v1/members/export/pdf", api_op(400, member=404)),
    ],
    "POST /api/v1/imports": [
        # A PDF is refused with a clear 400 by those who may import; others do not see the endpoint's data.
        Case(lambda w: "/api/v1/imports", api_op(400, member=404, leader=404), "post", lambda w: {"file": _pdf()})
    ],
    "GET /api/v1/imports/{job_id}": [Case(lambda w: f"/api/v1/imports/{_import_job(w)}", api_op(commune=200))],
    "GET /api/v1/meetings": [Case(lambda w: "/api/v1/meetings", api_op(200))],
    "GET /api/v1/meetings/{meeting_id}": [
        Case(lambda w: f"/api/v1/meetings/{w.meeting.pk}", api_op(200, outsider=404)),
        Case(lambda w: f"/api/v1/meetings/{w.draft_meeting.pk}", api_op(**MEMBER_CHANGERS_A1A)),
    ],
    "POST /api/v1/meetings": [
        Case(
            lambda w: "/api/v1/meetings",
            api_op(**{who: 201 for who in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {
                "organization_id": w.a1a.pk,
                "title": "Họp bất thường",
                "type": "extraordinary",
                "starts_at": "2026-12-20T19:00:00+07:00",
            },
            True,
        )
    ],
    "POST /api/v1/meetings/{meeting_id}/publish": [
        Case(lambda w: f"/api/v1/meetings/{w.draft_meeting.pk}/publish", api_op(**MEMBER_CHANGERS_A1A), "post")
    ],
    "POST /api/v1/meetings/{meeting_id}/check-in": [
        # Only members of the cell check in; officials without a member record there get the rule's 400.
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/check-in",
            api_op(400, member=200, secretary=200, outsider=404),
            "post",
        )
    ],
    "POST /api/v1/meetings/{meeting_id}/absence": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/absence",
            api_op(400, member=200, secretary=200, outsider=404),
            "post",
            lambda w: {"reason": "Đi công tác"},
            True,
        )
    ],
    "POST /api/v1/meetings/{meeting_id}/roll-call": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/roll-call",
            api_op(**MEMBER_CHANGERS_A1A),
            "post",
            lambda w: {"member_id": w.other_member.pk, "state": "present"},
            True,
        )
    ],
    "GET /api/v1/meetings/{meeting_id}/attendance": [
        Case(lambda w: f"/api/v1/meetings/{w.meeting.pk}/attendance", api_op(**MEMBER_VIEWERS_A1A))
    ],
    "POST /api/v1/meetings/{meeting_id}/motions": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/motions",
            api_op(**{who: 201 for who in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {"title": "Thông qua chương trình", "secret": True},
            True,
        )
    ],
    "GET /api/v1/motions/{motion_id}": [Case(lambda w: f"/api/v1/motions/{_motion(w)}", api_op(200, outsider=404))],
    "POST /api/v1/motions/{motion_id}/open": [
        Case(lambda w: f"/api/v1/motions/{_motion(w)}/open", api_op(**MEMBER_CHANGERS_A1A), "post")
    ],
    "POST /api/v1/motions/{motion_id}/close": [
        Case(lambda w: f"/api/v1/motions/{_motion(w, opened=True)}/close", api_op(**MEMBER_CHANGERS_A1A), "post")
    ],
    "POST /api/v1/motions/{motion_id}/vote": [
        # Official members of the cell vote; officials from above are not on the list of voters (400).
        Case(
            lambda w: f"/api/v1/motions/{_motion(w, opened=True)}/vote",
            api_op(400, member=200, secretary=200, outsider=404),
            "post",
            lambda w: {"choice": 0},
            True,
        )
    ],
    "GET /api/v1/meetings/{meeting_id}/comments": [
        Case(lambda w: f"/api/v1/meetings/{w.meeting.pk}/comments", api_op(200, outsider=404))
    ],
    "POST /api/v1/meetings/{meeting_id}/comments": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/comments",
            api_op(403, member=201, outsider=404, **{who: 201 for who in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {"text": "Đề nghị bổ sung chỉ tiêu"},
            True,
        )
    ],
    "POST /api/v1/comments/{comment_id}/taken-in": [
        Case(
            lambda w: f"/api/v1/comments/{_comment(w)}/taken-in",
            api_op(**MEMBER_CHANGERS_A1A),
            "post",
            lambda w: {"taken_in": True},
            True,
        )
    ],
    "POST /api/v1/meetings/{meeting_id}/resolution": [
        # Only the cell's managers; the world's meeting has no final minutes yet, so they get 400.
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/resolution",
            api_op(**{who: 400 for who in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {"text": "Nghị quyết"},
            True,
        )
    ],
    "GET /api/v1/meetings/{meeting_id}/minutes": [
        Case(lambda w: f"/api/v1/meetings/{_minutes(w)}/minutes", api_op(200, outsider=404))
    ],
    "GET /api/v1/documents": [Case(lambda w: "/api/v1/documents", api_op(200))],
    "GET /api/v1/documents/unread-count": [Case(lambda w: "/api/v1/documents/unread-count", api_op(200))],
    "GET /api/v1/documents/issued": [Case(lambda w: "/api/v1/documents/issued", api_op(200))],
    "POST /api/v1/documents": [
        Case(
            lambda w: "/api/v1/documents",
            api_op(commune=201, province=201, admin=201),
            "post",
            lambda w: {"issuer_id": w.a1.pk, "title": "Thông báo", "issued_on": "2026-01-05"},
            True,
        )
    ],
    "GET /api/v1/documents/{document_id}": [
        Case(lambda w: f"/api/v1/documents/{w.document.pk}", api_op(**READERS_A)),
        Case(lambda w: f"/api/v1/documents/{w.draft_document.pk}", api_op(**CHANGERS_OF_A1)),
    ],
    "POST /api/v1/documents/{document_id}/acknowledge": [
        Case(lambda w: f"/api/v1/documents/{w.document.pk}/acknowledge", api_op(**RECIPIENTS_A), "post")
    ],
    "PUT /api/v1/documents/{document_id}/bookmark": [
        Case(lambda w: f"/api/v1/documents/{w.document.pk}/bookmark", api_op(**RECIPIENTS_A), "put")
    ],
    "DELETE /api/v1/documents/{document_id}/bookmark": [
        Case(lambda w: f"/api/v1/documents/{w.document.pk}/bookmark", api_op(**RECIPIENTS_A), "delete")
    ],
    "POST /api/v1/documents/{document_id}/study": [
        Case(
            lambda w: f"/api/v1/documents/{w.document.pk}/study",
            api_op(**RECIPIENTS_A),
            "post",
            lambda w: {"reflection": "Tôi sẽ thực hiện nghiêm túc."},
            True,
        )
    ],
    "GET /api/v1/documents/{document_id}/attachments/{attachment_id}": [
        Case(lambda w: f"/api/v1/documents/{w.document.pk}/attachments/{_attachment(w)}", api_op(**READERS_A))
    ],
    "POST /api/v1/documents/{document_id}/attachments": [
        Case(
            lambda w: f"/api/v1/documents/{w.document.pk}/attachments",
            api_op(province=201, admin=201),
            "post",
            _attachment_upload,
        )
    ],
    "POST /api/v1/documents/{document_id}/publish": [
        Case(lambda w: f"/api/v1/documents/{w.draft_document.pk}/publish", api_op(**CHANGERS_OF_A1), "post", json=True)
    ],
    "POST /api/v1/documents/{document_id}/withdraw": [
        Case(
            lambda w: f"/api/v1/documents/{w.document.pk}/withdraw",
            api_op(**ISSUERS_A),
            "post",
            lambda w: {"reason": "Nhầm"},
            True,
        )
    ],
    "GET /api/v1/documents/{document_id}/stats": [
        Case(lambda w: f"/api/v1/documents/{w.document.pk}/stats", api_op(**OVERSEERS_A))
    ],
    "GET /api/v1/feedback": [Case(lambda w: "/api/v1/feedback", api_op(200))],
    "POST /api/v1/feedback": [
        # To commune A1: only its own people may write to it (a province official writes higher up).
        Case(
            lambda w: "/api/v1/feedback",
            api_op(member=201, secretary=201, commune=201),
            "post",
            lambda w: {"organization_id": w.a1.pk, "subject": "Hỏi", "body": "Khi nào họp?"},
            True,
        )
    ],
    "GET /api/v1/feedback/{feedback_id}": [
        Case(lambda w: f"/api/v1/feedback/{w.feedback.pk}", api_op(**FEEDBACK_READERS))
    ],
    "POST /api/v1/feedback/{feedback_id}/answer": [
        Case(
            lambda w: f"/api/v1/feedback/{w.feedback.pk}/answer",
            api_op(member=403, leader=403, **CHANGERS_OF_A1),
            "post",
            lambda w: {"answer": "Đã tiếp thu."},
            True,
        )
    ],
    "POST /api/v1/feedback/{feedback_id}/close": [
        Case(
            lambda w: f"/api/v1/feedback/{w.feedback.pk}/close",
            api_op(leader=403, member=200, **CHANGERS_OF_A1),
            "post",
            json=True,
        )
    ],
    "GET /api/v1/meetings/{meeting_id}/documents": [
        Case(lambda w: f"/api/v1/meetings/{w.meeting.pk}/documents", api_op(200, outsider=404))
    ],
    "POST /api/v1/meetings/{meeting_id}/documents": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/documents",
            api_op(**{who: 201 for who in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {"title": "Báo cáo", "file": _pdf()},
        )
    ],
    "GET /api/v1/meetings/{meeting_id}/documents/{document_id}/file": [
        Case(lambda w: f"/api/v1/meetings/{w.meeting.pk}/documents/{_document(w)}/file", api_op(200, outsider=404))
    ],
    "DELETE /api/v1/meetings/{meeting_id}/documents/{document_id}": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/documents/{_document(w)}",
            api_op(**{who: 204 for who in MEMBER_CHANGERS_A1A}),
            "delete",
        )
    ],
    "GET /api/v1/meetings/{meeting_id}/guests": [
        Case(lambda w: f"/api/v1/meetings/{w.meeting.pk}/guests", api_op(200, outsider=404))
    ],
    "GET /api/v1/meetings/{meeting_id}/guest-candidates": [
        Case(lambda w: f"/api/v1/meetings/{w.meeting.pk}/guest-candidates", api_op(**MEMBER_CHANGERS_A1A))
    ],
    "POST /api/v1/meetings/{meeting_id}/guests": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/guests",
            api_op(**{who: 201 for who in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {"user_id": w.users["leader"].pk, "role_note": "Đại diện Tỉnh ủy"},
            True,
        )
    ],
    "DELETE /api/v1/meetings/{meeting_id}/guests/{guest_id}": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/guests/{_guest(w)}",
            api_op(**{who: 204 for who in MEMBER_CHANGERS_A1A}),
            "delete",
        )
    ],
    "POST /api/v1/meetings/{meeting_id}/guests/{guest_id}/presence": [
        Case(
            lambda w: f"/api/v1/meetings/{w.meeting.pk}/guests/{_guest(w)}/presence",
            api_op(**GUEST_PRESENCE),
            "post",
            lambda w: {"present": True},
            True,
        )
    ],
    "GET /api/v1/attendance/organizations/{organization_id}": [
        Case(lambda w: f"/api/v1/attendance/organizations/{w.a1.pk}", api_op(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/api/v1/attendance/organizations/{w.b1.pk}", api_op(outsider=200, admin=200)),
    ],
    "GET /api/v1/attendance/members/{member_id}": [
        Case(lambda w: f"/api/v1/attendance/members/{w.own_member.pk}", api_op(member=200, **MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/api/v1/attendance/members/{w.outside_member.pk}", api_op(outsider=200, admin=200)),
    ],
    "GET /api/v1/reports/due": [Case(lambda w: "/api/v1/reports/due", api_op(200))],
    "GET /api/v1/reports/definitions": [Case(lambda w: "/api/v1/reports/definitions", api_op(200))],
    "GET /api/v1/reports/definitions/{definition_id}": [
        Case(lambda w: f"/api/v1/reports/definitions/{_report(w)}", api_op(**OFFICIALS_OF_A1, secretary=200))
    ],
    "POST /api/v1/reports/definitions/{definition_id}/submissions": [
        Case(
            lambda w: f"/api/v1/reports/definitions/{_report(w)}/submissions",
            api_op(**{who: 201 for who in MEMBER_CHANGERS_A1A}),
            "post",
            _report_form,
        ),
        # Only for an organisation the caller reports for: not the secretary's neighbour cell.
        Case(
            lambda w: f"/api/v1/reports/definitions/{_report(w)}/submissions",
            api_op(**{who: 201 for who in CHANGERS_OF_A1}),
            "post",
            lambda w: _report_form(w, w.a1b),
        ),
    ],
    "GET /api/v1/reports/submissions": [Case(lambda w: "/api/v1/reports/submissions", api_op(200))],
    "GET /api/v1/reports/submissions/{submission_id}": [
        Case(lambda w: f"/api/v1/reports/submissions/{_report_sub(w)}", api_op(**MEMBER_VIEWERS_A1A))
    ],
    "POST /api/v1/reports/submissions/{submission_id}/review": [
        Case(
            lambda w: f"/api/v1/reports/submissions/{_report_sub(w)}/review",
            api_op(**CHANGERS_OF_A1),
            "post",
            lambda w: {"accept": False, "comment": "Bổ sung số liệu"},
            True,
        )
    ],
    "GET /api/v1/reports/definitions/{definition_id}/tracking": [
        Case(
            lambda w: f"/api/v1/reports/definitions/{_report(w)}/tracking?period=2026-06-01",
            api_op(**OFFICIALS_OF_A1, secretary=200),
        )
    ],
    "GET /api/v1/change-requests": [Case(lambda w: "/api/v1/change-requests", api_op(200))],
    "POST /api/v1/change-requests/{request_id}/decision": [
        Case(
            lambda w: f"/api/v1/change-requests/{_change_request(w)}/decision",
            api_op(secretary=200, commune=200, province=200, admin=200, member=403),
            "post",
            lambda w: {"approve": True},
            True,
        )
    ],
    "GET /api/v1/notifications": [Case(lambda w: "/api/v1/notifications", api_op(200))],
    "GET /api/v1/notifications/unread-count": [Case(lambda w: "/api/v1/notifications/unread-count", api_op(200))],
    "POST /api/v1/notifications/read-all": [Case(lambda w: "/api/v1/notifications/read-all", api_op(200), "post")],
    "POST /api/v1/notifications/{notification_id}/read": [
        Case(lambda w: f"/api/v1/notifications/{_notification(w)}/read", api_op(member=200), "post")
    ],
    "GET /api/v1/notifications/preferences": [Case(lambda w: "/api/v1/notifications/preferences", api_op(200))],
    "PATCH /api/v1/notifications/preferences": [
        Case(
            lambda w: "/api/v1/notifications/preferences",
            api_op(200),
            "patch",
            lambda w: {"digest_daily": True},
            True,
        )
    ],
    "POST /api/v1/notifications/push-subscriptions": [
        Case(
            lambda w: "/api/v1/notifications/push-subscriptions",
            api_op(201),
            "post",
            lambda w: {"endpoint": "https://push.example.net/new", "keys": {"p256dh": "key", "auth": "auth"}},
            True,
        )
    ],
    # Only one's own device can be removed.
    "DELETE /api/v1/notifications/push-subscriptions": [
        Case(
            lambda w: "/api/v1/notifications/push-subscriptions",
            api_op(member=204),
            "delete",
            lambda w: {"endpoint": _push_endpoint(w)},
            True,
        )
    ],
    "GET /api/v1/admissions/candidates": [
        Case(lambda w: f"/api/v1/admissions/candidates?organization_id={w.a1a.pk}", api_op(**MEMBER_VIEWERS_A1A)),
        Case(lambda w: f"/api/v1/admissions/candidates?organization_id={w.b1a.pk}", api_op(outsider=200, admin=200)),
    ],
    "POST /api/v1/admissions/candidates": [
        Case(
            lambda w: "/api/v1/admissions/candidates",
            api_op(**{k: 201 for k in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {**_adm_candidate_data(w), "organization_id": w.a1a.pk},
            True,
        )
    ],
    "GET /api/v1/admissions/cases": [
        Case(lambda w: f"/api/v1/admissions/cases?organization_id={w.a1.pk}", api_op(**OFFICIALS_OF_A1)),
    ],
    "POST /api/v1/admissions/cases": [
        Case(
            lambda w: "/api/v1/admissions/cases",
            api_op(**{k: 201 for k in MEMBER_CHANGERS_A1A}),
            "post",
            lambda w: {"candidate_id": _adm_candidate(w)},
            True,
        )
    ],
    "GET /api/v1/admissions/cases/{case_id}": [
        Case(lambda w: f"/api/v1/admissions/cases/{_adm_case(w, 'course')}", api_op(**MEMBER_VIEWERS_A1A)),
    ],
    "POST /api/v1/admissions/cases/{case_id}/steps/{step}": [
        Case(
            lambda w: f"/api/v1/admissions/cases/{_adm_case(w)}/steps/course",
            api_op(**MEMBER_CHANGERS_A1A),
            "post",
            lambda w: {"date": "2025-03-03", "values": {"certificate_number": "02/GCN"}},
            True,
        ),
        Case(
            lambda w: f"/api/v1/admissions/cases/{_adm_case(w, 'committee_vote')}/steps/decision",
            api_op(**CHANGERS_OF_A1),
            "post",
            lambda w: {"date": "2025-06-16", "values": {"number": "20-QĐ/ĐU", "decided_by": w.a1.pk}},
            True,
        ),
    ],
    "GET /api/v1/admissions/targets": [
        Case(lambda w: f"/api/v1/admissions/targets?organization_id={w.a1.pk}", api_op(**OFFICIALS_OF_A1)),
    ],
    "POST /api/v1/admissions/targets": [
        Case(
            lambda w: "/api/v1/admissions/targets",
            api_op(**{k: 201 for k in CHANGERS_OF_A1}),
            "post",
            lambda w: {"organization_id": w.a1.pk, "year": 2025, "percent": "3", "by_category": {"student": 1}},
            True,
        )
    ],
    "GET /api/v1/admissions/progress": [
        Case(lambda w: f"/api/v1/admissions/progress?organization_id={w.a1.pk}&year=2025", api_op(**OFFICIALS_OF_A1)),
    ],
    "POST /api/v1/admissions/enterprise-organizations": [
        Case(
            lambda w: "/api/v1/admissions/enterprise-organizations",
            api_op(**{k: 201 for k in CHANGERS_OF_A1}),
            "post",
            lambda w: {"organization_id": w.a1.pk, "name": "Chi bộ Công ty CP An Bình", "founded_on": "2025-04-01"},
            True,
        )
    ],
    "PATCH /api/v1/members/{member_id}": [
        Case(
            lambda w: f"/api/v1/members/{w.other_member.pk}",
            api_op(**MEMBER_CHANGERS_A1A),
            "patch",
            lambda w: {"status": "exempt"},
            True,
        )
    ],
    "GET /api/v1/reviews/periods": [Case(lambda w: "/api/v1/reviews/periods", api_op(200))],
    "POST /api/v1/reviews/periods": [
        Case(
            lambda w: "/api/v1/reviews/periods",
            api_op(leader=403, commune=201, province=201, admin=201),
            "post",
            lambda w: {"organization_id": w.a1.pk, **_review_period_in(w)},
            True,
        )
    ],
    "GET /api/v1/reviews/periods/{period_id}": [
        Case(lambda w: f"/api/v1/reviews/periods/{_review_period(w)}", api_op(200, outsider=404))
    ],
    "POST /api/v1/reviews/periods/{period_id}/close": [
        Case(
            lambda w: f"/api/v1/reviews/periods/{_review_period(w)}/close",
            api_op(403, outsider=404, **REVIEW_DECIDERS_A1),
            "post",
        )
    ],
    "GET /api/v1/reviews/periods/{period_id}/summary": [
        Case(lambda w: f"/api/v1/reviews/periods/{_review_period(w)}/summary", api_op(**OFFICIALS_OF_A1)),
        Case(
            lambda w: f"/api/v1/reviews/periods/{_review_period(w)}/summary?node_id={w.a1a.pk}",
            api_op(**OFFICIALS_OF_A1, secretary=200),
        ),
    ],
    "GET /api/v1/reviews/periods/{period_id}/review": [
        Case(
            lambda w: f"/api/v1/reviews/periods/{_review_period(w)}/review?member_id={w.own_member.pk}",
            api_op(**REVIEW_READERS_A1A),
        )
    ],
    "GET /api/v1/reviews/mine": [Case(lambda w: "/api/v1/reviews/mine", api_op(200))],
    "POST /api/v1/reviews/periods/{period_id}/self-assessment": [
        Case(
            lambda w: f"/api/v1/reviews/periods/{_review_period(w)}/self-assessment",
            api_op(403, outsider=404, member=200, secretary=200, **REVIEW_DECIDERS_A1),
            "post",
            lambda w: {"member_id": w.own_member.pk, "text": "Hoàn thành nhiệm vụ", "score": 75},
            True,
        )
    ],
    "POST /api/v1/reviews/periods/{period_id}/proposal": [
        Case(
            lambda w: f"/api/v1/reviews/periods/{_review_self_assessed(w)}/proposal",
            api_op(403, outsider=404, secretary=200, **REVIEW_DECIDERS_A1),
            "post",
            lambda w: {"member_id": w.own_member.pk, "score": 91},
            True,
        )
    ],
    "POST /api/v1/reviews/periods/{period_id}/decision": [
        Case(
            lambda w: f"/api/v1/reviews/periods/{_review_proposed(w)}/decision",
            api_op(403, outsider=404, member=404, **REVIEW_DECIDERS_A1),
            "post",
            lambda w: {"member_id": w.other_member.pk, "decision_number": "05-QĐ/ĐU", "decision_date": "2025-12-20"},
            True,
        )
    ],
    "GET /api/v1/transfers": [
        Case(lambda w: f"/api/v1/transfers?organization_id={w.a1.pk}&list=outgoing", api_op(**OFFICIALS_OF_A1)),
        Case(lambda w: f"/api/v1/transfers?member_id={w.own_member.pk}", api_op(**MEMBER_VIEWERS_A1A, member=200)),
        Case(lambda w: f"/api/v1/transfers?organization_id={w.b.pk}&list=incoming", api_op(outsider=200, admin=200)),
    ],
    "GET /api/v1/transfers/{transfer_id}": [
        Case(lambda w: f"/api/v1/transfers/{_transfer(w)}", api_op(**TRANSFER_A1A_TO_B1A)),
        Case(
            lambda w: f"/api/v1/transfers/{_transfer(w, member=w.other_member, to=w.a2a)}",
            api_op(**MEMBER_VIEWERS_A1A),
        ),
    ],
    "POST /api/v1/transfers": [
        Case(
            lambda w: "/api/v1/transfers",
            api_op(commune=201, province=201, admin=201, secretary=403),
            "post",
            lambda w: {
                "member_id": w.own_member.pk,
                "to_organization_id": w.b1a.pk,
                "kind": "official",
                "letter_number": "09-GGT/ĐU",
            },
            True,
        )
    ],
    "POST /api/v1/transfers/{transfer_id}/present": [
        Case(lambda w: f"/api/v1/transfers/{_transfer(w)}/present", api_op(**RECEIVE_B1A), "post", lambda w: {}, True)
    ],
    "POST /api/v1/transfers/{transfer_id}/accept": [
        Case(
            lambda w: f"/api/v1/transfers/{_transfer(w, state='presented')}/accept",
            api_op(**RECEIVE_B1A),
            "post",
            lambda w: {},
            True,
        )
    ],
    "POST /api/v1/transfers/{transfer_id}/return": [
        Case(
            lambda w: f"/api/v1/transfers/{_transfer(w)}/return",
            api_op(**RECEIVE_B1A),
            "post",
            lambda w: {"reason": "Sai chi bộ"},
            True,
        )
    ],
    "POST /api/v1/transfers/{transfer_id}/cancel": [
        Case(
            lambda w: f"/api/v1/transfers/{_transfer(w, member=w.other_member, to=w.a2a)}/cancel",
            api_op(**SEND_A1A),
            "post",
            lambda w: {},
            True,
        )
    ],
    "POST /api/v1/transfers/{transfer_id}/expire": [
        Case(
            lambda w: f"/api/v1/transfers/{_transfer(w, member=w.other_member, to=w.a2a, days_ago=90)}/expire",
            api_op(**SEND_A1A),
            "post",
        )
    ],
    "POST /api/v1/transfers/{transfer_id}/end": [
        # Either side ends a temporary transfer; the member and the secretary cannot.
        Case(
            lambda w: f"/api/v1/transfers/{_transfer(w, state='accepted', kind='temporary')}/end",
            api_op(**{**RECEIVE_B1A, "commune": 200, "province": 200}),
            "post",
            lambda w: {},
            True,
        )
    ],
}

# Apps keep their own cases next to their code (fewer merge conflicts here).
from handbook.discipline.tests import route_cases as _discipline  # noqa: E402

PAGES.update(_discipline.PAGES)
API.update(_discipline.API)


# Probation and badges (issue 6): their cases live with the apps.
from handbook.probation.tests.routes import route_cases as _probation_cases  # noqa: E402

for _pages, _apis in [_probation_cases(Case, page, api_op)]:
    PAGES.update(_pages)
    API.update(_apis)


def _page_names(patterns, namespace="") -> set[str]:
    names = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            names |= _page_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            names.add(f"{namespace}:{p.name}" if namespace else str(p.name))
    return names


def _api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_route_has_a_case():
    pages = {n for n in _page_names(get_resolver().url_patterns) if not n.startswith("api-1:")}
    pages |= {"api-1:openapi-json", "api-1:openapi-view", "api-1:api-root"}
    assert pages == set(PAGES), "add the new page route to PAGES (and remove deleted ones)"
    assert _api_operations() == set(API), "add the new API operation to API (and remove deleted ones)"


def _cases(table):
    return [pytest.param(key, i, id=f"{key}#{i}") for key, cases in table.items() for i in range(len(cases))]


def _run(client_for, w, persona, case: Case):
    client = client_for(persona)
    url = case.url(w)
    data = case.data(w)
    send = getattr(client, case.method)
    if case.json or case.method in ("patch", "delete"):
        return send(url, json.dumps(data) if data else None, content_type="application/json")
    return send(url, data) if case.method == "post" else send(url)


@pytest.mark.parametrize(("key", "index"), _cases(PAGES))
@pytest.mark.parametrize("who", PERSONAS)
def test_page(key, index, who, client_for, w):
    case = PAGES[key][index]
    response = _run(client_for, w, who, case)
    assert response.status_code == case.statuses[who], (key, who, response.status_code)
    if (
        who == "anonymous"
        and case.statuses[who] == 302
        and key.split(":")[0] in ("organizations", "members", "audit", "home")
    ):
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("key", "index"), _cases(API))
@pytest.mark.parametrize("who", PERSONAS)
def test_api(key, index, who, client_for, w):
    case = API[key][index]
    response = _run(client_for, w, who, case)
    assert response.status_code == case.statuses[who], (key, who, response.status_code, response.content[:300])
