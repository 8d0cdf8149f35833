"""Celery jobs of the foundation: the emails a comment's @mentions send (programmes/comments.py)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from programmes import comments

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


@shared_task(name=comments.MENTION_TASK, autoretry_for=TRANSIENT_ERRORS, retry_backoff=10)
def email_mentions(comment_id: int, about: str) -> int:
    """Email the people a comment mentions a link to its item, once each."""
    return comments.email_mentions(comment_id, about)
