"""The audit trail for system administrators: filter by actor, type, object and time."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from handbook.core import access

from . import queries
from .forms import AuditFilterForm


@login_required
def event_list(request):
    if not access.scope_for(request.user).has_any(access.AUDIT_VIEW):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.filtered(access.audit_events(request.user), **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page": page, "querystring": querystring.urlencode()})
