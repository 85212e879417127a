from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<int:org_pk>/", views.define, name="define"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/track/", views.track, name="track"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/submit/<int:org_pk>/<str:period>/", views.submit, name="submit"),
    path("org/<int:org_pk>/", views.cell, name="cell"),
    path("submissions/<int:sid>/", views.submission, name="submission"),
    path("submissions/<int:sid>/review/", views.review, name="review"),
    path("submissions/<int:sid>/attachment/", views.attachment, name="attachment"),
]
