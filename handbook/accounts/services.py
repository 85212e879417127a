"""Accounts, role grants and API tokens: every change audited in its transaction."""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.db import hot_cursor
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.organizations.models import Organization

from .backends import normalize_phone
from .models import ApiToken, Role, RoleGrant, User


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str = "",
    phone: str = "",
    full_name: str = "",
    member: Member | None = None,
) -> User:
    username = (username or "").strip()
    if not username:
        raise RuleViolation(_("Enter a username."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise RuleViolation(_("This username is taken."), code="duplicate", field="username")
    phone_norm = normalize_phone(phone) if phone else None
    if phone_norm and User.objects.filter(phone=phone_norm).exists():
        raise RuleViolation(_("This phone number is used by another account."), code="duplicate", field="phone")
    if member is not None and User.objects.filter(member=member).exists():
        raise RuleViolation(_("This member already has an account."), code="duplicate", field="member")
    user = User(username=username, email=email, phone=phone_norm, member=member, first_name=full_name[:150])
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        event_type=EventType.USER_CREATED,
        obj=user,
        after={"username": username, "email": email, "phone": phone_norm, "member_id": member.pk if member else None},
    )
    return user


@transaction.atomic
def role_grant(
    *, actor: Any, user: User, organization: Organization, role: str, sensitive_data: bool = False
) -> RoleGrant:
    if role not in Role.values:
        raise RuleViolation(_("Choose a valid role."), field="role")
    if role == Role.ADMIN and organization.parent_id is not None:
        raise RuleViolation(
            _("The system administrator role is granted on the top of the tree only."), field="organization"
        )
    if not user.is_active:
        raise RuleViolation(_("This account is disabled."), code="inactive", field="user")
    if role == Role.CELL_SECRETARY and not organization.type.holds_members:
        raise RuleViolation(_("A cell secretary is appointed to a cell."), code="not_a_cell", field="organization")
    if not organization.is_active:
        raise RuleViolation(_("“%(name)s” is archived.") % {"name": organization.name}, code="archived")
    if RoleGrant.objects.filter(user=user, organization=organization, role=role, revoked_at__isnull=True).exists():
        raise RuleViolation(_("This person already holds that role there."), code="duplicate")
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(
                user=user,
                organization=organization,
                role=role,
                sensitive_data=sensitive_data,
                granted_at=timezone.now(),
                granted_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:  # the same grant made concurrently
        raise RuleViolation(_("This person already holds that role there."), code="duplicate") from exc
    audit_record(
        actor=actor,
        event_type=EventType.ROLE_GRANTED,
        obj=grant,
        after={
            "user": user.username,
            "organization_id": organization.pk,
            "role": role,
            "sensitive_data": sensitive_data,
        },
    )
    return grant


@transaction.atomic
def role_revoke(*, actor: Any, grant: RoleGrant) -> RoleGrant:
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise RuleViolation(_("This role was already revoked."), code="revoked")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        event_type=EventType.ROLE_REVOKED,
        obj=grant,
        before={"user": grant.user.username, "organization_id": grant.organization_id, "role": grant.role},
        after={"revoked_at": grant.revoked_at},
    )
    return grant


def role_grants_release(*, actor: Any, organization: Organization) -> int:
    """Revoke (audited) every active grant on a node that is being archived, in its transaction."""
    grants = list(RoleGrant.objects.filter(organization=organization, revoked_at__isnull=True))
    for grant in grants:
        role_revoke(actor=actor, grant=grant)
    return len(grants)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _password_stamp(user: User) -> str:
    return _hash(f"handbook-token:{user.password}")


def mfa_required(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN).exists()


def mfa_code_valid(user: User, code: str) -> bool:
    """A current TOTP code (each used once) or an unused recovery code, checked by allauth."""
    from allauth.mfa.models import Authenticator

    if not code:
        return False
    for authenticator in Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN):
        if authenticator.wrap().validate_code(code):
            return True
    return False


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is shown once and never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:8],
        name=name[:100],
        password_stamp=_password_stamp(user),
        expires_at=timezone.now() + datetime.timedelta(days=settings.HANDBOOK_API_TOKEN_DAYS),
    )
    audit_record(actor=actor, event_type=EventType.API_TOKEN_CREATED, obj=token, after={"prefix": token.prefix})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, event_type=EventType.API_TOKEN_REVOKED, obj=token, after={"prefix": token.prefix})
    return token


