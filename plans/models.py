"""Records of the plans app: a plan workbook checked or imported in the background."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone

from programmes.models import Programme


class JobKind(models.TextChoices):
    CHECK = "check", "Check"  # the dry run: what the import would do
    IMPORT = "import", "Import"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# A job unfinished this long after it was asked for has lost its worker and its delivery:
# far beyond the task's time limits and the broker's visibility timeout.
STALLED_AFTER = timedelta(hours=1)


class PlanImportJob(models.Model):
    """A plan workbook checked (a dry run) or imported by a Celery worker rather than in the
    page request, because it is too large to finish within one (issue 10, defect 8; see
    `plans.services.checks_in_background`). The workbook stays in the storage every process
    shares (`file_name`) until it is imported; `result` is the ImportResult as plain data.

    While a job runs its progress is in the cache (`progress`), not in this row: the import
    works inside one transaction, all or nothing, and its own writes to this row would not be
    seen by the page until it commits."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="plan_import_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=10, choices=JobKind.choices)
    file_name = models.CharField(max_length=300, help_text="The workbook, in default storage")
    original_name = models.CharField(max_length=255, blank=True)
    create_people = models.BooleanField(default=False)
    rebaseline_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("rows_total")),
                name="plan_import_job_rows_done_within_total",
                violation_error_message="A job cannot have done more rows than it has.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.original_name or 'a plan'} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def has_stalled(self) -> bool:
        """Unfinished long after it was asked for: its worker and its delivery were lost."""
        return not self.is_finished and self.requested_at < timezone.now() - STALLED_AFTER

    @property
    def progress_key(self) -> str:
        return f"plan-import-job:{self.pk}:progress"

    def record_progress(self, rows_done: int, rows_total: int) -> None:
        """Where the running job has got to, for its page (which polls it)."""
        cache.set(
            self.progress_key, (rows_done, rows_total), timeout=int(STALLED_AFTER.total_seconds())
        )

    def forget_progress(self) -> None:
        cache.delete(self.progress_key)

    def progress(self) -> tuple[int, int]:
        """(rows done, rows in all): as the running job last said, or as it finished."""
        if self.status == JobStatus.RUNNING:
            recorded = cache.get(self.progress_key)
            if recorded is not None:
                return tuple(recorded)
        return self.rows_done, self.rows_total
