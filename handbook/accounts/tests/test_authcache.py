"""The bearer-token cache (handbook.accounts.authcache): a cached token is as dead as an uncached
one the moment it is revoked, expires, or its user changes password, is disabled, gets or loses a
role, or moves; and the cache holds no secret."""

import datetime
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handbook.accounts import authcache, services
from handbook.accounts.models import ApiToken
from handbook.members import services as member_services
from handbook.organizations import services as org_services
from handbook.testing import PASSWORD


@pytest.fixture(autouse=True)
def _cache_on(settings):
    """The cache is off by default (settings: HANDBOOK_AUTH_CACHE_SECONDS); these tests turn it on."""
    settings.HANDBOOK_AUTH_CACHE_SECONDS = 60


def bearer(w, persona: str) -> tuple[Client, str]:
    _token, key = services.api_token_create(actor=None, user=w.users[persona])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me").status_code == 200  # now cached
    return client, key


def test_a_cached_token_costs_no_query_and_the_cache_holds_no_secret(w):
    client, key = bearer(w, "member")
    with CaptureQueriesContext(connection) as queries:
        assert services.api_token_authenticate(key)[0] == w.users["member"]
    assert len(queries) == 0
    entry = cache.get(authcache._entry_key(services._hash(key)))
    assert entry is not None and entry["scope"].member_id == w.own_member.pk
    assert "password" not in entry["user"] and key not in repr(entry)
    assert w.users["member"].password not in repr(entry)
    # The user rebuilt from the cache cannot blank the password hash: it is deferred, not empty.
    user, _token = services.api_token_authenticate(key)
    user.first_name = "Ánh"
    user.save()
    w.users["member"].refresh_from_db()
    assert w.users["member"].check_password(PASSWORD)


def test_a_revoked_token_is_refused_at_once_even_when_cached(w):
    client, key = bearer(w, "member")
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    other, other_key = bearer(w, "secretary")
    services.api_token_revoke(actor=None, token=ApiToken.objects.get(prefix=other_key[:8]))
    assert other.get("/api/v1/me").status_code == 401


def test_a_password_change_or_a_disabled_account_kills_a_cached_token_at_once(w):
    client, _key = bearer(w, "commune")
    user = w.users["commune"]
    user.set_password("another-password-1")
    user.save()
    assert client.get("/api/v1/me").status_code == 401
    client, _key = bearer(w, "leader")
    user = w.users["leader"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


def test_an_expired_token_is_refused_even_when_cached(w):
    client, key = bearer(w, "member")
    token = ApiToken.objects.get(prefix=key[:8])
    later = token.expires_at + datetime.timedelta(seconds=1)
    with mock.patch("handbook.accounts.services.timezone.now", return_value=later):
        assert services.api_token_authenticate(key) is None
        assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200  # still valid now


def test_role_grants_and_revocations_reach_a_cached_scope_at_once(w):
    client, _key = bearer(w, "member")
    url = f"/api/v1/organizations/{w.a1.pk}"
    assert client.get(url).status_code == 404
    grant = services.role_grant(actor=None, user=w.users["member"], organization=w.a1, role="leader")
    assert client.get(url).status_code == 200
    services.role_revoke(actor=None, grant=grant)
    assert client.get(url).status_code == 404


def test_a_member_moved_by_a_bulk_update_sees_their_new_cell_at_once(w):
    client, _key = bearer(w, "member")
    url = f"/api/v1/meetings/{w.meeting.pk}"
    assert client.get(url).status_code == 200
    member_services.member_move(actor=None, member=w.own_member, organization=w.a1b)  # a queryset update
    assert client.get(url).status_code == 404


def test_a_restructured_tree_reaches_cached_scopes_at_once(w):
    """Moving a node rewrites the paths of its whole subtree (treebeard, a bulk update): the cached
    scopes holding the old paths must go, for those who hold a role there and for its members."""
    staff, _key = bearer(w, "commune")  # committee staff of A1
    member, _key = bearer(w, "member")  # in cell A1a, under A1
    assert staff.get(f"/api/v1/organizations/{w.a1a.pk}").status_code == 200
    assert member.get(f"/api/v1/meetings/{w.meeting.pk}").status_code == 200
    org_services.organization_move(actor=None, organization=w.a1, new_parent=w.b)
    assert staff.get(f"/api/v1/organizations/{w.a1a.pk}").status_code == 200
    assert member.get(f"/api/v1/meetings/{w.meeting.pk}").status_code == 200


def test_an_entry_read_before_a_change_committed_is_never_trusted_after_it(w, django_capture_on_commit_callbacks):
    """A request that read the database while a revocation was not yet committed (so it still saw
    the token as valid) must not leave that state in the cache: the versions change again at commit."""
    _client, key = bearer(w, "member")
    key_hash = services._hash(key)
    stale = cache.get(authcache._entry_key(key_hash))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.api_token_revoke(actor=None, token=ApiToken.objects.get(prefix=key[:8]))
        read_during = authcache.versions(key_hash)  # a concurrent request, before the commit
    assert callbacks
    authcache.store(key_hash, {**stale, "versions": read_during}, timezone.now())
    assert authcache.lookup(key_hash)[0] is None
    assert services.api_token_authenticate(key) is None


def test_last_use_is_written_at_most_once_per_period(w, settings):
    settings.HANDBOOK_API_TOKEN_TOUCH_SECONDS = 300
    client, key = bearer(w, "member")
    first = ApiToken.objects.get(prefix=key[:8]).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            client.get("/api/v1/me")
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    assert ApiToken.objects.get(prefix=key[:8]).last_used_at == first


def test_without_the_cache_every_request_reads_the_database(w, settings):
    settings.HANDBOOK_AUTH_CACHE_SECONDS = 0
    client, key = bearer(w, "member")
    with CaptureQueriesContext(connection) as queries:
        assert services.api_token_authenticate(key) is not None
    assert len(queries) == 1
    services.api_token_revoke(actor=None, token=ApiToken.objects.get(prefix=key[:8]))
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(("redis_url", "seconds"), [("", "0"), ("redis://127.0.0.1:6379/0", "60")])
def test_production_turns_the_cache_off_without_a_shared_cache(redis_url, seconds, tmp_path):
    """Local memory is per process: one worker could not tell the others that a token was revoked."""
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 60,
        "REDIS_URL": redis_url,
        "HANDBOOK_DATA_DIR": str(tmp_path),
        "HANDBOOK_AUTH_CACHE_SECONDS": "60",
    }
    code = "import handbook.settings.production as s; print(s.HANDBOOK_AUTH_CACHE_SECONDS)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == seconds


def test_the_redis_backend_reuses_one_client_per_pool():
    from handbook.core.cache import RedisCache

    backend = RedisCache("redis://127.0.0.1:1/0", {})  # no connection is made to build a client
    assert backend._cache.get_client() is backend._cache.get_client()
    assert backend._cache.get_client(write=True) is backend._cache.get_client(write=True)


def test_a_bulk_change_of_many_members_drops_every_entry(w, monkeypatch):
    client, _key = bearer(w, "member")
    url = f"/api/v1/meetings/{w.meeting.pk}"
    monkeypatch.setattr(authcache, "BULK", 0)  # the member's own move now counts as a bulk change
    member_services.member_move(actor=None, member=w.own_member, organization=w.a1b)
    assert client.get(url).status_code == 404
