"""Forms for keeping the plan current. Each shows every problem next to its field; the checks
themselves live in `workstreams.validation`, shared with the services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import add_months, month_label, month_start
from programmes.forms import ChangeForm, DayDateField, PlanDateField
from programmes.models import Person
from workstreams.models import (
    MeasureReading,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    StatusUpdate,
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
        label="Date completed", required=False, help_text="For example, 3 10 2026."
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
        reference = self.cleaned_data["reference"].strip()
        clash = Milestone.objects.filter(workstream=self.workstream, reference=reference)
        if self.milestone is not None:
            clash = clash.exclude(pk=self.milestone.pk)
        if clash.exists():
            raise forms.ValidationError(
                f"This workstream already has a milestone {reference}: choose another reference"
            )
        return reference

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


class ReadingForm(ChangeForm):
    """A measure's actual for a month: a new reading, or a correction of one (`reading`)."""

    period = forms.TypedChoiceField(label="Month", coerce=date.fromisoformat)
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


def reading_months(programme, today: date) -> list[date]:
    """The months a reading may be for: from the programme's start to this month, newest first."""
    months, month = [], month_start(today)
    while month >= month_start(programme.starts_on) and len(months) < 120:
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
