"""Meeting pages: the list, a meeting (check in, absence notice, roll call), creating and scheduling."""

import datetime

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.core.htmx import htmx_partial
from handbook.members.models import Member
from handbook.organizations.models import Organization

from . import calendar, guests, services, votes
from . import minutes as minutes_service
from . import overview as overview_queries
from .models import Attendance, CalendarFeed, Comment, Meeting, MeetingType, Minutes, Motion, Participation, Schedule


class MeetingForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=MeetingType.choices)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=gettext_lazy("Online link"), required=False, assume_scheme="https")
    agenda = forms.CharField(label=gettext_lazy("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ScheduleForm(forms.Form):
    day_of_month = forms.IntegerField(label=gettext_lazy("Day of the month (1–28)"), min_value=1, max_value=28)
    time = forms.TimeField(label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)


def _visible(request, pk: int) -> Meeting:
    meeting = access.get_or_404(access.meetings(request.user).select_related("organization"), pk=pk)
    if meeting.state == Meeting.State.DRAFT and not _manages(request, meeting):
        raise Http404
    return meeting


def _manages(request, meeting: Meeting) -> bool:
    return access.covers(request.user, access.MEMBER_CHANGE, meeting.organization.path)


def _managed_cell(request, org_pk: int) -> Organization:
    org = access.get_or_404(
        access.organizations(request.user).select_related("type"), pk=org_pk, status=Organization.Status.ACTIVE
    )
    if not access.covers(request.user, access.MEMBER_CHANGE, org.path) or not org.type.holds_members:
        raise Http404
    return org


@login_required
def meeting_list(request):
    qs = access.meetings(request.user).select_related("organization")
    org = None
    if request.GET.get("org"):
        org = access.get_or_404(access.organizations(request.user), pk=request.GET["org"])
        qs = qs.filter(organization=org)
    managed = access.meetings(request.user, manage=True).values("pk")
    qs = qs.exclude(state=Meeting.State.DRAFT) | qs.filter(pk__in=managed)
    now = timezone.now()
    upcoming = list(qs.filter(check_in_closes_at__gte=now).order_by("starts_at").distinct()[:20])
    past = list(qs.filter(check_in_closes_at__lt=now).order_by("-starts_at").distinct()[:20])
    can_manage = (
        org is not None and access.covers(request.user, access.MEMBER_CHANGE, org.path) and org.type.holds_members
    )
    return render(
        request, "meetings/list.html", {"upcoming": upcoming, "past": past, "org": org, "can_manage": can_manage}
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = _visible(request, pk)
    manages = _manages(request, meeting)
    mine = None
    if request.user.member_id:
        mine = Attendance.objects.filter(meeting=meeting, member_id=request.user.member_id).first()
    now = timezone.now()
    context = {
        "meeting": meeting,
        "manages": manages,
        "mine": mine,
        "is_member": Member.objects.filter(
            pk=request.user.member_id, organization=meeting.organization, status__in=Member.ON_ROLLS
        ).exists(),
        "check_in_open": services.check_in_is_open(meeting, now),
        "check_in_later": meeting.state == Meeting.State.PUBLISHED and now < meeting.check_in_opens_at,
        "before_start": now < meeting.starts_at,
    }
    motions = list(meeting.motions.all())
    voted = set(
        Participation.objects.filter(motion__in=motions, member_id=request.user.member_id).values_list(
            "motion_id", flat=True
        )
    )
    context["motions"] = [(m, m.pk in voted) for m in motions]
    context["rules"] = Motion.Rule.choices
    context["comments"] = list(
        meeting.comments.filter(reply_to__isnull=True).select_related("author").prefetch_related("replies__author")
    )
    context["may_comment"] = _may_comment(request, meeting) and meeting.state == Meeting.State.PUBLISHED
    context["minutes"] = Minutes.objects.filter(meeting=meeting).first()
    parent_path = meeting.organization.path[:-4]
    context["can_rate"] = (
        bool(parent_path) and access.covers(request.user, access.ORG_VIEW, parent_path) and meeting.starts_at <= now
    )
    context["ratings"] = list(meeting.ratings.select_related("rater"))
    context["documents"] = list(meeting.documents.all())
    invited = list(meeting.guests.select_related("user", "user__member"))
    context["guests"] = [(g, guests.display_name(g.user)) for g in invited]
    context["my_guest"] = next((g for g in invited if g.user_id == request.user.pk), None)
    if access.covers(request.user, access.ORG_VIEW, meeting.organization.path):
        rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
        roll = Member.objects.filter(organization=meeting.organization, status__in=Member.ON_ROLLS).order_by("sort_key")
        context["roll"] = [(m, rows.get(m.pk)) for m in roll]
        context["summary"] = services.summary(meeting)
    return render(request, "meetings/detail.html", context)


def _act(request, meeting: Meeting, action, success: str):
    try:
        action()
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def check_in(request, pk: int):
    meeting = _visible(request, pk)
    return _act(
        request, meeting, lambda: services.check_in(actor=request.user, meeting=meeting), _("You are checked in.")
    )


@login_required
@require_POST
def absence(request, pk: int):
    meeting = _visible(request, pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        meeting,
        lambda: services.absence_notify(actor=request.user, meeting=meeting, reason=reason),
        _("Your cell knows you cannot come."),
    )


@login_required
@require_POST
def publish(request, pk: int):
    meeting = _visible(request, pk)
    if not _manages(request, meeting):
        raise Http404
    return _act(
        request, meeting, lambda: services.meeting_publish(actor=request.user, meeting=meeting), _("Published.")
    )


@login_required
@require_POST
def roll_call(request, pk: int):
    """One tap per member; answers the row (htmx) or the page. Repeating a tap is harmless."""
    meeting = _visible(request, pk)
    if not _manages(request, meeting):
        raise Http404
    member = access.get_or_404(access.members(request.user, access.MEMBER_CHANGE), pk=request.POST.get("member"))
    try:
        row = services.roll_call(
            actor=request.user,
            meeting=meeting,
            member=member,
            state=request.POST.get("state", ""),
            reason=request.POST.get("reason", ""),
        )
    except RuleViolation as exc:
        if htmx_partial(request):
            return render(
                request,
                "meetings/_roll_row.html",
                {"meeting": meeting, "member": member, "row": None, "error": str(exc)},
                status=400,
            )
        messages.error(request, str(exc))
        return redirect("meetings:detail", pk=meeting.pk)
    if htmx_partial(request):
        return render(
            request, "meetings/_roll_row.html", {"meeting": meeting, "member": member, "row": row, "manages": True}
        )
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, org_pk: int):
    org = _managed_cell(request, org_pk)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(actor=request.user, organization=org, **data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "org": org, "title": _("New meeting")})


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request, org_pk: int):
    org = _managed_cell(request, org_pk)
    current = Schedule.objects.filter(organization=org).first()
    initial = {"day_of_month": 5, "time": datetime.time(19, 0)}
    if current is not None:
        initial = {"day_of_month": current.day_of_month, "time": current.time, "place": current.place}
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_set(actor=request.user, organization=org, **form.cleaned_data)
            created = services.schedule_generate(actor=request.user, organization=org, months=3)
        except RuleViolation as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Schedule saved; %(n)s meetings added.") % {"n": len(created)})
            return redirect(f"{reverse('meetings:list')}?org={org.pk}")
    return render(request, "meetings/form.html", {"form": form, "org": org, "title": _("Meeting schedule")})


