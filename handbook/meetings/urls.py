from django.urls import path

from . import views, views_attachments, views_rates

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("supervise/", views.supervise, name="supervise"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/qr/", views.qr, name="qr"),
    path("<int:pk>/absence/", views.absence, name="absence"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/roll-call/", views.roll_call, name="roll_call"),
    path("new/<int:org_pk>/", views.meeting_create, name="create"),
    path("<int:pk>/motions/", views.motion_create, name="motion_create"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("comments/<int:comment_id>/taken-in/", views.take_in, name="take_in"),
    path("<int:pk>/minutes/", views.minutes_page, name="minutes"),
    path("motions/<int:motion_id>/open/", views.motion_open, name="motion_open"),
    path("motions/<int:motion_id>/close/", views.motion_close, name="motion_close"),
    path("motions/<int:motion_id>/vote/", views.vote, name="vote"),
    path("schedule/<int:org_pk>/", views.schedule, name="schedule"),
    path("<int:pk>/documents/", views_attachments.document_upload, name="document_upload"),
    path("documents/<int:doc_id>/", views_attachments.document_download, name="document_download"),
    path("documents/<int:doc_id>/remove/", views_attachments.document_remove, name="document_remove"),
    path("<int:pk>/guests/", views_attachments.guest_list, name="guests"),
    path("guests/<int:guest_id>/remove/", views_attachments.guest_remove, name="guest_remove"),
    path("guests/<int:guest_id>/presence/", views_attachments.guest_presence, name="guest_presence"),
    path("attendance/", views_rates.organization_rates, name="rates"),
    path("attendance/member/<int:pk>/", views_rates.member_rates, name="member_rates"),
]
