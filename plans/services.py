"""The plan import's writes outside the import itself: keeping an uploaded workbook between
its check and its import, and starting a check or an import in the background.

A checked workbook is kept through Django's storage API (processes are stateless: the
import may be served by another web process or run by a worker), named in a signed value
that only the user who checked it, for that programme, within the hour, can use.
"""

from __future__ import annotations

import uuid

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from plans.importer import ImportResult
from plans.models import JobKind, JobStatus, PlanImportJob
from plans.read import MEGABYTE, WorkbookSize
from programmes.jobs import queue_after_commit
from programmes.models import Programme
from programmes.permissions import Action, require

UPLOAD_FOLDER = "plan-imports"
UPLOAD_MAX_AGE_SECONDS = 60 * 60
SALT = "plan-import"

# A check or an import works through about 50 rows a second on a busy two-core server
# (each row is validated, saved and recorded in the history as a page would): 300 rows keep
# the page request to a few seconds, well within the web server's 30-second timeout.
LARGE_PLAN_ROWS = 300
# A workbook of few rows that unpacks to more (pictures, or a sheet that understates its
# size) is parsed by a worker too, never by a web process.
LARGE_PLAN_BYTES = 2 * MEGABYTE


def checks_in_background(size: WorkbookSize) -> bool:
    """Is this workbook checked and imported by a worker, its page showing the progress,
    rather than within the page request? Yes for more than LARGE_PLAN_ROWS rows, or more
    than LARGE_PLAN_BYTES unpacked, from what the file declares (issue 10, defect 8)."""
    return size.total_rows > LARGE_PLAN_ROWS or size.unpacked_bytes > LARGE_PLAN_BYTES


def keep_upload(data: bytes) -> str:
    """Keep a workbook in the storage every process shares; its name there."""
    return default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.xlsx", ContentFile(data))


def upload_token(
    name: str, programme: Programme, user, result: ImportResult, *, job: PlanImportJob | None = None
) -> str:
    """The signed value naming a kept, checked workbook and what its check found; with the
    background job that holds the check, when it was checked in the background."""
    return signing.dumps(
        {
            "name": name,
            "programme": programme.pk,
            "user": user.pk,
            "new_people": len(result.new_people),
            "rebaselined": len(result.rebaselined),
            "job": job.pk if job is not None else None,
        },
        salt=SALT,
    )


def kept_upload(token: str, programme: Programme, user) -> dict | None:
    """This user's checked file for this programme, if the value is theirs and recent."""
    try:
        value = signing.loads(token, salt=SALT, max_age=UPLOAD_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if value.get("programme") != programme.pk or value.get("user") != user.pk:
        return None
    name = value.get("name", "")
    if not name.startswith(f"{UPLOAD_FOLDER}/") or not default_storage.exists(name):
        return None
    return value


def start_plan_check(
    programme: Programme, data: bytes, *, by, original_name: str = ""
) -> PlanImportJob:
    """Keep the workbook and have a worker check it (a dry run): nothing is imported."""
    require(by, Action.MANAGE_PROGRAMME, programme)
    job = PlanImportJob.objects.create(
        programme=programme,
        requested_by=by,
        kind=JobKind.CHECK,
        file_name=keep_upload(data),
        original_name=original_name[:255],
    )
    queue_after_commit("plans.run_plan_import_job", job.pk)
    return job


def start_plan_import(
    checked: PlanImportJob, *, by, create_people: bool, rebaseline_reason: str
) -> PlanImportJob:
    """Have a worker import the workbook a background check found good, all or nothing. A
    second confirmation of the same file (a double click, the back button) is the same job,
    not a second import."""
    require(by, Action.MANAGE_PROGRAMME, checked.programme)
    with transaction.atomic():
        PlanImportJob.objects.select_for_update().filter(pk=checked.pk).first()
        started = (
            PlanImportJob.objects.filter(
                programme=checked.programme, kind=JobKind.IMPORT, file_name=checked.file_name
            )
            .exclude(status=JobStatus.FAILED)
            .first()
        )
        if started is not None:
            return started
        job = PlanImportJob.objects.create(
            programme=checked.programme,
            requested_by=by,
            kind=JobKind.IMPORT,
            file_name=checked.file_name,
            original_name=checked.original_name,
            create_people=create_people,
            rebaseline_reason=rebaseline_reason,
        )
        queue_after_commit("plans.run_plan_import_job", job.pk)
    return job
