"""Forms for keeping the plan current. Each shows every problem next to its field; the checks
themselves live in `workstreams.validation`, shared with the services."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.utils import timezone

from programmes.choices import ObjectiveLevel, Rag
from programmes.dates import (
    FinancialYear,
    PlanDate,
    PlanDateError,
    add_months,
    month_label,
    month_start,
)
from programmes.forms import ChangeForm, DayDateField, PlanDateField, free_reference
from programmes.models import Objective, OutcomeCategory, Person, ProgrammeArea
from programmes.permissions import Action, may
from programmes.services import ObjectiveDetails
from workstreams.models import (
    BudgetLine,
    Direction,
    Measure,
    MeasureReading,
    MeasureTarget,
    MeasureUnit,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    StatusUpdate,
    Workstream,
)
from workstreams.services.budget import budget_problems
from workstreams.services.measures import (
    TargetInput,
    programme_years,
    target_field,
    target_problems,
)
from workstreams.services.structure import (
    AREA_TOLERANCES,
    MOST_KEY_DOCUMENTS,
    AreaDetails,
    WorkstreamDetails,
    document_field,
    lead_change_problem,
)
from workstreams.validation import (
    milestone_plan_problems,
    milestone_progress_problems,
    status_update_problems,
)

# The parts of a status update the lead writes.
STATUS_UPDATE_FIELDS = (
    "rag",
    "reason",
    "achievements",
    "planned_next",
    "escalations",
    "decisions_needed",
)


def _add_problems(form: forms.Form, problems: dict[str, str]) -> None:
    for field, message in problems.items():
        form.add_error(field if field in form.fields else None, message)


class MilestoneProgressForm(ChangeForm):
    """A lead's progress update of a milestone: opens at its status, forecast and completion."""

    status = forms.ChoiceField(
        label="Status", choices=MilestoneStatus.choices, widget=forms.RadioSelect
    )
    forecast = PlanDateField(
        label="Forecast date",
        required=False,
        help_text="When you now expect it, if not on its baseline. For example, 27 3 2027. "
        "If you only know the month, leave the day blank.",
    )
    actual_date = DayDateField(
        label="Completed on", required=False, help_text="For example, 3 10 2026."
    )
    at_risk = forms.BooleanField(
        label="Flag it as at risk",
        required=False,
        help_text="It may slip, though the forecast has not moved yet.",
    )
    note = forms.CharField(
        label="Progress note",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Dated today and shown on the milestone's page.",
        error_messages={"max_length": "The progress note must be 2,000 characters or fewer"},
    )

    def __init__(self, data=None, *, milestone: Milestone, today: date | None = None, **kwargs):
        self.milestone = milestone
        self.today = today or timezone.localdate()
        super().__init__(data, instance=milestone, **kwargs)

    def initial_for(self, milestone: Milestone) -> dict:
        return {
            "status": milestone.status,
            "forecast": milestone.forecast,
            "actual_date": milestone.actual_date,
            "at_risk": milestone.at_risk,
        }

    def clean(self):
        data = super().clean()
        if not self.errors:
            _add_problems(
                self,
                milestone_progress_problems(
                    status=data.get("status"),
                    actual_date=data.get("actual_date"),
                    forecast=data.get("forecast"),
                    start=self.milestone.start,
                    today=self.today,
                ),
            )
        return data


class MilestonePlanForm(ChangeForm):
    """A milestone's place in the plan: added with its baseline, changed without it (the
    baseline moves only by re-baselining, with a reason)."""

    reference = forms.CharField(
        label="Reference", max_length=50, help_text="Your own reference, such as 1.1.4."
    )
    title = forms.CharField(label="Milestone", max_length=300)
    kind = forms.ChoiceField(label="Kind", choices=MilestoneKind.choices, widget=forms.RadioSelect)
    forum = forms.CharField(
        label="Who decides",
        required=False,
        max_length=100,
        help_text="For key decisions: Programme Board, Adult Committee, Cabinet ...",
    )
    owner = forms.ModelChoiceField(
        label="Owner", queryset=Person.objects.none(), required=False, empty_label="No owner"
    )
    start = PlanDateField(
        label="Start",
        required=False,
        help_text="Leave blank if it can start at any time. If you only know the month, "
        "leave the day blank.",
    )
    baseline = PlanDateField(
        label="Due date (baseline)",
        required=False,
        help_text="For example, 30 9 2027, or only the month and year: 9 2027.",
    )
    description = forms.CharField(
        label="Description", required=False, max_length=4000, widget=forms.Textarea
    )

    def __init__(self, data=None, *, workstream, milestone: Milestone | None = None, **kwargs):
        self.workstream = workstream
        self.milestone = milestone
        kwargs.setdefault("initial", {}).setdefault("kind", MilestoneKind.MILESTONE)
        super().__init__(data, instance=milestone, **kwargs)
        self.fields["owner"].queryset = Person.objects.filter(
            organisation_id=workstream.programme.organisation_id
        ).order_by("name")
        if milestone is not None:
            del self.fields["baseline"]  # the baseline moves only by re-baselining

    def initial_for(self, milestone: Milestone) -> dict:
        return {
            "reference": milestone.reference,
            "title": milestone.title,
            "kind": milestone.kind,
            "forum": milestone.forum,
            "owner": milestone.owner_id,
            "start": milestone.start,
            "description": milestone.description,
        }

    def clean_reference(self):
        return free_reference(
            self.cleaned_data["reference"],
            Milestone.objects.filter(workstream=self.workstream),
            instance=self.milestone,
            parent="workstream",
            noun="milestone",
        )

    def clean(self):
        data = super().clean()
        baseline = data.get("baseline") if self.milestone is None else self.milestone.baseline
        if not self.errors:
            _add_problems(self, milestone_plan_problems(start=data.get("start"), baseline=baseline))
        return data


