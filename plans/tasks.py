"""Celery jobs of the plans app.

`run_plan_import_job` checks or imports a large plan workbook (`plans.models.PlanImportJob`)
as the import page would, telling the job's page how far it has got. It is safe to run
twice: it claims the job with a conditional update, and an import is all or nothing (one
transaction), so a job whose worker died is simply run again when the broker delivers it
again (acknowledged late, rejected if its worker is lost), up to MAX_ATTEMPTS times. Its time
limits are the site's, which the broker's visibility timeout exceeds, so a job is never
delivered again while an attempt may still be running.

`delete_stale_plan_uploads` (beat, nightly) removes checked workbooks never imported and
ends jobs that lost their worker.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone

from plans.importer import ImportResult, import_plan
from plans.models import STALLED_AFTER, JobKind, JobStatus, PlanImportJob
from plans.services import UPLOAD_FOLDER, upload_token

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 2
STALE_AFTER = timedelta(days=1)
NOTHING_IMPORTED = "Nothing has been imported."


def _claim(job_id: int) -> bool:
    """Take the job for this attempt, unless it is finished or out of attempts."""
    claimed = PlanImportJob.objects.filter(
        pk=job_id,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now())
    return claimed == 1


def _fail(job_id: int, reason: str) -> None:
    PlanImportJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


@shared_task(
    name="plans.run_plan_import_job",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def run_plan_import_job(job_id: int) -> str:
    if not _claim(job_id):
        job = PlanImportJob.objects.filter(pk=job_id).first()
        if job is not None and job.status == JobStatus.RUNNING:
            _fail(
                job_id,
                f"The job stopped {job.attempts} times before it finished. {NOTHING_IMPORTED}",
            )
        return "skipped"
    job = PlanImportJob.objects.select_related("programme__organisation", "requested_by").get(
        pk=job_id
    )
    job.forget_progress()  # an earlier attempt's
    try:
        return _run(job)
    finally:
        job.forget_progress()  # the job's row holds it from now on


def _run(job: PlanImportJob) -> str:
    job_id = job.pk
    try:
        with default_storage.open(job.file_name, "rb") as file:
            data = file.read()
        stored, rows = _check_or_import(job, data)
    except FileNotFoundError:
        _fail(job_id, "The uploaded file is no longer kept: upload it again.")
        return "failed"
    except SoftTimeLimitExceeded:
        minutes = settings.CELERY_TASK_SOFT_TIME_LIMIT // 60
        _fail(
            job_id,
            f"The {job.get_kind_display().lower()} took longer than {minutes} minutes and was "
            f"stopped. {NOTHING_IMPORTED} Split the rows into several workbooks and import "
            "them one after the other.",
        )
        return "failed"
    except PermissionDenied:
        _fail(job_id, f"You may no longer import a plan into this programme. {NOTHING_IMPORTED}")
        return "failed"
    except Exception:
        logger.exception("Plan import job %s failed", job_id)
        _fail(job_id, f"Something went wrong on our side. {NOTHING_IMPORTED} Try again later.")
        return "failed"
    PlanImportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        result=stored,
        rows_done=rows,
        rows_total=rows,
        finished_at=timezone.now(),
    )
    return "done"


def _check_or_import(job: PlanImportJob, data: bytes) -> tuple[dict, int]:
    """What the page shows when the job is done, and the rows worked through.

    As on the page: a good check keeps the file and offers its import; an import that meets
    a programme changed since the check shows the check again, as it stands now."""
    rows = 0

    def progress(done: int, total: int) -> None:
        nonlocal rows
        rows = total
        job.record_progress(done, total)

    options = {"by": job.requested_by, "progress": progress}
    if job.kind == JobKind.IMPORT:
        result = import_plan(
            job.programme,
            data,
            create_people=job.create_people,
            rebaseline_reason=job.rebaseline_reason,
            **options,
        )
        if result.is_ok:
            default_storage.delete(job.file_name)
            return {"result": result.as_data()}, rows
        checked = import_plan(job.programme, data, dry_run=True, **options)
        return _checked(job, checked, changed_since_check=True), rows
    checked = import_plan(job.programme, data, dry_run=True, **options)
    return _checked(job, checked), rows


def _checked(job: PlanImportJob, result: ImportResult, *, changed_since_check=False) -> dict:
    if not (result.is_ok and result.changes_anything):
        default_storage.delete(job.file_name)
        return {"result": result.as_data(), "changed_since_check": changed_since_check}
    token = upload_token(job.file_name, job.programme, job.requested_by, result, job=job)
    return {
        "result": result.as_data(),
        "upload": token,
        "changed_since_check": changed_since_check,
    }


@shared_task(name="plans.delete_stale_plan_uploads")
def delete_stale_plan_uploads() -> int:
    """Delete plan workbooks checked but never imported: a checked file is kept (in the
    storage every web process shares) only until its import, or for an hour's use. Jobs that
    lost their worker and their delivery are ended, saying so."""
    PlanImportJob.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        requested_at__lt=timezone.now() - STALLED_AFTER,
    ).update(
        status=JobStatus.FAILED,
        error=f"The job stopped without finishing. {NOTHING_IMPORTED}",
        finished_at=timezone.now(),
    )
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
