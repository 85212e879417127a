from django.urls import include, path
from django.views.i18n import set_language

from handbook.api import api
from handbook.core import views as core_views

urlpatterns = [
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
    path("api/v1/", api.urls),
]
