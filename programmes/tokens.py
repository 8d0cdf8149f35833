"""Links that let someone set their password without signing in: an invitation to sign in
(issue 11), and a password reset (issue 12). Each kind of link has a token generator of its own,
so that a token made for one kind is refused by the other.

A token is made from the account's state (its password, last sign-in and email): setting the
password changes that state, so a link works once; and from the moment it was made, so a link
stops working after the generator's `timeout`. The user a link names is found here, not in a
view: the link itself is the only key, as for the calendar links.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode


class LinkTokenGenerator(PasswordResetTokenGenerator):
    """Django's password reset tokens, valid for `timeout` rather than the site-wide
    PASSWORD_RESET_TIMEOUT, under a `key_salt` of their own."""

    timeout: timedelta = timedelta(days=3)

    def check_token(self, user, token) -> bool:
        if not (user and token) or not isinstance(token, str):
            return False
        try:
            stamp_b36, _ = token.split("-")
            stamp = base36_to_int(stamp_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, stamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - stamp <= self.timeout.total_seconds()


class InvitationTokenGenerator(LinkTokenGenerator):
    """An invitation to sign in: the link in it sets the first password, within a week."""

    key_salt = "programmes.tokens.InvitationTokenGenerator"
    timeout = timedelta(days=7)


invitation_tokens = InvitationTokenGenerator()


class ResetTokenGenerator(LinkTokenGenerator):
    """A forgotten password (issue 12): the emailed link sets a new one, within an hour."""

    key_salt = "programmes.tokens.ResetTokenGenerator"
    timeout = timedelta(hours=1)


reset_tokens = ResetTokenGenerator()


def link_parts(user, tokens: LinkTokenGenerator) -> tuple[str, str]:
    """The user's id as the link carries it, and a fresh token for them."""
    return urlsafe_base64_encode(force_bytes(user.pk)), tokens.make_token(user)


def user_from_link(uidb64: str, token: str, tokens: LinkTokenGenerator):
    """The active user a link names, if its token is good for them now; else None (a link
    expired, used already, or altered: which of these is not told)."""
    try:
        user_id = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 1 <= user_id <= 2**63 - 1:
        return None
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not tokens.check_token(user, token):
        return None
    return user