class RebaselineForm(ChangeForm):
    """A new baseline for a milestone, with the reason; opens at the baseline it has."""

    baseline = PlanDateField(
        label="New baseline",
        help_text="For example, 30 9 2027, or only the month and year: 9 2027.",
    )
    reason = forms.CharField(
        label="Why the baseline is moving",
        max_length=2000,
        widget=forms.Textarea,
        help_text="Kept with the milestone's history and shown to the board.",
        error_messages={
            "required": "Give the reason for re-baselining",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, data=None, *, milestone: Milestone, **kwargs):
        super().__init__(data, instance=milestone, **kwargs)

    def initial_for(self, milestone: Milestone) -> dict:
        return {"baseline": milestone.baseline}


class OfferedMonthField(forms.TypedChoiceField):
    """A month chosen from those offered. A month sent that is not offered (from a page opened
    before its period closed) still reaches the service, which says why it refuses it."""

    def valid_value(self, value) -> bool:
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
        return True


class ReadingForm(ChangeForm):
    """A measure's actual for a month: a new reading, or a correction of one (`reading`)."""

    period = OfferedMonthField(label="Month", coerce=date.fromisoformat)
    value = forms.DecimalField(
        label="Actual",
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput,
        error_messages={
            "invalid": "The actual must be a number, like 75 or 12.5",
            "required": "Enter the actual for the month",
            "max_decimal_places": "The actual can have at most 2 decimal places",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def __init__(
        self,
        data=None,
        *,
        measure,
        months: list[date],
        reading: MeasureReading | None = None,
        **kwargs,
    ):
        super().__init__(data, instance=reading, **kwargs)
        self.measure = measure
        self.fields["period"].choices = [(m.isoformat(), month_label(m)) for m in months]

    def initial_for(self, reading: MeasureReading) -> dict:
        return {"period": reading.period.isoformat(), "value": reading.value, "note": reading.note}

    def clean(self):
        data = super().clean()
        reading, month = self.instance, data.get("period")
        if reading is not None and month is not None and month != reading.period:
            self.add_error("period", "To enter another month, use the form on the measure's page")
        return data


def reading_months(programme, today: date, *, closed: set[date]) -> list[date]:
    """The months a new reading may be for: from the programme's start to this month, newest
    first, less the `closed` ones (a closed period's readings are locked, DOMAIN.md section 4:
    the form does not offer what saving would refuse)."""
    months, month = [], month_start(today)
    while month >= month_start(programme.starts_on) and len(months) < 120:
        if month not in closed:
            months.append(month)
        month = add_months(month, -1)
    return months


class StatusUpdateForm(ChangeForm):
    """The lead's monthly update for a period: written afresh, or the one there is
    (`update`). A blank version says there was none when the lead opened the page."""

    blank_version_adds = True
    rag = forms.ChoiceField(label="Rating", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason for the rating",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Needed for anything but Green: what is wrong, and what you are doing about it.",
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    achievements = forms.CharField(
        label="Achieved this period",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"max_length": "Achievements must be 4,000 characters or fewer"},
    )
    planned_next = forms.CharField(
        label="Planned for next period",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"max_length": "Plans for next period must be 4,000 characters or fewer"},
    )
    escalations = forms.CharField(
        label="Risks or issues to escalate",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"max_length": "Escalations must be 4,000 characters or fewer"},
    )
    decisions_needed = forms.CharField(
        label="Decisions needed from the board",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"max_length": "Decisions needed must be 4,000 characters or fewer"},
    )

    def __init__(self, data=None, *, programme, update: StatusUpdate | None = None, **kwargs):
        super().__init__(data, instance=update, **kwargs)
        self.submitted_already = bool(update and update.is_submitted)
        self.fields["rag"].choices = [
            *programme.rating_choices,
            (Rag.COMPLETE.value, Rag.COMPLETE.label),
        ]
        self.fields["rag"].error_messages["required"] = "Choose a rating"

    def initial_for(self, update: StatusUpdate) -> dict:
        return {name: getattr(update, name) for name in STATUS_UPDATE_FIELDS}

    def clean(self):
        data = super().clean()
        if not self.errors:
            _add_problems(
                self,
                status_update_problems(
                    rag=data.get("rag"),
                    reason=data.get("reason", ""),
                    submitting=self.data.get("action") == "submit" or self.submitted_already,
                ),
            )
        return data


