from django.urls import path

from reporting import periods_views, report_views, views

urlpatterns = [
    path("programmes/<int:programme_id>/periods/", periods_views.period_list, name="period_list"),
    path("periods/<int:period_id>/close/", periods_views.period_close, name="period_close"),
    path("periods/<int:period_id>/reopen/", periods_views.period_reopen, name="period_reopen"),
    path(
        "periods/<int:period_id>/exceptions/",
        periods_views.period_exceptions,
        name="period_exceptions",
    ),
    path(
        "periods/<int:period_id>/exceptions/<slug:kind>/<int:object_id>/",
        periods_views.exception_narrative,
        name="exception_narrative",
    ),
    path(
        "periods/<int:period_id>/exceptions/<slug:kind>/<int:object_id>/approve/",
        periods_views.exception_approve,
        name="exception_approve",
    ),
    path("programmes/<int:programme_id>/reports/", report_views.report_list, name="report_list"),
    path("reports/<int:run_id>/", report_views.report_run, name="report_run"),
    path("reports/<int:run_id>/approve/", report_views.report_approve, name="report_approve"),
    path("reports/<int:run_id>/download/", report_views.report_download, name="report_download"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path(
        "programmes/<int:programme_id>/timeline/",
        views.programme_timeline,
        name="programme_timeline",
    ),
]
