from django.urls import path

from . import views

app_name = "discipline"
urlpatterns = [
    path("members/<int:member_id>/", views.member_cases, name="member"),
    path("members/<int:member_id>/status/", views.member_status, name="member_status"),
    path("org/<int:org_id>/", views.organization_cases, name="organization"),
    path("org/<int:org_id>/exits/", views.exit_list, name="exits"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
]