# ----- Measures, targets, budget lines and the bulk milestone update (issue 11, part C) -----


class MeasureForm(ChangeForm):
    """A measure's place in the plan: added, or changed at the version it was opened at."""

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your own reference, such as NI 141.",
        error_messages={
            "required": "Enter a reference for the measure",
            "max_length": "The reference must be 50 characters or fewer",
        },
    )
    title = forms.CharField(
        label="Measure",
        max_length=400,
        help_text="What is measured and the aim, such as: Number of vulnerable people "
        "achieving independent living increases by 10% each year.",
        error_messages={
            "required": "Enter what the measure is",
            "max_length": "The measure must be 400 characters or fewer",
        },
    )
    unit = forms.ChoiceField(label="Unit", choices=MeasureUnit.choices, widget=forms.RadioSelect)
    direction = forms.ChoiceField(
        label="Which way is better", choices=Direction.choices, widget=forms.RadioSelect
    )
    baseline_value = forms.DecimalField(
        label="Baseline",
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput,
        help_text="Where the measure stood when the plan started. Leave blank if unknown.",
        error_messages={
            "invalid": "The baseline must be a number, like 75 or 12.5",
            "max_decimal_places": "The baseline can have at most 2 decimal places",
            "max_digits": "The baseline must be a number of at most 12 digits",
            "max_whole_digits": "The baseline must be a number of at most 12 digits",
        },
    )
    tolerance_percent = forms.DecimalField(
        label="Tolerance, in percent of the target",
        required=False,
        min_value=0,
        max_value=100,
        # No max_digits: the range says it, once (a count of digits would say it again).
        decimal_places=2,
        widget=forms.TextInput,
        # These messages are formatted with the limit (%-style): a percent sign is doubled.
        error_messages={
            "invalid": "The tolerance must be a number, like 5 or 7.5",
            "min_value": "The tolerance must be between 0 and 100%%",
            "max_value": "The tolerance must be between 0 and 100%%",
            "max_decimal_places": "The tolerance can have at most 2 decimal places",
        },
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=Person.objects.none(),
        required=False,
        empty_label="No owner",
        error_messages={"invalid_choice": "Choose one of the organisation's people"},
    )

    def __init__(self, data=None, *, workstream, measure: Measure | None = None, **kwargs):
        self.workstream = workstream
        self.measure = measure
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("unit", MeasureUnit.NUMBER)
        initial.setdefault("direction", Direction.HIGHER)
        super().__init__(data, instance=measure, **kwargs)
        self.fields["owner"].queryset = Person.objects.filter(
            organisation_id=workstream.programme.organisation_id
        ).order_by("name")
        tolerances = workstream.programme.tolerances_for(workstream.area)
        self.fields["tolerance_percent"].help_text = (
            "How far a reading may miss its target and still be Amber rather than Red. Leave "
            f"blank to use {tolerances.measure_percent_set_by(None)} benefits tolerance, "
            f"{tolerances.benefit_percent.normalize():f}%."
        )

    def initial_for(self, measure: Measure) -> dict:
        return {
            "reference": measure.reference,
            "title": measure.title,
            "unit": measure.unit,
            "direction": measure.direction,
            "baseline_value": measure.baseline_value,
            "tolerance_percent": measure.tolerance_percent,
            "owner": measure.owner_id,
        }

    def clean_reference(self):
        return free_reference(
            self.cleaned_data["reference"],
            Measure.objects.filter(workstream=self.workstream),
            instance=self.measure,
            parent="workstream",
            noun="measure",
        )


TARGET_FOR_YEAR, TARGET_BY_DATE = "year", "date"
TARGET_KINDS = [(TARGET_FOR_YEAR, "For a financial year"), (TARGET_BY_DATE, "By a date")]
MAX_TARGETS = 40
_TARGET_PARTS = ("kind", "financial_year", "due_0", "due_1", "due_2", "value")


def target_rows_data(data, rows: int, *, drop: int | None = None, add: bool = False):
    """The targets page's data with row `drop` taken out (and the rows after it moved up), or
    a blank row added at the end: what the page shows after "Remove" or "Add another target",
    before anything is saved. Returns (data, rows)."""
    changed = data.copy()
    kept = [index for index in range(rows) if index != drop]
    for new, old in enumerate(kept):
        for part in _TARGET_PARTS:
            values = data.getlist(target_field(old, part))
            changed.setlist(target_field(new, part), values)
    for index in range(len(kept), rows):
        for part in _TARGET_PARTS:
            changed.pop(target_field(index, part), None)
    rows = len(kept)
    if add and rows < MAX_TARGETS:
        changed[target_field(rows, "kind")] = TARGET_FOR_YEAR
        rows += 1
    changed["rows"] = str(rows)
    return changed, rows


