from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("export.<str:fmt>", views.export, name="export"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/rows/<slug:table>/add/", views.row_add, name="row_add"),
    path("<int:pk>/rows/<slug:table>/<int:row_id>/remove/", views.row_remove, name="row_remove"),
    path("new/<int:org_pk>/", views.member_create, name="create"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("requests/", views.request_list, name="requests"),
    path("quality/", views.quality, name="quality"),
    path("import/", views.import_start, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("import/<int:job_id>/errors.csv", views.import_errors, name="import_errors"),
    path("merge/<int:keep>/<int:duplicate>/", views.merge, name="merge"),
    path("me/data.json", views.my_data, name="my_data"),
    path("<int:pk>/print/", views.print_sheet, name="print"),
    path("<int:pk>/sheet.pdf", views.sheet_pdf, name="sheet_pdf"),
    path("<int:pk>/photo.jpg", views.photo, name="photo"),
    path("<int:pk>/photo/", views.photo_upload, name="photo_upload"),
    path("requests/<int:request_id>/", views.request_detail, name="request_detail"),
]