def _motion(request, motion_id: int, *, manage: bool = False) -> Motion:
    motion = access.get_or_404(
        Motion.objects.select_related("meeting", "meeting__organization"),
        pk=motion_id,
        meeting__in=access.meetings(request.user, manage=manage),
    )
    _visible(request, motion.meeting_id)
    return motion


@login_required
@require_POST
def motion_create(request, pk: int):
    meeting = _visible(request, pk)
    if not _manages(request, meeting):
        raise Http404
    options = [line for line in request.POST.get("options", "").splitlines() if line.strip()]
    return _act(
        request,
        meeting,
        lambda: votes.motion_create(
            actor=request.user,
            meeting=meeting,
            title=request.POST.get("title", ""),
            options=options or None,
            secret=request.POST.get("secret") == "on",
            rule=request.POST.get("rule", Motion.Rule.MAJORITY_OF_PRESENT),
        ),
        _("The question is ready; open the vote when the meeting reaches it."),
    )


@login_required
@require_POST
def motion_open(request, motion_id: int):
    motion = _motion(request, motion_id, manage=True)
    return _act(
        request, motion.meeting, lambda: votes.motion_open(actor=request.user, motion=motion), _("Voting is open.")
    )


@login_required
@require_POST
def motion_close(request, motion_id: int):
    motion = _motion(request, motion_id, manage=True)
    return _act(
        request, motion.meeting, lambda: votes.motion_close(actor=request.user, motion=motion), _("Voting is closed.")
    )


@login_required
@require_POST
def vote(request, motion_id: int):
    motion = _motion(request, motion_id)
    try:
        choice = int(request.POST.get("choice", ""))
        answer = votes.vote_cast(actor=request.user, motion=motion, choice=choice)
    except (ValueError, RuleViolation) as exc:
        messages.error(request, str(exc) if isinstance(exc, RuleViolation) else _("Choose one of the options."))
    else:
        if answer["receipt"]:
            messages.success(
                request,
                _("Your secret ballot is counted. Your receipt code (write it down, it is shown only now): %(code)s")
                % {"code": answer["receipt"]},
            )
        else:
            messages.success(request, _("Your vote is counted."))
    return redirect("meetings:detail", pk=motion.meeting_id)


@login_required
def supervise(request):
    """For officials: every meeting of a subtree in a month, and the cells that held none."""
    scope = access.scope_for(request.user)
    if not scope.is_official:
        raise Http404
    visible = access.organizations(request.user)
    if request.GET.get("org"):
        org = access.get_or_404(visible, pk=request.GET["org"])
    else:
        org = visible.filter(path__in=scope.paths(access.ORG_VIEW)).order_by("path").first()
    if org is None or not access.covers(request.user, access.ORG_VIEW, org.path):
        raise Http404
    try:
        month = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()  # noqa: DTZ007
    except ValueError:
        month = timezone.localdate().replace(day=1)
    rows, silent, cells = overview_queries.overview(org, month)
    return render(
        request,
        "meetings/supervise.html",
        {"org": org, "month": month, "rows": rows, "silent": silent, "cells": cells},
    )


