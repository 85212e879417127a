"""Regression tests for the security review of the foundation (2026-11-25)."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.utils import timezone

from handbook.accounts import services
from handbook.accounts.models import ApiToken, RoleGrant
from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.members import counts
from handbook.members import services as member_services
from handbook.organizations import services as org_services
from handbook.testing import PASSWORD


def token(client, username, password=PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password, **extra}, content_type="application/json"
    )


def test_the_administrator_role_is_granted_only_at_the_top(w):
    with pytest.raises(RuleViolation):
        services.role_grant(actor=w.users["admin"], user=w.users["leader"], organization=w.a1, role="admin")
    assert not RoleGrant.objects.filter(role="admin", organization=w.a1).exists()


def test_a_token_needs_the_second_factor_when_the_account_has_one(w):
    secret = generate_totp_secret()
    TOTP.activate(w.users["province"], secret)
    client = Client()
    refused = token(client, "province")
    assert refused.status_code == 401 and refused.json()["mfa_required"] is True
    assert token(client, "province", code="000000").status_code == 401
    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    assert token(client, "province", code=code).status_code == 200


def test_the_rate_limit_counts_an_account_however_its_phone_is_typed(w):
    client = Client()
    for i in range(5):
        assert token(client, "0912000001", password=f"wrong-{i}").status_code == 401
    assert token(client, "+84 912 000 001").status_code == 429
    web = client.post("/accounts/login/", {"login": "0912.000.001", "password": PASSWORD})
    assert web.status_code == 200
    assert [e.code for e in web.context["form"].errors.as_data()["__all__"]] == ["too_many_login_attempts"]


def test_a_token_dies_with_a_password_change_and_on_expiry(w):
    client = Client()
    secret = token(client, "commune").json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    user = w.users["commune"]
    user.set_password("another-password-1")
    user.save()
    assert client.get("/api/v1/me", **auth).status_code == 401
    fresh = token(client, "commune", password="another-password-1").json()["token"]
    ApiToken.objects.filter(prefix=fresh[:8]).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 401


def test_merging_a_cell_revokes_the_grants_held_on_it(w, client_for):
    grant = services.role_grant(actor=None, user=w.users["leader"], organization=w.a1b, role="cell_secretary")
    org_services.organization_merge(actor=w.users["commune"], source=w.a1b, target=w.a1a)
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == w.users["commune"]
    assert AuditEvent.objects.filter(event_type=EventType.ROLE_REVOKED, object_id=str(grant.pk)).exists()
    roles = client_for("leader").get("/api/v1/me").json()["roles"]
    assert [r["organization_id"] for r in roles] == [w.a.pk]


def test_dissolving_a_node_revokes_its_grants(w):
    empty = org_services.organization_create(actor=None, name="Chi bộ trống", type=w.a1a.type, parent=w.a1)
    grant = services.role_grant(actor=None, user=w.users["leader"], organization=empty, role="cell_secretary")
    org_services.organization_dissolve(actor=None, organization=empty)
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_creating_a_member_with_a_stale_cell_uses_the_current_cell(w):
    stale = w.a2a  # loaded before the move below
    org_services.organization_move(actor=None, organization=w.a2, new_parent=w.b)
    member_services.member_create(
        actor=None,
        organization=stale,
        full_name="Mới Văn Exempt",
        sex="M",
        date_of_birth=datetime.date(1970, 1, 1),
        cccd="037070123456",
        status="exempt",
    )
    assert counts.subtree_member_count(w.b) == 7 and counts.subtree_member_count(w.a) == 6


def test_creating_a_member_in_a_cell_merged_meanwhile_is_refused(w):
    stale = w.a1b
    org_services.organization_merge(actor=None, source=w.a1b, target=w.a1a)
    with pytest.raises(RuleViolation) as err:
        member_services.member_create(
            actor=None,
            organization=stale,
            full_name="Mới Văn B",
            sex="M",
            date_of_birth=datetime.date(1970, 1, 1),
            cccd="037070123457",
        )
    assert err.value.code == "archived"


def test_a_citizen_id_with_non_ascii_digits_is_refused_as_malformed(w):
    with pytest.raises(RuleViolation) as err:
        member_services.member_create(
            actor=None,
            organization=w.a1a,
            full_name="Mới Văn C",
            sex="M",
            date_of_birth=datetime.date(1970, 1, 1),
            cccd="٠٣٧٠٧٠١٢٣٤٥٦",
        )
    assert err.value.code == "invalid" and err.value.field == "cccd"


def test_a_member_gets_no_statistics_of_their_cell_through_the_api(client_for, w):
    assert client_for("member").get(f"/api/v1/organizations/{w.a1a.pk}/counts").status_code == 404
    assert client_for("secretary").get(f"/api/v1/organizations/{w.a1a.pk}/counts").status_code == 200


def test_the_sensitive_data_permission_is_given_only_by_someone_who_holds_it(client_for, w):
    province = client_for("province").post(
        f"/org/{w.a1a.pk}/roles/", {"username": "leader", "role": "leader", "sensitive_data": "on"}
    )
    assert province.status_code == 302
    assert not RoleGrant.objects.filter(user__username="leader", organization=w.a1a).exists()
    client_for("commune").post(
        f"/org/{w.a1a.pk}/roles/", {"username": "leader", "role": "leader", "sensitive_data": "on"}
    )
    assert RoleGrant.objects.get(user__username="leader", organization=w.a1a).sensitive_data is True
    response = client_for("province").post(
        "/api/v1/roles",
        {"username": "outsider", "organization_id": w.a1.pk, "role": "leader", "sensitive_data": True},
        content_type="application/json",
    )
    assert response.status_code == 403
