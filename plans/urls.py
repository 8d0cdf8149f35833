from django.urls import path

from plans import views

urlpatterns = [
    path("plan-template.xlsx", views.plan_template, name="plan_template"),
    path(
        "programmes/<int:programme_id>/plan.xlsx",
        views.export_plan_workbook,
        name="export_plan",
    ),
    path(
        "programmes/<int:programme_id>/import/",
        views.import_plan_page,
        name="import_plan",
    ),
    path(
        "programmes/<int:programme_id>/import/confirm/",
        views.confirm_plan_import,
        name="confirm_plan_import",
    ),
    path(
        "programmes/<int:programme_id>/import/jobs/<int:job_id>/",
        views.plan_import_job,
        name="plan_import_job",
    ),
]
