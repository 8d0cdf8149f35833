"""Routes of programmes.accounts: single sign-on with OpenID Connect (issue 12)."""

from django.urls import path

from programmes.accounts import oidc

urlpatterns = [
    path("sign-in/with/<slug:provider>/", oidc.sign_in_with, name="oidc_sign_in"),
    path("sign-in/with/<slug:provider>/callback/", oidc.sign_in_callback, name="oidc_callback"),
]
