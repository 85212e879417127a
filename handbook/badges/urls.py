from django.urls import path

from . import views

app_name = "badges"
urlpatterns = [
    path("org/<int:org_id>/", views.due, name="due"),
    path("members/<int:member_id>/award/", views.award, name="award"),
    path("<int:pk>/", views.detail, name="detail"),
]
