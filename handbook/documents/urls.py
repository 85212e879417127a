from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("new/<int:org_pk>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/bookmark/", views.bookmark, name="bookmark"),
    path("<int:pk>/study/", views.study, name="study"),
    path("<int:pk>/quiz/", views.quiz, name="quiz"),
    path("<int:pk>/stats/", views.stats, name="stats"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/attachments/", views.attach, name="attach"),
    path("<int:pk>/audio/", views.generate_audio, name="audio"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_id>/remove/", views.detach, name="detach"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
]
