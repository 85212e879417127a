import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from handbook.accounts import services
from handbook.accounts.models import ApiToken, RoleGrant
from handbook.audit.models import AuditEvent, EventType
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.testing import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("login", ["member", "member@example.org", "0912000001", "+84 912 000 001"])
def test_a_member_signs_in_with_username_email_or_phone(w, login):
    client = Client()
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert client.get("/").context["user"].username == "member"


def test_a_wrong_password_is_refused_with_a_message(w):
    response = Client().post("/accounts/login/", {"login": "member", "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_login_is_throttled_after_repeated_failures(w):
    client = Client()
    for i in range(5):
        client.post("/accounts/login/", {"login": "member", "password": f"wrong-{i}"})
    # Now even the right password is refused, with a message saying why.
    response = client.post("/accounts/login/", {"login": "member", "password": PASSWORD})
    assert response.status_code == 200
    assert "too_many_login_attempts" in response.context["form"].errors.as_data()["__all__"][0].code
    assert client.get("/").status_code == 302


def test_the_production_profile_hashes_with_argon2_and_passes_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "handbook.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-test-key-" + "y" * 20,
        "ALLOWED_HOSTS": "handbook.example.org",
        "HANDBOOK_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    hashers = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.PASSWORD_HASHERS[0], settings.DEBUG)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert hashers.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "False"]


def test_the_production_profile_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "handbook.settings.production", "HANDBOOK_DATA_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_api_token_login_use_and_revocation(w):
    client = Client()
    response = client.post(
        "/api/v1/auth/token", {"username": "0912000001", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=token).exists()  # only a hash is stored
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    me = client.get("/api/v1/me", **auth)
    assert me.status_code == 200 and me.json()["member"]["full_name"] == "Nguyễn Văn Ánh"
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    assert client.get("/api/v1/me", **auth).status_code == 401
    assert AuditEvent.objects.filter(event_type=EventType.API_TOKEN_REVOKED).exists()


def test_api_token_login_refuses_bad_credentials_then_throttles(w):
    client = Client()
    codes = [
        client.post(
            "/api/v1/auth/token", {"username": "member", "password": "nope"}, content_type="application/json"
        ).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [401] * 5 and codes[-1] == 429


def test_an_invalid_bearer_token_is_refused(w):
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_granting_and_revoking_roles_is_audited_and_changes_scope(w):
    province = w.users["province"]
    leader = w.users["leader"]
    assert not access.covers(leader, access.ORG_CHANGE, w.a1.path)
    grant = services.role_grant(actor=province, user=leader, organization=w.a1, role="committee_staff")
    access.forget_scope(leader)
    assert access.covers(leader, access.ORG_CHANGE, w.a1.path)
    services.role_revoke(actor=province, grant=grant)
    access.forget_scope(leader)
    assert not access.covers(leader, access.ORG_CHANGE, w.a1.path)
    kinds = list(
        AuditEvent.objects.filter(object_type="accounts.rolegrant", object_id=str(grant.pk)).values_list(
            "event_type", flat=True
        )
    )
    assert sorted(kinds) == [EventType.ROLE_GRANTED, EventType.ROLE_REVOKED]


def test_a_cell_secretary_is_appointed_only_to_a_cell(w):
    with pytest.raises(RuleViolation):
        services.role_grant(actor=None, user=w.users["leader"], organization=w.a1, role="cell_secretary")


def test_committee_staff_cannot_grant_the_administrator_role(client_for, w):
    response = client_for("province").post(
        "/api/v1/roles",
        {"username": "leader", "organization_id": w.a1.pk, "role": "admin"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not RoleGrant.objects.filter(role="admin", user__username="leader").exists()


def test_officials_grant_roles_from_the_organisation_page(client_for, w):
    response = client_for("commune").post(f"/org/{w.a1a.pk}/roles/", {"username": "leader", "role": "leader"})
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user__username="leader", organization=w.a1a, revoked_at__isnull=True).exists()


def test_a_revoked_grant_gives_no_access(client_for, w):
    grant = RoleGrant.objects.get(user__username="commune")
    services.role_revoke(actor=None, grant=grant)
    assert client_for("commune").get(f"/org/{w.a1.pk}/").status_code == 404
