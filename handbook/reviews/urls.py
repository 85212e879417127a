from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("org/<int:org_id>/", views.org_periods, name="org"),
    path("members/<int:member_id>/", views.member_history, name="member_history"),
    path("<int:pk>/", views.period_detail, name="period"),
    path("<int:pk>/close/", views.period_close, name="close"),
    path("<int:pk>/member/<int:member_id>/", views.member_review, name="member"),
    path("<int:pk>/organization/<int:org_id>/", views.organization_review, name="organization"),
]
