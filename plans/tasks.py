"""Housekeeping jobs of the programmes app."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils import timezone

from plans.views import UPLOAD_FOLDER

STALE_AFTER = timedelta(days=1)


@shared_task(name="plans.delete_stale_plan_uploads")
def delete_stale_plan_uploads() -> int:
    """Delete plan workbooks checked but never imported: a checked file is kept (in the
    storage every web process shares) only until its import, or for an hour's use."""
    if not default_storage.exists(UPLOAD_FOLDER):
        return 0
    cutoff = timezone.now() - STALE_AFTER
    deleted = 0
    for name in default_storage.listdir(UPLOAD_FOLDER)[1]:
        path = f"{UPLOAD_FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
