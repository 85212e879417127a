"""A bearer token's first request reads token, user, member's cell and role grants in one raw
statement (meeting day); the user, token and scope it builds equal the ORM's."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from handbook.accounts import authcache, services
from handbook.accounts.models import ApiToken, RoleGrant, User
from handbook.core import access
from handbook.organizations.models import Organization


def _orm_scope(user: User) -> access.Scope:
    return access.scope_for(User.objects.get(pk=user.pk))


def test_the_one_statement_token_read_builds_the_same_user_token_and_scope(w, django_assert_num_queries):
    # An inactive organisation's grant and a revoked grant count for nothing, as in scope_for.
    RoleGrant.objects.create(
        user=w.users["province"],
        organization=w.b,
        role="committee_staff",
        granted_at=timezone.now(),
        revoked_at=timezone.now(),
    )
    RoleGrant.objects.create(
        user=w.users["province"], organization=w.a2, role="committee_staff", granted_at=timezone.now()
    )
    Organization.objects.filter(pk=w.a2.pk).update(status=Organization.Status.ARCHIVED)
    for persona in ("member", "secretary", "commune", "province", "leader", "outsider", "admin"):
        user = w.users[persona]
        token, _key = services.api_token_create(actor=None, user=user)
        with django_assert_num_queries(1):
            found = services._token_from_db(token.key_hash, timezone.now())
        assert found is not None, persona
        got_user, got_token = found
        assert got_token.pk == token.pk and got_token.expires_at == token.expires_at
        assert authcache.user_fields(got_user) == authcache.user_fields(User.objects.get(pk=user.pk))
        assert got_user._handbook_scope == _orm_scope(user), persona


def test_the_token_read_refuses_revoked_expired_disabled_and_stale_password(w):
    user = w.users["member"]
    now = timezone.now()
    refused = []
    for change in ("revoked", "expired", "inactive", "password"):
        token, _key = services.api_token_create(actor=None, user=user)
        if change == "revoked":
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
        elif change == "expired":
            ApiToken.objects.filter(pk=token.pk).update(expires_at=now - datetime.timedelta(seconds=1))
        elif change == "inactive":
            User.objects.filter(pk=user.pk).update(is_active=False)
        else:
            User.objects.filter(pk=user.pk).update(is_active=True, password="changed")
        refused.append(services._token_from_db(token.key_hash, now) is None)
    assert refused == [True, True, True, True]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a data-modifying CTE needs PostgreSQL")
def test_on_postgresql_the_token_read_records_the_use_in_the_same_statement(w, settings, django_assert_num_queries):
    settings.HANDBOOK_API_TOKEN_TOUCH_SECONDS = 300
    user = w.users["member"]
    token, _key = services.api_token_create(actor=None, user=user)
    now = timezone.now()
    with django_assert_num_queries(1):
        _user, found = services._token_from_db(token.key_hash, now)
        assert services._touch(found, now) is False  # nothing left to write
    assert found.last_used_at == now == ApiToken.objects.get(pk=token.pk).last_used_at
    later = now + datetime.timedelta(seconds=60)  # within the period: no write
    services._token_from_db(token.key_hash, later)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now
    much_later = now + datetime.timedelta(seconds=301)
    services._token_from_db(token.key_hash, much_later)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == much_later
    # A token outlived by a password change, a revoked or an expired one is refused and not touched.
    dead = {}
    for change in ("password", "revoked", "expired", "inactive"):
        stale, _key = services.api_token_create(actor=None, user=user)
        if change == "password":
            User.objects.filter(pk=user.pk).update(password="changed")
        elif change == "inactive":
            User.objects.filter(pk=user.pk).update(is_active=False)
        elif change == "revoked":
            ApiToken.objects.filter(pk=stale.pk).update(revoked_at=now)
        else:
            ApiToken.objects.filter(pk=stale.pk).update(expires_at=now - datetime.timedelta(seconds=1))
        dead[change] = (services._token_from_db(stale.key_hash, now), ApiToken.objects.get(pk=stale.pk).last_used_at)
    assert dead == {
        "password": (None, None),
        "revoked": (None, None),
        "expired": (None, None),
        "inactive": (None, None),
    }
