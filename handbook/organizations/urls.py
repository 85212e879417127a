from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/add/", views.create, name="create"),
    path("<int:pk>/rename/", views.rename, name="rename"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/split/", views.split, name="split"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("<int:pk>/roles/", views.grant, name="grant"),
    path("roles/<int:grant_id>/revoke/", views.revoke, name="revoke"),
]