def blank_target_rows(data, rows: int) -> list[int]:
    """Rows the user left empty (no year, date or value): a row added and not used."""
    return [
        index
        for index in range(rows)
        if not any(
            (data.get(target_field(index, part)) or "").strip()
            for part in _TARGET_PARTS
            if part != "kind"
        )
    ]


class TargetsForm(ChangeForm):
    """All of a measure's targets on one page (the GOV.UK "add another" pattern), saved
    together under the measure's version. A row is for a financial year ("2011/12") or to
    reach by a date ("75% by June 09": a month, or a day). Rows are fields named
    `target-<n>-<part>`, numbered from 0; `rows` says how many there are.

    Built with `check=False` (after "Add another target" or "Remove"), it shows what was
    typed without judging it yet. How many rows there are is the page's to say (`rows`).
    """

    def __init__(
        self,
        data=None,
        *,
        measure: Measure,
        targets: list[MeasureTarget],
        rows: int,
        check: bool = True,
        **kwargs,
    ):
        self.measure = measure
        self.programme = measure.workstream.programme
        self.stored_targets = targets
        self.row_count = rows
        super().__init__(data, instance=measure, **kwargs)
        first, last = programme_years(self.programme)
        for index in range(rows):
            number = index + 1
            self.fields[target_field(index, "kind")] = forms.ChoiceField(
                label=f"Target {number} is",
                choices=TARGET_KINDS,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose whether target {number} is for a year"},
            )
            self.fields[target_field(index, "financial_year")] = forms.CharField(
                label="Financial year",
                required=False,
                max_length=9,
                help_text=f"For example, {first}. The programme runs from {first} to {last}.",
                error_messages={
                    "max_length": f"Enter the financial year of target {number} like 2026/27"
                },
            )
            self.fields[target_field(index, "due")] = PlanDateField(
                label="Date",
                required=False,
                help_text="For example, 30 6 2027, or only the month and year: 6 2027.",
            )
            self.fields[target_field(index, "value")] = forms.DecimalField(
                label="Target",
                required=False,
                max_digits=14,
                decimal_places=2,
                widget=forms.TextInput,
                error_messages={
                    "invalid": "The target must be a number, like 75 or 12.5",
                    "max_decimal_places": "The target can have at most 2 decimal places",
                    "max_digits": "The target must be a number of at most 12 digits",
                    "max_whole_digits": "The target must be a number of at most 12 digits",
                },
            )
        if not check:
            self._errors = ErrorDict()
            self.cleaned_data = {}

    def initial_for(self, measure: Measure) -> dict:
        initial = {}
        for index, target in enumerate(self.stored_targets):
            if target.financial_year is not None:
                initial[target_field(index, "kind")] = TARGET_FOR_YEAR
                initial[target_field(index, "financial_year")] = str(
                    FinancialYear(target.financial_year)
                )
            else:
                initial[target_field(index, "kind")] = TARGET_BY_DATE
                initial[target_field(index, "due")] = PlanDate.from_fields(
                    target.due_date, target.due_precision
                )
            initial[target_field(index, "value")] = f"{target.value.normalize():f}"
        for index in range(len(self.stored_targets), self.row_count):
            initial[target_field(index, "kind")] = TARGET_FOR_YEAR
        return initial

    def row_fields(self) -> list[dict]:
        """Each row's fields, for the page to lay out."""
        return [
            {
                "number": index + 1,
                "index": index,
                "kind": self[target_field(index, "kind")],
                "financial_year": self[target_field(index, "financial_year")],
                "due": self[target_field(index, "due")],
                "value": self[target_field(index, "value")],
            }
            for index in range(self.row_count)
        ]

    def clean(self):
        data = super().clean()
        targets = []
        for index in range(self.row_count):
            number = index + 1
            kind = data.get(target_field(index, "kind"))
            value = data.get(target_field(index, "value"))
            if value is None and target_field(index, "value") not in self.errors:
                self.add_error(target_field(index, "value"), f"Enter the value of target {number}")
            if kind == TARGET_FOR_YEAR:
                text = (data.get(target_field(index, "financial_year")) or "").strip()
                year = None
                # A year refused as typed (too long) has no text here, and its message.
                if not text and target_field(index, "financial_year") not in self.errors:
                    self.add_error(
                        target_field(index, "financial_year"),
                        f"Enter the financial year of target {number}, like 2026/27",
                    )
                elif text:
                    try:
                        year = FinancialYear.parse(text).start_year
                    except PlanDateError:
                        self.add_error(
                            target_field(index, "financial_year"),
                            f"Enter the financial year of target {number} like 2026/27",
                        )
                targets.append((index, year and TargetInput(value or 0, financial_year=year)))
            elif kind == TARGET_BY_DATE:
                due = data.get(target_field(index, "due"))
                if due is None and target_field(index, "due") not in self.errors:
                    self.add_error(
                        target_field(index, "due"),
                        f"Enter the date of target {number}, or only its month and year",
                    )
                targets.append((index, due and TargetInput(value or 0, due=due)))
        given = [(index, target) for index, target in targets if target]
        problems = target_problems([target for _, target in given], programme=self.programme)
        for position, fields in problems.items():
            index = given[position][0]
            for name, message in fields.items():
                if target_field(index, name) not in self.errors:
                    self.add_error(target_field(index, name), message)
        self.targets = [target for _, target in targets]
        return data


