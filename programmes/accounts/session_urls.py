"""Routes of programmes.accounts: session (issue 12)."""

from django.urls import path

from programmes.accounts import sessions

urlpatterns = [
    path("account/sessions/", sessions.user_sessions, name="user_sessions"),
]
