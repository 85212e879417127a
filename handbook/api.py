"""API v1: every app's router under /api/v1/, with bearer-token (or session) authentication."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError

from handbook.core.errors import RuleViolation

from .accounts.api import ApiAuth
from .accounts.api import router as accounts_router
from .admissions.api import router as admissions_router
from .badges.api import router as badges_router
from .discipline.api import router as discipline_router
from .documents.api import feedback_router
from .documents.api import router as documents_router
from .meetings.api import comments_router, motions_router
from .meetings.api import router as meetings_router
from .meetings.api_extras import rates_router  # also adds the documents and guests routes
from .members.api import imports_router, requests_router
from .members.api import router as members_router
from .notifications.api import router as notifications_router
from .organizations.api import router as organizations_router
from .probation.api import router as probation_router
from .reports.api import router as reports_router
from .reviews.api import router as reviews_router
from .rules.api import router as rules_router
from .transfers.api import router as transfers_router

api = NinjaAPI(
    title="Handbook API",
    version="1",
    description="Organisation tree, members and roles. Authenticate with `POST /api/v1/auth/token`, then send "
    "`Authorization: Bearer <token>`. Objects outside your scope answer 404.",
    auth=ApiAuth(),
    urls_namespace="api-1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", accounts_router)
api.add_router("/organizations", organizations_router)
api.add_router("/members", members_router)
api.add_router("/change-requests", requests_router)
api.add_router("/imports", imports_router)
api.add_router("/meetings", meetings_router)
api.add_router("/motions", motions_router)
api.add_router("/comments", comments_router)
api.add_router("/documents", documents_router)
api.add_router("/feedback", feedback_router)
api.add_router("/notifications", notifications_router)
api.add_router("/attendance", rates_router)
api.add_router("/reports", reports_router)
api.add_router("/rules", rules_router)
api.add_router("/reviews", reviews_router)
api.add_router("/probation", probation_router)
api.add_router("/badges", badges_router)
api.add_router("/transfers", transfers_router)
api.add_router("/discipline", discipline_router)
api.add_router("/admissions", admissions_router)


@api.exception_handler(RuleViolation)
def rule_violation(request, exc: RuleViolation):
    return api.create_response(
        request,
        {
            "detail": str(exc.message),
            "code": exc.code,
            "field": exc.field,
            "errors": {k: str(v) for k, v in exc.errors.items()},
        },
        status=400,
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 404:
        message = _("Not found.")
    return api.create_response(request, {"detail": message}, status=exc.status_code)
