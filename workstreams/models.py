"""Workstreams and what they hold: milestones, measures with targets and readings, monthly
status updates and budget lines (DOMAIN.md section 1)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programmes.choices import DatePrecision, Rag
from programmes.dates import FinancialYear, PlanDate, format_plan_date
from programmes.models import (
    Objective,
    OutcomeCategory,
    Person,
    Programme,
    ProgrammeArea,
    Referenced,
    ReportingPeriod,
    Scope,
    Versioned,
)
from programmes.querysets import ScopedQuerySet
from workstreams.rules import needs_variance_explanation


class Workstream(Referenced, Versioned):
    """A workstream ("1.1 Modernising Day Opportunities") led by one person or team. Closed
    when its work is done: it then only shows, with its history."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="workstreams")
    area = models.ForeignKey(ProgrammeArea, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(max_length=300)
    outcomes = models.TextField(blank=True, help_text="Outcomes for service users")
    lead = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_workstreams"
    )
    supported_by = models.ManyToManyField(Person, blank=True, related_name="supported_workstreams")
    outcome_categories = models.ManyToManyField(
        OutcomeCategory, blank=True, related_name="workstreams"
    )
    funding_notes = models.TextField(blank=True, help_text="The financial strategy as written")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="workstreams"
    )
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    closed_on = models.DateField(
        null=True, blank=True, help_text="When the workstream closed; a closed one only shows"
    )
    history = HistoricalRecords(m2m_fields=[depends_on, outcome_categories, supported_by])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="workstream_reference_unique_in_programme",
                violation_error_message="This programme already has a workstream with this reference.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("workstream_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def scope(self) -> Scope:
        """Where the workstream sits: what its items take as theirs for permissions."""
        return Scope(self.programme_id, self.area_id, self.pk)

    def save(self, *args, **kwargs):
        if self.area_id and not self.programme_id:
            self.programme_id = self.area.programme_id
        super().save(*args, **kwargs)


class MilestoneKind(models.TextChoices):
    MILESTONE = "milestone", "Milestone"
    KEY_DECISION = "key_decision", "Key decision"
    DELIVERABLE = "deliverable", "Deliverable"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


