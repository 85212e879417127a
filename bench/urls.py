"""Handbook's routes plus the baselines measured in the same run: a bare JSON view and a JSON view
doing one indexed query. They exist only in the benchmark profile."""

from django.http import JsonResponse
from django.urls import include, path

from handbook.organizations.models import Organization


def hello(request):
    return JsonResponse({"hello": "world"})


def one_query(request):
    row = Organization.objects.filter(pk=int(request.GET.get("id", 1))).values("id", "name").first()
    return JsonResponse(row or {})


urlpatterns = [
    path("bench/hello", hello),
    path("bench/one-query", one_query),
    path("", include("handbook.urls")),
]
