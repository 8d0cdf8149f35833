"""Report runs (each generated highlight or exception report, kept with who asked, when, how
long it took, its size and checksum, and whether it failed and why) and the narratives the
project managers write for each exception (DOMAIN.md sections 4 and 5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programmes.models import Programme, ReportingPeriod, Versioned
from programmes.querysets import ScopedQuerySet


class ReportKind(models.TextChoices):
    HIGHLIGHT = "highlight", "Highlight report"
    EXCEPTION = "exception", "Exception report"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RunTrigger(models.TextChoices):
    REQUESTED = "requested", "Asked for by a person"
    SCHEDULED = "scheduled", "The monthly schedule"
    COMMAND = "command", "The generate_reports command"


class ReportRun(models.Model):
    """One generation of one report for one period: a record kept for good.

    Versions count up per programme, period and kind. A run for a closed period that the
    programme office approves is locked: a later generation is a new version, made with a
    reason, and both stay downloadable (DOMAIN.md section 5).
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="report_runs")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="report_runs"
    )
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    version = models.PositiveIntegerField()
    is_draft = models.BooleanField(
        default=False, help_text="The period was open: the report says DRAFT on every page"
    )
    trigger = models.CharField(
        max_length=10, choices=RunTrigger.choices, default=RunTrigger.REQUESTED
    )
    reason = models.TextField(blank=True, help_text="Why a locked report was generated again")
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(
        max_length=64,
        blank=True,
        help_text="The delivery of the render task that is rendering it (reporting/tasks.py)",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True, max_length=300)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the PDF")
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notify_board = models.BooleanField(
        default=False,
        help_text="Made by the monthly schedule: goes to the board once approved",
    )
    sent_back_at = models.DateTimeField(
        null=True, blank=True, help_text="The programme office sent it back instead of approving it"
    )
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["attempts", "claimed_by"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-period__month", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period", "kind", "version"],
                name="one_report_version_per_period_and_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.DONE) | ~Q(file=""),
                name="done_report_has_a_file",
                violation_error_message="A finished report has its file.",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(status=RunStatus.DONE),
                name="only_finished_reports_are_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("report_run", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        """Approved for a closed period: never changed, only superseded."""
        return self.approved_at is not None and self.period.is_closed

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def filename(self) -> str:
        kind = "highlight" if self.kind == ReportKind.HIGHLIGHT else "exception"
        draft = "-DRAFT" if self.is_draft else ""
        return (
            f"{self.programme.reference}-{kind}-report-{self.period.month:%Y-%m}"
            f"-v{self.version}{draft}.pdf"
        )


class BoardDistribution(models.Model):
    """The board told of a period's approved reports: one email to each board member per
    programme and period, linking every approved report, sent once the programme office has
    approved them all (reporting/distribution.py). One per period, so never sent twice."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="board_distributions"
    )
    period = models.OneToOneField(
        ReportingPeriod, on_delete=models.PROTECT, related_name="board_distribution"
    )
    runs = models.ManyToManyField(ReportRun, related_name="distributions")
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who approved the last report; empty when approved automatically",
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-period__month"]

    def __str__(self) -> str:
        return f"Board told of {self.period}"


class BreachKind(models.TextChoices):
    MILESTONE = "milestone", "Milestone beyond time tolerance or overdue"
    WORKSTREAM = "workstream", "Red workstream"
    MEASURE = "measure", "Red measure"
    BUDGET = "budget", "Budget over cost tolerance"
    RISK = "risk", "Risk at or above the board's threshold, or newly Red"


class ExceptionNarrative(Versioned):
    """What the project manager says about one exception in a period, for the board: cause,
    consequences, options, recommendation and the decision required; approved by the area's
    sponsor (DOMAIN.md section 5). Keyed by what is breached ("milestone:123")."""

    programme_path = "period__programme"

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="exception_narratives"
    )
    key = models.CharField(max_length=60, help_text="What is breached, as kind:id")
    kind = models.CharField(max_length=12, choices=BreachKind.choices)
    area = models.ForeignKey(
        "programmes.ProgrammeArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    workstream = models.ForeignKey(
        "workstreams.Workstream", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cause = models.TextField(blank=True, max_length=4000)
    consequences = models.TextField(blank=True, max_length=4000)
    options = models.TextField(blank=True, max_length=4000)
    recommendation = models.TextField(blank=True, max_length=4000)
    decision_required = models.TextField(blank=True, max_length=4000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_back_at = models.DateTimeField(
        null=True, blank=True, help_text="The approver sent it back to be written again"
    )
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "kind", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "key"], name="one_narrative_per_exception_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.period}"

    @property
    def programme_id(self) -> int:
        return self.period.programme_id

    @property
    def is_written(self) -> bool:
        """The board's minimum: why it happened and what the board is asked to decide."""
        return bool(self.cause.strip() and self.recommendation.strip())