class Milestone(Referenced, Versioned):
    """A dated point in a workstream's plan: a milestone, a key decision or a deliverable.

    The baseline is set when the plan is approved and changes only by re-baselining, with a
    reason (DOMAIN.md section 3). Dates may be days or months; a month is stored as its last
    day with precision "month".
    """

    programme_path = "workstream__programme"

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.MILESTONE
    )
    forum = models.CharField(
        max_length=100, blank=True, help_text="For key decisions: who decides (Cabinet ...)"
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="milestones"
    )
    start_date = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    baseline_date = models.DateField(null=True, blank=True)
    baseline_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    forecast_date = models.DateField(null=True, blank=True)
    forecast_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    actual_date = models.DateField(null=True, blank=True, help_text="When it was completed")
    status = models.CharField(
        max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    at_risk = models.BooleanField(default=False, help_text="The owner expects it to slip")
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order within the workstream")
    history = HistoricalRecords(m2m_fields=[depends_on])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["workstream__sort_key", "position", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "reference"],
                name="milestone_reference_unique_in_workstream",
                violation_error_message="This workstream already has a milestone with this reference.",
            ),
            models.CheckConstraint(
                condition=~Q(status=MilestoneStatus.COMPLETE) | Q(actual_date__isnull=False),
                name="complete_milestone_has_actual_date",
                violation_error_message="A complete milestone needs the date it was completed.",
            ),
            models.CheckConstraint(
                condition=Q(actual_date__isnull=True) | Q(status=MilestoneStatus.COMPLETE),
                name="actual_date_only_when_complete",
                violation_error_message="Only a complete milestone has a completion date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("milestone_detail", args=[self.pk])

    @property
    def baseline(self) -> PlanDate | None:
        return PlanDate.from_fields(self.baseline_date, self.baseline_precision)

    @property
    def forecast(self) -> PlanDate | None:
        return PlanDate.from_fields(self.forecast_date, self.forecast_precision)

    @property
    def start(self) -> PlanDate | None:
        return PlanDate.from_fields(self.start_date, self.start_precision)

    @property
    def due(self) -> PlanDate | None:
        """The date it is due: the forecast if set, else the baseline."""
        return self.forecast or self.baseline

    @property
    def due_label(self) -> str:
        due = self.due
        return str(due) if due else "No date"

    @property
    def baseline_label(self) -> str:
        return format_plan_date(self.baseline_date, self.baseline_precision)

    @property
    def is_complete(self) -> bool:
        return self.status == MilestoneStatus.COMPLETE


class BaselineChange(models.Model):
    """A re-baselining of a milestone: the old and new baseline and why (DOMAIN.md section 3)."""

    programme_path = "milestone__workstream__programme"

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="baseline_changes"
    )
    previous_date = models.DateField(null=True, blank=True)
    previous_precision = models.CharField(max_length=5, choices=DatePrecision.choices)
    new_date = models.DateField()
    new_precision = models.CharField(max_length=5, choices=DatePrecision.choices)
    reason = models.TextField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["milestone", "-changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="rebaseline_has_reason",
                violation_error_message="Re-baselining needs a reason.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone.reference} re-baselined to {self.new_label}"

    @property
    def previous_label(self) -> str:
        return format_plan_date(self.previous_date, self.previous_precision)

    @property
    def new_label(self) -> str:
        return format_plan_date(self.new_date, self.new_precision)


class ProgressNote(models.Model):
    """A dated note on a milestone's progress, by its lead or project manager."""

    programme_path = "milestone__workstream__programme"

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="progress_notes"
    )
    noted_on = models.DateField()
    text = models.TextField(max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["milestone", "-noted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.milestone.reference} {self.noted_on}"


class MeasureUnit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    NUMBER = "number", "Number"
    DAYS = "days", "Days"
    POUNDS = "pounds", "Pounds"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Measure(Referenced, Versioned):
    """An outcome measure ("NI 141 ... increases by 10% each year") with a baseline, targets by
    period and readings."""

    programme_path = "workstream__programme"

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(max_length=400)
    unit = models.CharField(max_length=10, choices=MeasureUnit.choices, default=MeasureUnit.NUMBER)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Leave blank to use the programme's benefits tolerance",
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["workstream__sort_key", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "reference"],
                name="measure_reference_unique_in_workstream",
                violation_error_message="This workstream already has a measure with this reference.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("measure_detail", args=[self.pk])


class MeasureTarget(models.Model):
    """A measure's target for a financial year (2011/12) or to reach by a date ("by June 09")."""

    programme_path = "measure__workstream__programme"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    financial_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year the financial year starts in: 2011 for 2011/12"
    )
    due_date = models.DateField(null=True, blank=True)
    due_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.MONTH
    )
    value = models.DecimalField(max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        # Yearly targets, then dated ones, in time order: the same on SQLite and PostgreSQL,
        # which otherwise sort a missing year or date at opposite ends.
        ordering = [
            "measure",
            models.F("financial_year").asc(nulls_last=True),
            models.F("due_date").asc(nulls_last=True),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(financial_year__isnull=True, due_date__isnull=False)
                | Q(financial_year__isnull=False, due_date__isnull=True),
                name="target_has_year_or_date",
                violation_error_message="A target is for a financial year or by a date, not both.",
            ),
            models.UniqueConstraint(
                fields=["measure", "financial_year"],
                condition=Q(financial_year__isnull=False),
                name="one_target_per_financial_year",
            ),
            models.UniqueConstraint(
                fields=["measure", "due_date"],
                condition=Q(due_date__isnull=False),
                name="one_target_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.financial_year is not None:
            return str(FinancialYear(self.financial_year))
        return "by " + format_plan_date(self.due_date, self.due_precision)


class MeasureReading(Versioned):
    """The actual value of a measure for one month; one reading per measure per month."""

    programme_path = "measure__workstream__programme"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="readings")
    period = models.DateField(help_text="The first day of the month the reading is for")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True, max_length=2000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period"],
                name="one_reading_per_measure_per_period",
                violation_error_message="This measure already has a reading for that month.",
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="reading_period_is_first_day",
                violation_error_message="A reading is for a month: use the first day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.reference} {self.period:%b %Y}: {self.value}"


class UpdateState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class StatusUpdate(Versioned):
    """A lead's monthly report on a workstream: RAG, the reason for it, what was done, what is
    next, what to escalate and what the board must decide (DOMAIN.md section 4)."""

    programme_path = "workstream__programme"

    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, related_name="status_updates"
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="status_updates"
    )
    rag = models.CharField(max_length=20, choices=Rag.choices)
    reason = models.TextField(blank=True, max_length=2000)
    achievements = models.TextField(blank=True, max_length=4000)
    planned_next = models.TextField(blank=True, max_length=4000)
    escalations = models.TextField(
        blank=True, max_length=4000, help_text="Risks or issues to escalate"
    )
    decisions_needed = models.TextField(blank=True, max_length=4000)
    state = models.CharField(max_length=10, choices=UpdateState.choices, default=UpdateState.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened = models.BooleanField(
        default=False, help_text="Reopened by the programme office after its period closed"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["workstream", "-period__month"]
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "period"],
                name="one_status_update_per_workstream_per_period",
                violation_error_message="This workstream already has an update for the period.",
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.SUBMITTED)
                | Q(rag__in=[Rag.GREEN, Rag.COMPLETE])
                | ~Q(reason=""),
                name="submitted_update_explains_rating",
                violation_error_message="Give a reason for an Amber or Red rating.",
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.SUBMITTED) | Q(submitted_at__isnull=False),
                name="submitted_update_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workstream.reference} {self.period}"

    @property
    def is_submitted(self) -> bool:
        return self.state == UpdateState.SUBMITTED

    @property
    def is_locked(self) -> bool:
        """Submitted updates are locked once their period closes, unless the programme
        office has reopened them (DOMAIN.md section 4)."""
        return self.is_submitted and self.period.is_closed and not self.reopened

    @property
    def is_late(self) -> bool:
        """Submitted after the period's cut-off day."""
        if self.submitted_at is None:
            return False
        return timezone.localdate(self.submitted_at) > self.period.cut_off


