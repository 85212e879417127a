from django.urls import path

from . import views

app_name = "probation"
urlpatterns = [
    path("org/<int:org_id>/", views.due, name="due"),
    path("members/<int:member_id>/decide/", views.decide, name="decide"),
    path("<int:pk>/", views.detail, name="detail"),
]
