from django.urls import include, path
from django.views.i18n import set_language

from handbook.api import api
from handbook.core import views as core_views

#: Meeting day's two hot API routes (handbook/meetings/hotpath.py). Django tries URL patterns in
#: order; behind the ~60 API routes listed before them, resolving one took ~0.1 ms a request.
HOT_API_ROUTES = ("meetings/<meeting_id>/check-in", "motions/<motion_id>/vote")


def _hot_first(urls):
    """The API's URL patterns with the hot routes first. No other API route matches their paths
    (test_hot_api_routes_first_shadow_nothing), so every URL resolves to the same view as before."""
    patterns, app_name, namespace = urls
    hot = [p for p in patterns if str(p.pattern) in HOT_API_ROUTES]
    return [*hot, *(p for p in patterns if p not in hot)], app_name, namespace


urlpatterns = [
    # The API first: its prefix is unique, and mobile clients' calls (meeting day's check-ins and
    # ballots above all) then skip trying every page pattern.
    path("api/v1/", _hot_first(api.urls)),
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sw.js", core_views.service_worker, name="service_worker"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("org/", include("handbook.organizations.urls")),
    path("members/", include("handbook.members.urls")),
    path("meetings/", include("handbook.meetings.urls")),
    path("documents/", include("handbook.documents.urls")),
    path("reports/", include("handbook.reports.urls")),
    path("audit/", include("handbook.audit.urls")),
    path("notifications/", include("handbook.notifications.urls")),
    path("rules/", include("handbook.rules.urls")),
    path("reviews/", include("handbook.reviews.urls")),
    path("probation/", include("handbook.probation.urls")),
    path("badges/", include("handbook.badges.urls")),
    path("transfers/", include("handbook.transfers.urls")),
    path("discipline/", include("handbook.discipline.urls")),
    path("admissions/", include("handbook.admissions.urls")),
]
