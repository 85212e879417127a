from django.urls import path

from . import views

app_name = "admissions"
urlpatterns = [
    path("org/<int:org_id>/", views.pipeline, name="pipeline"),
    path("org/<int:org_id>/candidates/", views.candidates, name="candidates"),
    path("org/<int:org_id>/progress/", views.progress, name="progress"),
    path("org/<int:org_id>/target/", views.target_set, name="target"),
    path("org/<int:org_id>/enterprise-organizations/new/", views.enterprise_organization_create, name="enterprise"),
    path("candidates/<int:pk>/open/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/steps/<str:step>/", views.step_record, name="step"),
    path("steps/<int:pk>/file/", views.step_file, name="step_file"),
    path("cases/<int:pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("cases/<int:pk>/cell-vote/", views.cell_motion, name="cell_motion"),
]
