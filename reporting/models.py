"""Report runs (each generated highlight or exception report, kept with who asked, when, how
long it took, its size and checksum, and whether it failed and why), the narratives the
project managers write for each exception (DOMAIN.md sections 4 and 5), the scope and quality
exceptions raised by hand (section 3), and the change control log (section 7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programmes.choices import DatePrecision
from programmes.dates import format_plan_date
from programmes.models import Programme, Referenced, ReportingPeriod, Versioned
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
    DEPENDENCY = "dependency", "Dependency at risk: forecast after a dependent's due date"
    WORKSTREAM = "workstream", "Red workstream"
    MEASURE = "measure", "Red measure"
    BUDGET = "budget", "Budget over cost tolerance"
    RISK = "risk", "Risk at or above the board's threshold, or newly Red"
    SCOPE = "scope", "Scope exception, raised by hand"
    QUALITY = "quality", "Quality exception, raised by hand"


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


# ----- Scope and quality exceptions, raised by hand (DOMAIN.md section 3) -----


class RaisedExceptionKind(models.TextChoices):
    SCOPE = "scope", "Scope"
    QUALITY = "quality", "Quality"


class RaisedException(Versioned):
    """A scope or quality exception, raised by hand by the area's project manager or the
    programme office (DOMAIN.md section 3: the system cannot measure scope and quality, so
    they are raised, not found). Open from the day it is raised until it is closed; while
    open it is one of each period's exceptions, with a narrative like a detected one
    (`reporting.exceptions.detect_exceptions`, key "raised:<id>")."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="raised_exceptions"
    )
    area = models.ForeignKey(
        "programmes.ProgrammeArea",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="raised_exceptions",
    )
    workstream = models.ForeignKey(
        "workstreams.Workstream",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="raised_exceptions",
    )
    kind = models.CharField(max_length=10, choices=RaisedExceptionKind.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(max_length=4000, help_text="What is breached, and how")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True, max_length=4000, help_text="How it was resolved")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-raised_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(resolution=""),
                name="closed_raised_exception_says_how",
                violation_error_message="Say how the exception was resolved.",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("raised_on")),
                name="raised_exception_closed_after_raised",
                violation_error_message="An exception is closed on or after the day it was raised.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} exception: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("raised_exception_detail", args=[self.pk])

    @property
    def key(self) -> str:
        """What its narratives and comments are kept under in each period."""
        return f"raised:{self.pk}"

    @property
    def breach_kind(self) -> BreachKind:
        return BreachKind(self.kind)

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


# ----- The change control log (DOMAIN.md section 7; the East Sussex PID, section 17) -----


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Awaiting a decision (a deferred change comes back); decided (a decision was recorded);
# and changed no more (approved, rejected or withdrawn).
AWAITING_DECISION = (ChangeStatus.SUBMITTED, ChangeStatus.DEFERRED)
DECISIONS = (ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.DEFERRED)
FINAL = (ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN)


STATUS_COLOURS = {
    ChangeStatus.DRAFT: "grey",
    ChangeStatus.SUBMITTED: "blue",
    ChangeStatus.APPROVED: "green",
    ChangeStatus.REJECTED: "red",
    ChangeStatus.DEFERRED: "yellow",
    ChangeStatus.WITHDRAWN: "grey",
}


class ChangeDecider(models.TextChoices):
    BOARD = "board", "The board, at a meeting"
    OFFICE = "office", "The programme office, within tolerance"


class ToleranceLevel(models.TextChoices):
    PROGRAMME = "programme", "The programme's tolerance"
    AREA = "area", "The area's tolerance"


class ToleranceVariable(models.TextChoices):
    TIME = "time", "Time, in days"
    COST = "cost", "Cost, in percent"


