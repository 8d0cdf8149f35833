"""Calling the API in tests as an integration would: with the user's token."""

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """A client sending the user's API token (none: signed out)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def api_url(name: str, *args) -> str:
    """ "milestone-list", "milestone-detail", "risk-close" ... under /api/v1/."""
    return reverse(f"api:{name}", args=args)
