"""The sign-in pages of issue 12, one module of routes per part."""

from django.urls import include, path

urlpatterns = [
    path("", include("programmes.accounts.oidc_urls")),
    path("", include("programmes.accounts.reset_urls")),
    path("", include("programmes.accounts.session_urls")),
    path("", include("programmes.accounts.two_factor_urls")),
]
