"""Notification pages: my notifications (newest first), opening one, marking read, my preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handbook.core import access
from handbook.core.errors import RuleViolation

from . import queries, services
from .forms import PreferencesForm
from .models import PushSubscription

PER_PAGE = 30


@login_required
def notification_list(request):
    page = Paginator(queries.mine(request.user), PER_PAGE).get_page(request.GET.get("page"))
    for n in page.object_list:
        n.title = services.render_title(n)
        n.body = services.render_body(n)
    return render(request, "notifications/list.html", {"page": page})


def _mine(request, pk: int):
    """One's own notification; anybody else's answers 404 like a missing one."""
    return access.get_or_404(queries.mine(request.user), pk=pk)


@login_required
def notification_open(request, pk: int):
    """Follow a notification (from the list, an email or a push message): marks it read, then goes to its page."""
    notification = services.notification_mark_read(actor=request.user, notification=_mine(request, pk))
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def read(request, pk: int):
    services.notification_mark_read(actor=request.user, notification=_mine(request, pk))
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request):
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("All notifications marked as read (%(n)s).") % {"n": count})
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    prefs = services.preferences_for(request.user)
    initial = {
        "language": prefs.language,
        "email_enabled": prefs.email_enabled,
        "digest_daily": prefs.digest_daily,
        "push_enabled": prefs.push_enabled,
        "muted_kinds": prefs.muted_kinds,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications:preferences")
    devices = PushSubscription.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "has_email": bool(request.user.email),
            "push_configured": services.push_configured(),
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "devices": devices,
        },
    )
