"""A user's own API token, for integrations (docs/api.md, "Authentication").

One token a user, DRF's authtoken: issuing a new one replaces (and so invalidates) the old;
revoking deletes it. Only the user themself does either, signed in, on the token page.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token


def token_of(user) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def issue_token(*, user) -> Token:
    """A new token for the user; any token they had stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def revoke_token(*, user) -> None:
    Token.objects.filter(user=user).delete()
