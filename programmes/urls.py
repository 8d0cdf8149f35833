from django.contrib.auth import views as auth_views
from django.urls import path

from programmes import views as programme_views

urlpatterns = [
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
]