def api_token_authenticate(key: str) -> tuple[User, ApiToken] | None:
    """The user and token of a bearer key, or None when it is unknown, revoked, expired, its user
    is disabled or changed their password. With the auth cache on (`authcache`), a known token
    costs no query: only its expiry is checked against the clock."""
    from handbook.core import access

    from . import authcache

    now = timezone.now()
    key_hash = _hash(key or "")
    if not authcache.enabled():
        found = _token_from_db(key_hash, now)
        if found is not None:
            _touch(found[1], now)
        return found
    entry, versions = authcache.lookup(key_hash)
    if entry is not None:
        if entry["token"]["expires_at"] <= now:
            return None
        user = authcache.rebuild(User, entry["user"])
        token = authcache.rebuild(ApiToken, entry["token"])
        user._handbook_scope = entry["scope"]
        token.user = user
        if _touch(token, now):
            entry["token"]["last_used_at"] = now
            authcache.store(key_hash, entry, now)
        return user, token
    # `versions` were read before the database (by the look-up that missed): see authcache.
    found = _token_from_db(key_hash, now)
    if found is None:
        return None
    user, token = found
    _touch(token, now)
    entry = {
        "versions": versions,
        "user": authcache.user_fields(user),
        "token": {
            "id": token.pk,
            "user_id": token.user_id,
            "prefix": token.prefix,
            "name": token.name,
            "expires_at": token.expires_at,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "revoked_at": None,
        },
        "scope": access.scope_for(user, member_cell_path=token.member_cell_path),
    }
    authcache.store(key_hash, entry, now)
    return user, token


def _token_from_db(key_hash: str, now: datetime.datetime) -> tuple[User, ApiToken] | None:
    """The token, its user, the user's member's cell path and active role grants, in one raw
    statement (one row per grant): a bearer token's first request on meeting day must be cheap.
    The user's scope is resolved from them at once (`access.scope_for(..., grants=...)`). On
    PostgreSQL the same statement records the token's use when `_touch` would (see `_token_rows`)."""
    from handbook.core import access

    rows = _token_rows(key_hash, now)
    if not rows:
        return None
    first = rows[0]
    token_fields, user_fields = _TOKEN_COLUMNS[0], _TOKEN_COLUMNS[1]
    n_token, n_user = len(token_fields), len(user_fields)
    token = _from_row(ApiToken, token_fields, first[:n_token])
    user = _from_row(User, user_fields, first[n_token : n_token + n_user])
    if not secrets.compare_digest(token.password_stamp, _password_stamp(user)):
        return None
    if first[-1]:  # touched by the statement itself
        token.last_used_at = now
    token.user = user
    cell_path = first[n_token + n_user]
    token.member_cell_path = cell_path
    grants = [(r[-4], r[-3], bool(r[-2])) for r in rows if r[-4] is not None]
    access.scope_for(user, member_cell_path=cell_path if user.member_id else None, grants=grants)
    return user, token


_TOKEN_COLUMNS: tuple = ()


