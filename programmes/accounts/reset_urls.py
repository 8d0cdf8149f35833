"""Routes of programmes.accounts: reset (issue 12)."""

from django.urls import path

from programmes.accounts import reset

urlpatterns = [
    path("account/password-reset/", reset.password_reset, name="password_reset"),
    path("account/password-reset/sent/", reset.password_reset_sent, name="password_reset_sent"),
    # The link in a reset email: sets a new password without signing in.
    path(
        "account/password-reset/<uidb64>/<token>/",
        reset.password_reset_link,
        name="password_reset_link",
    ),
]
