from django.contrib.auth import views as auth_views
from django.urls import path

from programmes import plan_views
from programmes import views as programme_views

urlpatterns = [
    path("", programme_views.home, name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("programmes/", programme_views.programme_list, name="programme_list"),
    path(
        "programmes/<int:programme_id>/settings/",
        programme_views.programme_settings,
        name="programme_settings",
    ),
    path("plan-template.xlsx", plan_views.plan_template, name="plan_template"),
    path(
        "programmes/<int:programme_id>/plan.xlsx",
        plan_views.export_plan_workbook,
        name="export_plan",
    ),
    path(
        "programmes/<int:programme_id>/import/",
        plan_views.import_plan_page,
        name="import_plan",
    ),
    path(
        "programmes/<int:programme_id>/import/confirm/",
        plan_views.confirm_plan_import,
        name="confirm_plan_import",
    ),
    path(
        "programmes/<int:programme_id>/",
        programme_views.programme_detail,
        name="programme_detail",
    ),
]