@login_required
@require_POST
def rate(request, pk: int):
    """An official above the cell rates a meeting that was held."""
    meeting = _visible(request, pk)
    parent_path = meeting.organization.path[:-4]
    if not parent_path or not access.covers(request.user, access.ORG_VIEW, parent_path):
        raise Http404  # rated from above: the cell's own officials do not rate themselves
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    return _act(
        request,
        meeting,
        lambda: overview_queries.meeting_rate(
            actor=request.user, meeting=meeting, score=score, comment=request.POST.get("comment", "")
        ),
        _("Thank you: the rating is saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """A member's private calendar address, to add to the phone's calendar."""
    if not request.user.member_id:
        raise Http404
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST" or feed is None:
        feed = calendar.feed_renew(user=request.user)
        if request.method == "POST":
            messages.success(request, _("A new address was made; the old one no longer works."))
            return redirect("meetings:calendar")
    url = request.build_absolute_uri(reverse("meetings:calendar_feed", args=[feed.token]))
    return render(request, "meetings/calendar.html", {"url": url})


def calendar_feed(request, token: str):
    """No login (calendar apps cannot sign in): the unguessable token is the key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    response = HttpResponse(
        calendar.feed_ics(feed, host=request.get_host()), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response


def _may_comment(request, meeting: Meeting) -> bool:
    """The cell's members, its managers, and guests invited from upper levels."""
    on_roll = Member.objects.filter(
        pk=request.user.member_id, organization=meeting.organization, status__in=Member.ON_ROLLS
    ).exists()
    return on_roll or _manages(request, meeting) or guests.is_guest(request.user, meeting)


@login_required
@require_POST
def comment(request, pk: int):
    meeting = _visible(request, pk)
    if not _may_comment(request, meeting):
        raise Http404
    reply_to = None
    if request.POST.get("reply_to"):
        reply_to = Comment.objects.filter(pk=request.POST["reply_to"], meeting=meeting).first()
    return _act(
        request,
        meeting,
        lambda: minutes_service.comment_add(
            actor=request.user, meeting=meeting, text=request.POST.get("text", ""), reply_to=reply_to
        ),
        _("Your opinion is recorded."),
    )


@login_required
@require_POST
def take_in(request, comment_id: int):
    item = access.get_or_404(
        Comment.objects.select_related("meeting", "meeting__organization"),
        pk=comment_id,
        meeting__in=access.meetings(request.user, manage=True),
    )
    return _act(
        request,
        item.meeting,
        lambda: minutes_service.comment_take_in(
            actor=request.user, comment=item, taken_in=request.POST.get("taken_in") != "0"
        ),
        _("Saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_page(request, pk: int):
    meeting = _visible(request, pk)
    manages = _manages(request, meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None and not manages:
        raise Http404
    if request.method == "POST":
        if not manages:
            raise Http404
        action = request.POST.get("action")
        work = {
            "draft": lambda: minutes_service.minutes_save(actor=request.user, meeting=meeting),
            "save": lambda: minutes_service.minutes_save(
                actor=request.user, meeting=meeting, text=request.POST.get("text", "")
            ),
            "finalise": lambda: minutes_service.minutes_finalise(actor=request.user, meeting=meeting),
            "amend": lambda: minutes_service.minutes_amend(
                actor=request.user, meeting=meeting, text=request.POST.get("text", "")
            ),
            "resolution": lambda: minutes_service.resolution_issue(
                actor=request.user,
                meeting=meeting,
                title=request.POST.get("title", ""),
                text=request.POST.get("text", ""),
            ),
        }.get(action)
        if work is None:
            raise Http404
        try:
            work()
        except RuleViolation as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect("meetings:minutes", pk=meeting.pk)
    context = {"meeting": meeting, "minutes": minutes, "manages": manages}
    if manages and minutes and minutes.finalised_at and not meeting.resolution_id:
        context["resolution_draft"] = minutes_service.resolution_draft(meeting)
    return render(request, "meetings/minutes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = _visible(request, pk)
    if not _manages(request, meeting):
        raise Http404
    initial = {f: getattr(meeting, f) for f in services.MEETING_FIELDS}
    initial["starts_at"] = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request, "meetings/form.html", {"form": form, "org": meeting.organization, "title": _("Edit the meeting")}
    )


@login_required
def qr(request, pk: int):
    """A QR code for the secretary's screen: members scan it to open the meeting and tap "I am here"."""
    meeting = _visible(request, pk)
    if not _manages(request, meeting):
        raise Http404
    url = request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=20)
    return render(
        request, "meetings/qr.html", {"meeting": meeting, "svg": image.to_string(encoding="unicode"), "url": url}
    )
