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
    path("programmes/new/", programme_views.programme_add, name="programme_add"),
    path(
        "programmes/<int:programme_id>/settings/",
        programme_views.programme_settings,
        name="programme_settings",
    ),
    # People and roles
    path(
        "programmes/<int:programme_id>/people/",
        programme_views.programme_people,
        name="programme_people",
    ),
    path(
        "programmes/<int:programme_id>/people/add/",
        programme_views.person_add,
        name="programme_person_add",
    ),
    path(
        "programmes/<int:programme_id>/people/<int:person_id>/change/",
        programme_views.person_edit,
        name="programme_person_edit",
    ),
    path(
        "programmes/<int:programme_id>/people/<int:person_id>/invite/",
        programme_views.person_invite,
        name="programme_person_invite",
    ),
    path(
        "programmes/<int:programme_id>/roles/add/",
        programme_views.role_add,
        name="programme_role_add",
    ),
    path(
        "programmes/<int:programme_id>/roles/<int:membership_id>/remove/",
        programme_views.role_remove,
        name="programme_role_remove",
    ),
    # The link in an invitation: sets a password without signing in.
    path(
        "invitation/<uidb64>/<token>/",
        programme_views.invitation_accept,
        name="invitation_accept",
    ),
]
