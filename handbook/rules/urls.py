from django.urls import path

from . import views

app_name = "rules"
urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("new/", views.rule_set_create, name="set_create"),
    path("<int:pk>/", views.rule_set_detail, name="set"),
    path("<int:pk>/new-version/", views.version_create, name="version_create"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("org/<int:org_id>/", views.effective, name="effective"),
    path("org/<int:org_id>/assign/", views.assign, name="assign"),
]