class MoneyField(forms.DecimalField):
    """An amount in pounds, as people type it: "£1,250.50" as well as 1250.5."""

    widget = forms.TextInput

    def __init__(self, *, label: str, **kwargs):
        words = label.lower()
        super().__init__(
            label=label,
            max_digits=14,
            decimal_places=2,
            error_messages={
                "required": f"Enter the {words} amount",
                "invalid": f"The {words} amount must be an amount of money, like 1200 or 1,200.50",
                "max_decimal_places": f"The {words} amount can have at most 2 decimal places (pence)",
                "max_digits": f"The {words} amount must be less than £1,000,000,000,000",
                "max_whole_digits": f"The {words} amount must be less than £1,000,000,000,000",
            },
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").removeprefix("£").strip()
        return super().to_python(value)


class BudgetFiguresForm(ChangeForm):
    """What a workstream's lead keeps current on a budget line: spent, the forecast outturn and
    the explanation a variance of more than 5% needs."""

    spent = MoneyField(label="Spent", help_text="Spent so far this financial year, in pounds.")
    forecast = MoneyField(
        label="Forecast", help_text="The forecast outturn for the year, in pounds."
    )
    variance_explanation = forms.CharField(
        label="Variance explanation",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Needed when the forecast differs from the allocation by more than 5%, "
        "either way: why, and what is being done about it.",
        error_messages={"max_length": "The explanation must be 2,000 characters or fewer"},
    )

    def __init__(self, data=None, *, line: BudgetLine | None, **kwargs):
        self.line = line
        super().__init__(data, instance=line, **kwargs)

    def initial_for(self, line: BudgetLine) -> dict:
        return {name: getattr(line, name) for name in self.base_fields if name != "version"}

    def clean(self):
        data = super().clean()
        if not self.errors:
            _add_problems(
                self,
                budget_problems(
                    allocated=self.line.allocated,
                    spent=data["spent"],
                    forecast=data["forecast"],
                    variance_explanation=data.get("variance_explanation", ""),
                ),
            )
        return data


class BudgetLineForm(BudgetFiguresForm):
    """A whole budget line, as the project manager or the office sets it. A blank forecast is
    the allocation; blank spent is nothing spent yet."""

    financial_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Choose the financial year",
            "invalid_choice": "Choose a financial year within the programme",
        },
    )
    description = forms.CharField(
        label="Line",
        max_length=300,
        help_text="What the money is for, such as Staffing or Capital works.",
        error_messages={
            "required": "Enter what the money is for",
            "max_length": "What the money is for must be 300 characters or fewer",
        },
    )
    funding_source = forms.CharField(
        label="Funding source",
        required=False,
        max_length=200,
        help_text="Where the money comes from, such as Social Care Reform Grant.",
        error_messages={"max_length": "The funding source must be 200 characters or fewer"},
    )
    allocated = MoneyField(label="Allocated", help_text="The allocation for the year, in pounds.")

    field_order = [
        "version",
        "financial_year",
        "description",
        "funding_source",
        "allocated",
        "spent",
        "forecast",
        "variance_explanation",
    ]

    def __init__(self, data=None, *, workstream, line: BudgetLine | None = None, **kwargs):
        self.workstream = workstream
        super().__init__(data, line=line, **kwargs)
        first, last = programme_years(workstream.programme)
        years = [FinancialYear(year) for year in range(first.start_year, last.start_year + 1)]
        if line is not None and FinancialYear(line.financial_year) not in years:
            years = sorted({*years, FinancialYear(line.financial_year)})
        self.fields["financial_year"].choices = [("", "Choose a year")] + [
            (year.start_year, str(year)) for year in years
        ]
        self.fields["spent"].required = False
        self.fields["spent"].help_text += " Leave blank if nothing is spent yet."
        self.fields["forecast"].required = False
        self.fields["forecast"].help_text += " Leave blank if it is the allocation."

    def clean(self):
        data = ChangeForm.clean(self)
        if data.get("spent") is None and "spent" not in self.errors:
            data["spent"] = Decimal(0)
        forecast_given = data.get("forecast") is not None
        if not forecast_given and "forecast" not in self.errors:
            data["forecast"] = data.get("allocated")
        if not self.errors:
            year = data["financial_year"]
            changed = self.line is None or year != self.line.financial_year
            problems = budget_problems(
                allocated=data["allocated"],
                spent=data["spent"],
                forecast=data["forecast"],
                variance_explanation=data.get("variance_explanation", ""),
                financial_year=year if changed else None,
                programme=self.workstream.programme,
            )
            if not forecast_given:
                # A blank forecast is the allocation: a problem with it is the allocation's.
                problems.pop("forecast", None)
            _add_problems(self, problems)
        return data