def _token_rows(key_hash: str, now: datetime.datetime) -> list[tuple]:
    """The rows of `_token_from_db`, each ending with whether the statement recorded the token's use.

    On PostgreSQL a data-modifying CTE writes `last_used_at` in the same statement when `_touch`
    would (never used, or not within HANDBOOK_API_TOKEN_TOUCH_SECONDS) and the token is alive:
    the checks of the read, and the password stamp `_password_stamp` computes, in SQL. That saves
    the first request of every token a round trip and a transaction of its own. SQLite has no
    data-modifying CTEs: there `_touch` writes it."""
    global _TOKEN_COLUMNS
    from django.db import connection

    if not _TOKEN_COLUMNS:
        _TOKEN_COLUMNS = (list(ApiToken._meta.concrete_fields), list(User._meta.concrete_fields))
    q = connection.ops.quote_name
    token_fields, user_fields = _TOKEN_COLUMNS
    columns = [f"t.{q(f.column)}" for f in token_fields] + [f"u.{q(f.column)}" for f in user_fields]
    grant, org, member = RoleGrant._meta.db_table, Organization._meta.db_table, Member._meta.db_table
    tables = (
        f"FROM {ApiToken._meta.db_table} t JOIN {q(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {member} mb ON mb.id = u.member_id LEFT JOIN {org} c ON c.id = mb.organization_id "
        f"LEFT JOIN (SELECT g.user_id, g.role, go.path, g.sensitive_data FROM {grant} g "
        f"JOIN {org} go ON go.id = g.organization_id WHERE g.revoked_at IS NULL AND go.status = %s) gr "
        f"ON gr.user_id = u.id "
    )
    alive = "t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active = %s"
    prep = ApiToken._meta.get_field("expires_at").get_db_prep_value
    params = [Organization.Status.ACTIVE, key_hash, prep(now, connection), True]
    if connection.vendor != "postgresql":
        sql = f"SELECT {', '.join(columns)}, c.path, gr.role, gr.path, gr.sensitive_data, 0 {tables}WHERE {alive}"
        with hot_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    stale = now - datetime.timedelta(seconds=settings.HANDBOOK_API_TOKEN_TOUCH_SECONDS)
    sql = (
        f"WITH touched AS (UPDATE {ApiToken._meta.db_table} w SET last_used_at = %s "
        f"FROM {ApiToken._meta.db_table} t JOIN {q(User._meta.db_table)} u ON u.id = t.user_id "
        # The token's own conditions on `w`, the row updated: if it waits for a concurrent revocation,
        # PostgreSQL re-checks them on the committed row (those on `t` and `u` keep the snapshot's).
        f"WHERE w.id = t.id AND {alive} AND w.revoked_at IS NULL AND w.expires_at > %s "
        f"AND (w.last_used_at IS NULL OR w.last_used_at < %s) "
        # _password_stamp(user), as the read below checks it: a token outlived by a password change
        f"AND t.password_stamp = encode(sha256(convert_to('handbook-token:' || u.password, 'UTF8')), 'hex') "
        f"RETURNING w.id) "
        f"SELECT {', '.join(columns)}, c.path, gr.role, gr.path, gr.sensitive_data, "
        f"(SELECT count(*) FROM touched) {tables}WHERE {alive}"
    )
    touch_params = [prep(now, connection), *params[1:], prep(now, connection), prep(stale, connection)]
    with hot_cursor() as cursor:
        cursor.execute(sql, [*touch_params, *params])
        return cursor.fetchall()


_CONVERTERS: dict = {}  # (vendor, model) -> [(converters, col)] per field, as the ORM would apply them


def _from_row(model, fields: list, values) -> Any:
    """A model instance from raw column values, converted as the ORM converts them."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    plan = _CONVERTERS.get((connection.vendor, model))
    if plan is None:
        plan = []
        for field in fields:
            col = field.get_col(model._meta.db_table)
            plan.append((connection.ops.get_db_converters(col) + field.get_db_converters(connection), col))
        _CONVERTERS[(connection.vendor, model)] = plan
    converted = []
    for (converters, col), value in zip(plan, values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def _touch(token: ApiToken, now: datetime.datetime) -> bool:
    """Record when a token was last used, at most once per `HANDBOOK_API_TOKEN_TOUCH_SECONDS`: a busy
    client must not turn every request into a write. Returns whether it wrote."""
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() <= settings.HANDBOOK_API_TOKEN_TOUCH_SECONDS:
        return False
    from django.db import connection

    with hot_cursor() as cursor:  # one raw UPDATE: the first request of every token makes it
        cursor.execute(
            f"UPDATE {ApiToken._meta.db_table} SET last_used_at = %s WHERE id = %s",
            [ApiToken._meta.get_field("last_used_at").get_db_prep_value(now, connection), token.pk],
        )
    token.last_used_at = now
    return True