class BudgetLine(Versioned):
    """Money for a workstream in one financial year: allocated, spent and forecast outturn."""

    programme_path = "workstream__programme"

    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, related_name="budget_lines"
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2008 for 2008/09"
    )
    description = models.CharField(max_length=300)
    funding_source = models.CharField(max_length=200, blank=True)
    allocated = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    forecast = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, help_text="Forecast outturn for the year"
    )
    variance_explanation = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["workstream", "financial_year", "description"]

    def __str__(self) -> str:
        return f"{self.description} {FinancialYear(self.financial_year)}"

    @property
    def financial_year_label(self) -> str:
        return str(FinancialYear(self.financial_year))

    @property
    def variance(self) -> Decimal:
        """Forecast outturn less the allocation: above nought is an overspend."""
        return self.forecast - self.allocated

    @property
    def needs_variance_explanation(self) -> bool:
        """More than 5% either way from the allocation (`workstreams.rules`)."""
        return needs_variance_explanation(allocated=self.allocated, forecast=self.forecast)

    @property
    def lacks_variance_explanation(self) -> bool:
        return self.needs_variance_explanation and not self.variance_explanation.strip()


# ----- Benefits (issue 16, part 1; DOMAIN.md section 7, "Benefits") -----


class BenefitType(models.TextChoices):
    CASHABLE = "cashable", "Cashable saving"
    NON_CASHABLE = "non_cashable", "Non-cashable"
    QUALITATIVE = "qualitative", "Qualitative"


class BenefitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    REALISING = "realising", "Realising"
    REALISED = "realised", "Realised"
    HANDED_OVER = "handed_over", "Handed over"
    ABANDONED = "abandoned", "Abandoned"


class BenefitConfidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Benefit(Referenced, Versioned):
    """A benefit the programme is to deliver (or a dis-benefit it expects to cause): its owner,
    who gains, the workstreams and measures that deliver it, its baseline, and a planned
    profile by financial year against which what was realised is rated (`BenefitYear`,
    `workstreams.rules.benefit_rag`). Tracked after the programme closes: its owner still
    records what is realised (`programmes.permissions.may_record_realisation`)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="benefits")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, max_length=4000)
    benefit_type = models.CharField(
        "Type", max_length=20, choices=BenefitType.choices, default=BenefitType.CASHABLE
    )
    is_disbenefit = models.BooleanField(
        "Dis-benefit", default=False, help_text="An outcome seen as negative by someone"
    )
    unit = models.CharField(
        max_length=10,
        choices=MeasureUnit.choices,
        default=MeasureUnit.POUNDS,
        help_text="What the planned and realised amounts count: pounds for a cashable saving",
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="benefits"
    )
    beneficiary = models.CharField(max_length=300, blank=True, help_text="Who gains")
    workstreams = models.ManyToManyField(Workstream, blank=True, related_name="benefits")
    measures = models.ManyToManyField(Measure, blank=True, related_name="benefits")
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_description = models.TextField(
        blank=True, max_length=2000, help_text="Where things stood before, and when"
    )
    confidence = models.CharField(
        max_length=10, choices=BenefitConfidence.choices, default=BenefitConfidence.MEDIUM
    )
    status = models.CharField(
        max_length=20, choices=BenefitStatus.choices, default=BenefitStatus.PLANNED
    )
    history = HistoricalRecords(m2m_fields=[workstreams, measures])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="benefit_reference_unique_in_programme",
                violation_error_message="This programme already has a benefit with this reference.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("benefit_detail", args=[self.pk])

    @property
    def is_qualitative(self) -> bool:
        return self.benefit_type == BenefitType.QUALITATIVE


class BenefitYear(Versioned):
    """One financial year of a benefit: the amount planned (its profile) and the amount
    realised, with the evidence for it. Either may be empty: nothing planned that year, or
    nothing recorded yet."""

    programme_path = "benefit__programme"

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="years")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2026 for 2026/27"
    )
    planned = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    realised = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    evidence = models.TextField(blank=True, max_length=4000)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["benefit", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "financial_year"],
                name="one_benefit_year_per_financial_year",
                violation_error_message="This benefit already has figures for that year.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.benefit.reference} {FinancialYear(self.financial_year)}"

    @property
    def financial_year_label(self) -> str:
        return str(FinancialYear(self.financial_year))

    @property
    def scope(self) -> Scope:
        """A benefit's figures sit where the benefit does: in its programme."""
        return Scope(self.benefit.programme_id)