class MilestoneRowForm(MilestoneProgressForm):
    """One milestone's row on the bulk update page: the single update's fields and rules,
    named by the milestone (`prefix`), its status chosen from a list to keep the row short."""

    status = forms.ChoiceField(label="Status", choices=MilestoneStatus.choices)
    note = forms.CharField(
        label="Progress note",
        required=False,
        max_length=2000,
        error_messages={"max_length": "The progress note must be 2,000 characters or fewer"},
    )

    def __init__(self, data=None, *, milestone: Milestone, **kwargs):
        super().__init__(data, milestone=milestone, prefix=f"m{milestone.pk}", **kwargs)
        # Each label names the milestone: on a phone the rows stack, and the labels show.
        reference = milestone.reference
        labels = {
            "status": f"Status of {reference}",
            "forecast": f"Forecast of {reference}",
            "actual_date": f"{reference} completed on",
            "at_risk": "At risk",
            "note": f"Progress note on {reference}",
        }
        for name, label in labels.items():
            self.fields[name].label = label
            self.fields[name].help_text = ""
        # Each message names the milestone too: the error summary lists every row's.
        self.fields["forecast"].noun = f"The forecast of {reference}"
        self.fields["actual_date"].noun = f"The completion date of {reference}"
        self.fields["status"].error_messages = {
            "required": f"Choose the status of {reference}",
            "invalid_choice": f"Choose the status of {reference} from the list",
        }


# ----- The plan's structure: programme areas, their key documents, workstreams -----


def _people_of(organisation_id: int):
    return Person.objects.filter(organisation_id=organisation_id).order_by("name")


def _tolerance_hint(programme, name: str) -> str:
    value = getattr(programme, name)
    if name.endswith("_percent"):
        shown = f"{Decimal(value).normalize():f}%"
    elif name == "time_tolerance_days":
        shown = f"{value} days"
    else:
        shown = f"a score of {value}"
    return f"Leave blank to use the programme's: {shown}."


class AreaForm(ChangeForm):
    """A programme area: added by the programme office, or changed (opens as stored)."""

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your own reference, such as 1 or CS.",
        error_messages={"required": "Enter the area's reference"},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the area's name"}
    )
    aim = forms.CharField(label="Aim", required=False, max_length=4000, widget=forms.Textarea)
    sponsor = forms.ModelChoiceField(
        label="Sponsor",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not named",
        error_messages={"invalid_choice": "Choose one of the organisation's people"},
    )
    project_manager = forms.ModelChoiceField(
        label="Project manager",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not named",
        help_text="Changes the plan of the area's workstreams.",
        error_messages={"invalid_choice": "Choose one of the organisation's people"},
    )
    interdependencies = forms.CharField(
        label="Interdependencies", required=False, max_length=4000, widget=forms.Textarea
    )
    time_tolerance_days = forms.IntegerField(
        label="Time tolerance, in days", required=False, min_value=0, max_value=365
    )
    cost_tolerance_percent = forms.DecimalField(
        label="Cost tolerance, in percent",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput,
    )
    benefit_tolerance_percent = forms.DecimalField(
        label="Benefits tolerance, in percent",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput,
    )
    risk_tolerance_score = forms.IntegerField(
        label="Risks go to the board from this score", required=False, min_value=1, max_value=25
    )

    def __init__(self, data=None, *, programme, area=None, **kwargs):
        super().__init__(data, instance=area, **kwargs)
        people = _people_of(programme.organisation_id)
        self.fields["sponsor"].queryset = people
        self.fields["project_manager"].queryset = people
        for name in AREA_TOLERANCES:
            self.fields[name].help_text = _tolerance_hint(programme, name)

    def initial_for(self, area) -> dict:
        return {
            "reference": area.reference,
            "name": area.name,
            "aim": area.aim,
            "sponsor": area.sponsor_id,
            "project_manager": area.project_manager_id,
            "interdependencies": area.interdependencies,
            **{name: getattr(area, name) for name in AREA_TOLERANCES},
        }

    def details(self) -> AreaDetails:
        data = self.cleaned_data
        return AreaDetails(
            reference=data["reference"],
            name=data["name"],
            aim=data["aim"],
            sponsor_id=data["sponsor"].pk if data["sponsor"] else None,
            project_manager_id=data["project_manager"].pk if data["project_manager"] else None,
            interdependencies=data["interdependencies"],
            **{name: data[name] for name in AREA_TOLERANCES},
        )


_DOCUMENT_ROW = re.compile(r"document-([0-9]{1,3})-(?:title|url)")


