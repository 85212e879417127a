from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("org/<int:org_id>/", views.org_transfers, name="org"),
    path("member/<int:member_id>/", views.member_transfers, name="member"),
    path("member/<int:member_id>/new/", views.issue, name="issue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
