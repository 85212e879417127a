"""Accounts, role grants and API tokens: every change audited in its transaction."""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
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
    entry = authcache.lookup(key_hash)
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
    versions = authcache.versions(key_hash)  # read before the database: see authcache
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
    token = (
        ApiToken.objects.select_related("user")
        .annotate(member_cell_path=F("user__member__organization__path"))  # for the scope, same query
        .filter(key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.password_stamp, _password_stamp(token.user)):
        return None
    return token.user, token


def _touch(token: ApiToken, now: datetime.datetime) -> bool:
    """Record when a token was last used, at most once per `HANDBOOK_API_TOKEN_TOUCH_SECONDS`: a busy
    client must not turn every request into a write. Returns whether it wrote."""
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() <= settings.HANDBOOK_API_TOKEN_TOUCH_SECONDS:
        return False
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return True
