"""Home page (my record, my cell, my roles) and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from handbook.accounts.models import RoleGrant
from handbook.members import counts

from . import access


@login_required
def home(request):
    user = request.user
    member = None
    cell = None
    if user.member_id:
        member = access.members(user).select_related("organization", "organization__type").get(pk=user.member_id)
        cell = member.organization
        cell.member_total = counts.subtree_member_count(cell)
        cell.official_total = counts.official_count(cell)
    grants = RoleGrant.objects.filter(user=user, revoked_at__isnull=True).select_related("organization")
    return render(request, "core/home.html", {"member": member, "cell": cell, "grants": grants})


@never_cache
def healthz(request):
    """200 with the database status when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": db, "vendor": connection.vendor})
