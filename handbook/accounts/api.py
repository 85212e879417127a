"""API: token login and revocation, the caller's own profile, and role grants."""

from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from handbook.core import access

from . import services
from .models import Role, RoleGrant, User
from .schemas import MeOut, RoleIn, RoleOut, TokenIn, TokenOut


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = services.api_token_authenticate(token)
        if found is None:
            return None
        request.user, request.api_token = found
        return request.user


def ApiAuth():  # noqa: N802 - reads as a class where the API is configured
    return [BearerAuth(), django_auth]


router = Router(tags=["accounts"])


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: dict, 429: dict})
def token_create(request, data: TokenIn):
    """Exchange a username (or email, or phone) and password, plus the authenticator code when the
    account uses two-factor authentication, for a bearer token. Failed attempts share the web
    login's rate limit (per account and per IP)."""
    login = data.username.strip()
    credentials = {"username": login, "password": data.password}
    if "@" in login:
        credentials["email"] = login
    try:
        user = get_adapter(request).authenticate(request, **credentials)
    except ValidationError:
        return Status(429, {"detail": _("Too many failed attempts. Try again in a few minutes.")})
    if user is None:
        return Status(401, {"detail": _("The username or password is not correct.")})
    if services.mfa_required(user) and not services.mfa_code_valid(user, data.code):
        return Status(
            401,
            {
                "detail": _("This account uses two-factor authentication: send the code from your app as “code”."),
                "mfa_required": True,
            },
        )
    _token, secret = services.api_token_create(actor=user, user=user, name=data.name)
    return Status(200, {"token": secret, "prefix": _token.prefix, "expires_at": _token.expires_at})


@router.delete("/auth/token", response={204: None, 400: dict})
def token_revoke(request):
    """Revoke the bearer token this request was made with."""
    token = getattr(request, "api_token", None)
    if token is None:
        return Status(400, {"detail": _("This request was not made with a token.")})
    services.api_token_revoke(actor=request.user, token=token)
    return Status(204, None)


def _role_out(grant: RoleGrant) -> dict:
    return {
        "id": grant.pk,
        "user": grant.user.username,
        "organization_id": grant.organization_id,
        "organization": grant.organization.name,
        "role": grant.role,
        "sensitive_data": grant.sensitive_data,
        "granted_at": grant.granted_at,
    }


@router.get("/me", response=MeOut)
def me(request):
    """The caller: their member record summary (if linked) and their active roles."""
    user = request.user
    member = None
    if user.member_id:
        m = access.members(user).select_related("organization").get(pk=user.member_id)
        member = {
            "id": m.pk,
            "full_name": m.full_name,
            "status": m.status,
            "organization_id": m.organization_id,
            "organization": m.organization.name,
        }
    grants = RoleGrant.objects.filter(user=user, revoked_at__isnull=True, organization__status="active").select_related(
        "organization", "user"
    )
    return {
        "username": user.username,
        "name": user.get_full_name() or user.first_name,
        "member": member,
        "roles": [_role_out(g) for g in grants],
    }


@router.get("/roles", response=list[RoleOut])
def role_list(request, organization_id: int | None = None):
    """Active role grants in the caller's scope, optionally on one organisation."""
    qs = access.role_grants(request.user).filter(revoked_at__isnull=True).select_related("user", "organization")
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return [_role_out(g) for g in qs.order_by("organization__path", "role")[:500]]


@router.post("/roles", response={201: RoleOut})
def role_create(request, data: RoleIn):
    """Grant a role on an organisation in the caller's scope (only administrators grant `admin`)."""
    org = access.get_or_404(access.organizations(request.user), pk=data.organization_id)
    if not access.covers(request.user, access.ROLE_CHANGE, org.path):
        raise HttpError(403, _("You cannot grant roles in this organisation."))
    if data.role == Role.ADMIN and not access.scope_for(request.user).is_admin:
        raise HttpError(403, _("Only a system administrator can grant that role."))
    user = User.objects.filter(username=data.username).first()
    if user is None:
        raise HttpError(400, _("No account has that username."))
    if data.sensitive_data and not access.covers(request.user, access.MEMBER_SENSITIVE, org.path):
        raise HttpError(403, _("You cannot give a permission you do not hold yourself."))
    grant = services.role_grant(
        actor=request.user, user=user, organization=org, role=data.role, sensitive_data=data.sensitive_data
    )
    return Status(201, _role_out(grant))


@router.delete("/roles/{grant_id}", response={204: None})
def role_delete(request, grant_id: int):
    """Revoke a role grant in the caller's scope."""
    grant = access.get_or_404(access.role_grants(request.user, access.ROLE_CHANGE), pk=grant_id)
    if grant.role == Role.ADMIN and not access.scope_for(request.user).is_admin:
        raise HttpError(403, _("Only a system administrator can revoke that role."))
    services.role_revoke(actor=request.user, grant=grant)
    return Status(204, None)
