"""Celery jobs of the foundation: the emails a comment's @mentions send
(programmes/comments.py), invitations to sign in (programmes/services.py) and password reset
links (programmes/accounts/reset.py). None of them runs in a request: a slow mail server never
holds up a page."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

from programmes import comments, services
from programmes.accounts import reset

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)
# A mail server that is down or refuses for now: the email is tried again later.
MAIL_ERRORS = (*TRANSIENT_ERRORS, SMTPException, TimeoutError)


@shared_task(name=comments.MENTION_TASK, autoretry_for=TRANSIENT_ERRORS, retry_backoff=10)
def email_mentions(comment_id: int, about: str) -> int:
    """Email the people a comment mentions a link to its item, once each."""
    return comments.email_mentions(comment_id, about)


@shared_task(name=services.INVITATION_TASK, autoretry_for=MAIL_ERRORS, retry_backoff=10)
def send_invitation(invitation_id: int) -> bool:
    """Email an invitation to sign in its link."""
    return services.send_invitation(invitation_id)


@shared_task(name=reset.RESET_TASK, autoretry_for=MAIL_ERRORS, retry_backoff=10)
def send_reset_link(user_id: int, address: str) -> bool:
    """Email a password reset link."""
    return reset.send_reset_link(user_id, address)