class KeyDocumentsForm(ChangeForm):
    """An area's key documents on one page, a title and a link a row (the GOV.UK "add
    another" pattern, without scripts): opened with the documents it has and a blank row for
    one more. A row left blank is dropped."""

    def __init__(
        self,
        data=None,
        *,
        area,
        rows: list[tuple[str, str]] | None = None,
        version: int | None = None,
        **kwargs,
    ):
        self.area = area
        shown_again = rows is not None and data is None
        if data is None and rows is None:
            rows = [(document.title, document.url) for document in area.documents.all()]
            rows.append(("", ""))
        self.count = max(self.rows_sent(data) if data is not None else len(rows), 1)
        super().__init__(data, instance=area, **kwargs)
        if shown_again:
            # After adding or removing a row: still at the version the user started from.
            self.initial["version"] = version
        for index in range(self.count):
            title, url = document_field(index, "title"), document_field(index, "url")
            self.fields[title] = forms.CharField(label="Title", required=False, max_length=300)
            self.fields[url] = forms.URLField(
                label="Link",
                required=False,
                max_length=500,
                help_text="Where it is published, such as https://www.harrow.gov.uk/carers.",
                error_messages={
                    "invalid": "Enter the link as a web address, such as "
                    "https://www.harrow.gov.uk/carers"
                },
            )
            if rows is not None and index < len(rows):
                self.initial[title], self.initial[url] = rows[index]

    @staticmethod
    def rows_sent(data) -> int:
        """How many rows a posted form holds (up to the most an area keeps, and one more)."""
        numbers = [int(match[1]) for key in data if (match := _DOCUMENT_ROW.fullmatch(key))]
        return min(max(numbers, default=-1) + 1, MOST_KEY_DOCUMENTS + 1)

    @classmethod
    def rows_of(cls, data) -> list[tuple[str, str]]:
        """The rows as posted, blank ones included (to show them again)."""
        return [
            (
                str(data.get(document_field(index, "title"), ""))[:300],
                str(data.get(document_field(index, "url"), ""))[:500],
            )
            for index in range(cls.rows_sent(data))
        ]

    @property
    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(title field, link field) of each row, for the template."""
        return [
            (self[document_field(index, "title")], self[document_field(index, "url")])
            for index in range(self.count)
        ]

    def clean(self):
        data = super().clean()
        documents, seen = [], set()
        for index in range(self.count):
            title_field, url_field = document_field(index, "title"), document_field(index, "url")
            title = (data.get(title_field) or "").strip()
            url = data.get(url_field) or ""
            if not title and not url and url_field not in self.errors:
                continue  # a blank row
            if not title:
                self.add_error(title_field, "Enter the document's title, or clear its link")
            elif title in seen:
                self.add_error(title_field, f"{title} is listed twice: list it once")
            seen.add(title)
            documents.append((title, url))
        if len(documents) > MOST_KEY_DOCUMENTS:
            self.add_error(None, f"An area can keep up to {MOST_KEY_DOCUMENTS} key documents")
        data["documents"] = documents
        return data


class WorkstreamForm(ChangeForm):
    """A workstream: added in an area by its project manager or the programme office, or
    changed (opens as stored), including a move to another area."""

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your own reference, such as 1.1.",
        error_messages={"required": "Enter the workstream's reference"},
    )
    name = forms.CharField(
        label="Name", max_length=300, error_messages={"required": "Enter the workstream's name"}
    )
    area = forms.ModelChoiceField(
        label="Programme area",
        queryset=ProgrammeArea.objects.none(),
        empty_label=None,
        help_text="Move it to another area you may change the plan of.",
        error_messages={
            "invalid_choice": "Choose one of the areas listed: an open area of the programme "
            "whose plan you may change"
        },
    )
    lead = forms.ModelChoiceField(
        label="Lead",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not named",
        error_messages={"invalid_choice": "Choose one of the organisation's people"},
    )
    confirm_lead_change = forms.BooleanField(label="Yes, change the lead", required=False)
    outcomes = forms.CharField(
        label="Outcomes for service users", required=False, max_length=4000, widget=forms.Textarea
    )
    outcome_categories = forms.ModelMultipleChoiceField(
        label="Outcome categories",
        queryset=OutcomeCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={
            "invalid_choice": "Choose from the outcome categories listed",
            "invalid_pk_value": "Choose from the outcome categories listed",
        },
    )
    objective = forms.ModelChoiceField(
        label="The objective it serves",
        queryset=Objective.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose one of the organisation's objectives"},
    )
    funding_notes = forms.CharField(
        label="Funding", required=False, max_length=4000, widget=forms.Textarea
    )
    depends_on = forms.ModelMultipleChoiceField(
        label="Depends on",
        queryset=Workstream.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Workstreams of the programme, in any area, that must deliver for this one to.",
        error_messages={
            "invalid_choice": "Choose from the programme's other workstreams: a workstream "
            "cannot depend on itself",
            "invalid_pk_value": "Choose from the programme's other workstreams",
        },
    )

    def __init__(self, data=None, *, area, user, workstream=None, **kwargs):
        self.workstream = workstream
        self.asks_to_confirm_lead = False
        super().__init__(data, instance=workstream, **kwargs)
        programme = area.programme
        self.fields["lead"].queryset = _people_of(programme.organisation_id)
        self.fields["objective"].queryset = Objective.objects.filter(
            organisation_id=programme.organisation_id
        ).order_by("sort_key")
        others = Workstream.objects.filter(programme=programme).order_by("sort_key")
        if workstream is not None:
            others = others.exclude(pk=workstream.pk)
            open_areas = ProgrammeArea.objects.filter(programme=programme, closed_on__isnull=True)
            editable = [a.pk for a in open_areas if may(user, Action.EDIT_PLAN, a)]
            self.fields["area"].queryset = ProgrammeArea.objects.filter(
                Q(pk=workstream.area_id) | Q(pk__in=editable)
            ).order_by("position", "sort_key")
        else:
            del self.fields["area"]
        # Listed by area, as on the dashboard, so that a long programme's list can be scanned.
        self.fields["depends_on"].queryset = others.select_related("area").order_by(
            "area__position", "area__sort_key", "sort_key"
        )
        self.fields["objective"].label_from_instance = lambda o: (
            f"{o.reference} {o.title[:90]} ({o.get_level_display().lower()})"
        )

    def initial_for(self, workstream) -> dict:
        return {
            "reference": workstream.reference,
            "name": workstream.name,
            "area": workstream.area_id,
            "lead": workstream.lead_id,
            "outcomes": workstream.outcomes,
            "outcome_categories": [c.pk for c in workstream.outcome_categories.all()],
            "objective": workstream.objective_id,
            "funding_notes": workstream.funding_notes,
            "depends_on": [w.pk for w in workstream.depends_on.all()],
        }

    def clean(self):
        data = super().clean()
        if self.workstream is not None and "lead" in data:
            lead = data["lead"]
            problem = lead_change_problem(
                self.workstream,
                lead.pk if lead else None,
                confirmed=bool(data.get("confirm_lead_change")),
            )
            if problem:
                self.asks_to_confirm_lead = True
                self.add_error("lead", problem)
                if lead:
                    # The bound field, made while cleaning, is what the page shows.
                    self[
                        "confirm_lead_change"
                    ].label = f"Yes, make {lead.name} the lead, with those milestones"
        return data

    @property
    def shows_lead_confirmation(self) -> bool:
        return self.asks_to_confirm_lead or bool(self.data.get("confirm_lead_change"))

    def details(self) -> WorkstreamDetails:
        data = self.cleaned_data
        return WorkstreamDetails(
            reference=data["reference"],
            name=data["name"],
            lead_id=data["lead"].pk if data["lead"] else None,
            outcomes=data["outcomes"],
            outcome_category_ids=[c.pk for c in data["outcome_categories"]],
            objective_id=data["objective"].pk if data["objective"] else None,
            funding_notes=data["funding_notes"],
            depends_on_ids=[w.pk for w in data["depends_on"]],
        )


class ObjectiveForm(ChangeForm):
    """An objective of the golden thread: its reference, level, wording and the objective it
    sits under (one level up)."""

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Such as CP-01, DADU001 or SCAR001.",
        error_messages={"required": "Enter the objective's reference"},
    )
    level = forms.ChoiceField(
        label="Level",
        choices=ObjectiveLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose the level: corporate, directorate or service"},
    )
    title = forms.CharField(
        label="Objective",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the objective"},
    )
    parent = forms.TypedChoiceField(
        label="Sits under",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="A directorate objective sits under a corporate objective, a service "
        "objective under a directorate objective. A corporate objective sits under nothing.",
        error_messages={
            "invalid_choice": "Choose one of the objectives listed: a corporate or directorate "
            "objective of the organisation, other than this one"
        },
    )

    def __init__(self, data=None, *, organisation, objective=None, **kwargs):
        super().__init__(data, instance=objective, **kwargs)
        above = Objective.objects.filter(
            organisation=organisation,
            level__in=[ObjectiveLevel.CORPORATE, ObjectiveLevel.DIRECTORATE],
        ).order_by("level", "sort_key")
        if objective is not None:
            above = above.exclude(pk=objective.pk)
        self.fields["parent"].choices = [("", "Nothing")] + [
            (o.pk, f"{o.reference} {o.title[:80]} ({o.get_level_display().lower()})") for o in above
        ]
        self.fields["level"].error_messages["required"] = "Choose the objective's level"

    def initial_for(self, objective) -> dict:
        return {
            "reference": objective.reference,
            "level": objective.level,
            "title": objective.title,
            "parent": objective.parent_id,
        }

    def details(self) -> ObjectiveDetails:
        data = self.cleaned_data
        return ObjectiveDetails(
            reference=data["reference"],
            level=data["level"],
            title=data["title"],
            parent_id=data["parent"],
        )