class ChangeRequest(Referenced, Versioned):
    """A request to change the plan's scope, time, cost or benefits: what and why, its impact,
    the options and a recommendation; decided by the board at a meeting, or by the programme
    office within tolerance (DOMAIN.md section 7). An approved change re-baselines the
    milestones it moves, and changes the tolerance it names, with itself as the reason
    (`reporting.changes.decide_change`). Scoped like a risk: programme, area or workstream."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="change_requests"
    )
    area = models.ForeignKey(
        "programmes.ProgrammeArea",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    workstream = models.ForeignKey(
        "workstreams.Workstream",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    title = models.CharField(max_length=300)
    description = models.TextField("what is to change", max_length=4000)
    reason = models.TextField("why", max_length=4000, blank=True)
    raised_by = models.ForeignKey(
        "programmes.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_requests",
    )
    raised_on = models.DateField()
    time_impact = models.TextField("impact on time", max_length=4000, blank=True)
    cost_impact = models.TextField("impact on cost", max_length=4000, blank=True)
    cost_change = models.DecimalField(
        "change in cost (£)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="More (positive) or less (negative) than the budget, in pounds",
    )
    benefits_impact = models.TextField("impact on benefits", max_length=4000, blank=True)
    scope_impact = models.TextField("impact on scope", max_length=4000, blank=True)
    options = models.TextField(max_length=4000, blank=True)
    recommendation = models.TextField(max_length=4000, blank=True)
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    decided_by = models.CharField(
        "decided by", max_length=10, choices=ChangeDecider.choices, blank=True
    )
    board_meeting = models.ForeignKey(
        "risks.BoardMeeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_requests",
        help_text="The board meeting that decided it",
    )
    decided_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who recorded the decision",
    )
    outcome = models.TextField(
        max_length=4000, blank=True, help_text="What was decided and why; or why it was withdrawn"
    )
    tolerance_level = models.CharField(
        "tolerance to change", max_length=10, choices=ToleranceLevel.choices, blank=True
    )
    tolerance_variable = models.CharField(
        "tolerance", max_length=10, choices=ToleranceVariable.choices, blank=True
    )
    tolerance_value = models.DecimalField(
        "new tolerance", max_digits=7, decimal_places=2, null=True, blank=True
    )
    previous_tolerance = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The tolerance that applied before the approved change set its own",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="change_reference_unique_in_programme",
                violation_error_message="This programme already has a change with this reference.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=DECISIONS)
                | (Q(decided_on__isnull=False) & ~Q(decided_by="")),
                name="decided_change_says_by_whom_and_when",
                violation_error_message="A decided change says who decided it, and when.",
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=ChangeDecider.BOARD) | Q(board_meeting__isnull=False),
                name="board_change_decision_names_its_meeting",
                violation_error_message="A board decision names the meeting that took it.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(tolerance_level="", tolerance_variable="", tolerance_value__isnull=True)
                    | (
                        ~Q(tolerance_level="")
                        & ~Q(tolerance_variable="")
                        & Q(tolerance_value__isnull=False)
                    )
                ),
                name="change_tolerance_whole_or_none",
                violation_error_message="A tolerance change says which tolerance and its new "
                "value.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("change_detail", args=[self.pk])

    @property
    def is_awaiting_decision(self) -> bool:
        return self.status in AWAITING_DECISION

    @property
    def status_colour(self) -> str:
        """The colour of its status tag (shown with its word, never alone)."""
        return STATUS_COLOURS[self.status]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def changes_tolerance(self) -> bool:
        return bool(self.tolerance_variable)

    @property
    def held_in_area_id(self) -> int | None:
        """The area it sits in: its own, else its workstream's (whose tolerances it may
        change)."""
        if self.area_id:
            return self.area_id
        return self.workstream.area_id if self.workstream_id else None

    @property
    def scope_label(self) -> str:
        if self.workstream_id:
            return f"Workstream {self.workstream.reference}"
        if self.area_id:
            return f"Area {self.area.reference}"
        return "Programme"

    @property
    def decided_by_label(self) -> str:
        """ "Programme Board, 10 Nov 2026" or "The programme office"; blank until decided."""
        if self.decided_by == ChangeDecider.BOARD and self.board_meeting_id:
            return str(self.board_meeting)
        if self.decided_by == ChangeDecider.OFFICE:
            return "The programme office"
        return ""


class ChangeMilestone(models.Model):
    """A milestone a change request moves, and the baseline it asks for. Once the change is
    approved, `baseline_change` is the re-baselining it made (none: it was there already)."""

    programme_path = "change__programme"

    change = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="milestone_moves"
    )
    milestone = models.ForeignKey(
        "workstreams.Milestone", on_delete=models.CASCADE, related_name="change_moves"
    )
    new_date = models.DateField("new baseline")
    new_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    baseline_change = models.OneToOneField(
        "workstreams.BaselineChange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_move",
    )
    # The re-baselining it made is told by the milestone's own history, with its reason.
    history = HistoricalRecords(excluded_fields=["baseline_change"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["change", "milestone__workstream__sort_key", "milestone__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "milestone"],
                name="change_moves_a_milestone_once",
                violation_error_message="The change already moves this milestone.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} to {self.new_label}"

    @property
    def new_label(self) -> str:
        return format_plan_date(self.new_date, self.new_precision)


class BoardPack(models.Model):
    """One board pack of one meeting (issue 14, part 3): a PDF made in the background from the
    agenda, the previous meeting's minutes and the actions, the change requests, the approved
    reports and the PDF papers, with a contents page and page numbers across the whole pack
    (reporting/board_pack.py). Each making is a new version; the attendees are emailed a link
    once it is done."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="board_packs")
    meeting = models.ForeignKey(
        "risks.BoardMeeting", on_delete=models.CASCADE, related_name="board_packs"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="board-packs/%Y/%m/", blank=True, max_length=300)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the PDF")
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    parts = models.JSONField(
        default=list, blank=True, help_text="The contents: each part's title, first page, pages"
    )
    error = models.TextField(blank=True)
    emailed_to = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many attendees were emailed a link"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "version"], name="one_board_pack_version_per_meeting"
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.DONE) | ~Q(file=""),
                name="done_board_pack_has_a_file",
                violation_error_message="A finished board pack has its file.",
            ),
        ]

    def __str__(self) -> str:
        return f"Board pack for {self.meeting} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("board_pack", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def filename(self) -> str:
        reference = "".join(c if c.isalnum() else "-" for c in self.programme.reference).strip("-")
        return f"{reference or 'programme'}-board-pack-{self.meeting.held_on:%Y-%m-%d}-v{self.version}.pdf"
