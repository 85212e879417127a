"""Home page (my record, my cell, my roles), the health check and the service worker."""

import json

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
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
    grants = RoleGrant.objects.filter(user=user, revoked_at__isnull=True, organization__status="active").select_related(
        "organization"
    )
    meetings = []
    if cell is not None:
        from handbook.meetings.models import Meeting

        meetings = list(
            Meeting.objects.filter(
                organization=cell, state=Meeting.State.PUBLISHED, check_in_closes_at__gte=timezone.now()
            ).order_by("starts_at")[:3]
        )
    return render(request, "core/home.html", {"member": member, "cell": cell, "grants": grants, "meetings": meetings})


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


SERVICE_WORKER = """// Handbook service worker: makes the app installable and shows an offline page.
// It caches only static files; pages carry personal data and are never stored.
const CACHE = "handbook-static-v1";
const SHELL = %(shell)s;
const OFFLINE = %(offline)s;
const ICON = %(icon)s;
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) =>
    Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))));
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  } else if (request.method === "GET" && new URL(request.url).pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
// Web push: the server sends {title, body, url, tag}; the text is already in the reader's language.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {title: event.data.text()}; }
  event.waitUntil(self.registration.showNotification(data.title || "Handbook", {
    body: data.body || "", tag: data.tag, icon: ICON, badge: ICON, data: {url: data.url || "/notifications/"},
  }));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/notifications/";
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then((windows) => {
    for (const w of windows) {
      if (w.url === url && "focus" in w) { return w.focus(); }
    }
    return self.clients.openWindow(url);
  }));
});
"""


def service_worker(request):
    """Served from the site root so its scope covers every page."""
    offline = static("handbook/offline.html")
    shell = [offline, static("handbook/app.css"), static("handbook/icon.svg"), static("django_htmx/htmx-2.min.js")]
    body = SERVICE_WORKER % {
        "shell": json.dumps(shell),
        "offline": json.dumps(offline),
        "icon": json.dumps(static("handbook/icon-192.png")),
    }
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
