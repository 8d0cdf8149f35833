"""The forms of the change control log (issue 14, part 5): a change request raised or
changed, the decision on it, and its withdrawal. Each shows every problem by its field; the
rules themselves are `reporting.changes`, shared with the services."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone

from programmes.dates import PlanDate, day_label
from programmes.forms import ChangeForm, DayDateField, PlanDateField
from programmes.models import Person, Programme, ProgrammeArea
from programmes.permissions import Action, may
from reporting.changes import (
    TEXT_LIMIT,
    TEXTS,
    ChangeDecision,
    ChangeDetails,
    MilestoneMove,
    change_problems,
    move_field,
)
from reporting.models import (
    ChangeDecider,
    ChangeRequest,
    ChangeStatus,
    ToleranceLevel,
    ToleranceVariable,
)
from risks.models import BoardMeeting
from workstreams.models import Milestone, Workstream

MOST_MOVES = 60
BLANK_ROWS = 3
_MOVE_ROW = re.compile(r"move-([0-9]{1,3})-(?:milestone|baseline_[012])")


def _text(name: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    label = TEXTS[name]
    return forms.CharField(
        label=label.removeprefix("The ").capitalize(),
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=help_text,
        error_messages={
            "required": f"Enter {label[:1].lower()}{label[1:]}",
            "max_length": f"{label} must be {TEXT_LIMIT:,} characters or fewer",
        },
    )


def _add_problems(form: forms.Form, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, message)


def milestone_label(milestone: Milestone) -> str:
    baseline = milestone.baseline_label or "no baseline"
    text = f"{milestone.reference} {milestone.title}"
    if len(text) > 70:
        text = text[:67] + "..."
    return f"{text} (baseline {baseline})"


class ChangeRequestForm(ChangeForm):
    """A change request raised, or changed (`change`): opens showing all it holds, with a
    row for each milestone it moves and blank rows for more (without scripts: saving it
    offers more blank rows again)."""

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your own reference, such as CR-001.",
        error_messages={"required": "Enter the change's reference, such as CR-001"},
    )
    title = forms.CharField(
        label="Title",
        max_length=300,
        help_text="A short name for the change, as the board will see it.",
        error_messages={"required": "Enter a short title for the change"},
    )
    description = _text(
        "description", required=True, help_text="What the change is to the plan as approved."
    )
    reason = _text("reason", help_text="Why the change is needed now.")
    area = forms.ModelChoiceField(
        label="Programme area",
        queryset=ProgrammeArea.objects.none(),
        required=False,
        empty_label="The whole programme",
    )
    workstream = forms.ModelChoiceField(
        label="Workstream",
        queryset=Workstream.objects.none(),
        required=False,
        empty_label="No single workstream",
    )
    raised_by = forms.ModelChoiceField(
        label="Raised by",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        error_messages={"required": "Choose who raised the change"},
    )
    raised_on = DayDateField(label="Date raised", required=False, help_text="Blank for today.")
    time_impact = _text("time_impact", help_text="Which milestones move, and by how much.")
    cost_impact = _text("cost_impact")
    cost_change = forms.DecimalField(
        label="Change in cost, in pounds",
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput,
        help_text="More than the budget, such as 15000; less, such as -2500. Blank if none.",
        error_messages={
            "invalid": "Enter the change in cost as a number of pounds, such as 15000",
            "max_digits": "The change in cost is too large",
            "max_decimal_places": "Enter the change in cost in pounds and pence at most",
        },
    )
    benefits_impact = _text("benefits_impact")
    scope_impact = _text("scope_impact")
    options = _text("options", help_text="The ways forward, each with its effect.")
    recommendation = _text("recommendation", help_text="The option you recommend, and why.")
    tolerance_level = forms.ChoiceField(
        label="Tolerance to change",
        required=False,
        choices=[("", "No change to a tolerance"), *ToleranceLevel.choices],
    )
    tolerance_variable = forms.ChoiceField(
        label="Which tolerance",
        required=False,
        choices=[("", "Choose"), *ToleranceVariable.choices],
    )
    tolerance_value = forms.DecimalField(
        label="New tolerance",
        required=False,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput,
        help_text="Days for time, a percentage for cost.",
        error_messages={"invalid": "Enter the new tolerance as a number, such as 45"},
    )

    def __init__(
        self,
        data=None,
        *,
        programme: Programme,
        user,
        change: ChangeRequest | None = None,
        moves=None,
        **kwargs,
    ):
        self.programme, self.user, self.change = programme, user, change
        super().__init__(data, instance=change, **kwargs)
        areas = [area for area in programme.areas.all() if may(user, Action.EDIT_PLAN, area)]
        whole_programme = may(user, Action.EDIT_PLAN, programme)
        area_ids = [area.pk for area in areas]
        self.fields["area"].queryset = ProgrammeArea.objects.filter(pk__in=area_ids)
        self.fields["workstream"].queryset = Workstream.objects.filter(
            programme=programme, area_id__in=area_ids
        ).order_by("sort_key")
        if not whole_programme:
            self.fields["area"].required = True
            self.fields["area"].empty_label = None if len(areas) == 1 else "Choose an area"
            self.fields["area"].error_messages["required"] = "Choose the change's area"
            self.fields["area"].help_text = "You raise changes for the areas you manage."
        self.fields["raised_by"].queryset = Person.objects.filter(
            organisation_id=programme.organisation_id
        ).order_by("name")
        self._offer_milestones(whole_programme, area_ids)
        self.count = self._rows(data, moves)
        for index in range(self.count):
            self.fields[move_field(index, "milestone")] = forms.TypedChoiceField(
                label="Milestone",
                required=False,
                choices=self.milestone_choices,
                coerce=int,
                empty_value=None,
                error_messages={"invalid_choice": "Choose one of the milestones listed"},
            )
            self.fields[move_field(index, "baseline")] = PlanDateField(
                label="New baseline",
                required=False,
                help_text="For example, 30 11 2026, or only the month and year: 11 2026.",
            )
        if data is None and moves:
            for index, move in enumerate(moves):
                self.initial[move_field(index, "milestone")] = move.milestone_id
                self.initial[move_field(index, "baseline")] = PlanDate.from_fields(
                    move.new_date, move.new_precision
                )

    def _offer_milestones(self, whole_programme: bool, area_ids: list[int]) -> None:
        milestones = Milestone.objects.filter(workstream__programme=self.programme)
        if not whole_programme:
            milestones = milestones.filter(workstream__area_id__in=area_ids)
        self.milestones = {
            milestone.pk: milestone
            for milestone in milestones.select_related("workstream").order_by(
                "workstream__sort_key", "position", "sort_key"
            )
        }
        self.milestone_choices = [("", "Choose a milestone")] + [
            (pk, milestone_label(milestone)) for pk, milestone in self.milestones.items()
        ]

    @staticmethod
    def _rows(data, moves) -> int:
        """How many milestone rows to show: those posted, else those stored and blank ones
        for more."""
        if data is not None:
            numbers = [int(match[1]) for key in data if (match := _MOVE_ROW.fullmatch(key))]
            count = max(numbers, default=-1) + 1
        else:
            count = len(moves or []) + BLANK_ROWS
        return min(max(count, 1), MOST_MOVES)

    @property
    def move_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[move_field(index, "milestone")], self[move_field(index, "baseline")])
            for index in range(self.count)
        ]

    def initial_for(self, change: ChangeRequest) -> dict:
        return change_initial(change)

    def clean(self):
        data = super().clean()
        for index in range(self.count):
            milestone = data.get(move_field(index, "milestone"))
            baseline = data.get(move_field(index, "baseline"))
            if milestone is not None and baseline is None:
                if move_field(index, "baseline") not in self.errors:
                    self.add_error(
                        move_field(index, "baseline"),
                        "Enter the new baseline, or choose no milestone",
                    )
            elif baseline is not None and milestone is None:
                self.add_error(move_field(index, "milestone"), "Choose the milestone to move")
        area, workstream = data.get("area"), data.get("workstream")
        if "area" not in self.errors and not self.errors.get("workstream"):
            placed = ChangeRequest(programme=self.programme, area=area, workstream=workstream)
            if workstream is not None:
                placed.area = workstream.area
            if not may(self.user, Action.EDIT_PLAN, placed):
                self.add_error("area", "Choose an area you manage: you raise changes there")
        if not self.errors:
            problems = change_problems(
                self.programme, self.details(), change=self.change, today=timezone.localdate()
            )
            _add_problems(self, problems)
        return data

    def details(self) -> ChangeDetails:
        data = self.cleaned_data
        moves = []
        for index in range(self.count):
            milestone_id = data.get(move_field(index, "milestone"))
            baseline = data.get(move_field(index, "baseline"))
            if milestone_id is not None and baseline is not None:
                moves.append(MilestoneMove(self.milestones[milestone_id], baseline))
        return ChangeDetails(
            **{name: data.get(name) or "" for name in ("reference", *TEXTS)},
            raised_by=data.get("raised_by"),
            raised_on=data.get("raised_on"),
            area=data.get("area"),
            workstream=data.get("workstream"),
            cost_change=data.get("cost_change"),
            moves=moves,
            tolerance_level=data.get("tolerance_level") or "",
            tolerance_variable=data.get("tolerance_variable") or "",
            tolerance_value=data.get("tolerance_value"),
        )


def change_initial(change: ChangeRequest) -> dict:
    return {name: getattr(change, name) for name in ("reference", *TEXTS)} | {
        "area": change.area_id,
        "workstream": change.workstream_id,
        "raised_by": change.raised_by_id,
        "raised_on": change.raised_on,
        "cost_change": change.cost_change,
        "tolerance_level": change.tolerance_level,
        "tolerance_variable": change.tolerance_variable,
        "tolerance_value": change.tolerance_value,
    }


def meeting_label(meeting: BoardMeeting) -> str:
    return f"{meeting.title}, {day_label(meeting.held_on)}"


class _MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, meeting) -> str:
        return meeting_label(meeting)


class DecideChangeForm(ChangeForm):
    """The decision on a change, as the programme office records it: the board's at a
    meeting (dated the meeting's day), or its own within tolerance (dated as entered)."""

    status = forms.ChoiceField(
        label="Decision",
        choices=[
            (ChangeStatus.APPROVED, "Approve the change"),
            (ChangeStatus.REJECTED, "Reject the change"),
            (ChangeStatus.DEFERRED, "Defer it to a later decision"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision: approve, reject or defer"},
    )
    decided_by = forms.ChoiceField(
        label="Who decided",
        choices=ChangeDecider.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who decided"},
    )
    meeting = _MeetingChoice(
        label="Board meeting",
        queryset=BoardMeeting.objects.none(),
        required=False,
        empty_label="Choose the meeting",
        help_text="For the board's decision: the meeting that took it.",
        error_messages={"invalid_choice": "Choose a meeting that has been held"},
    )
    decided_on = DayDateField(
        label="Date decided",
        required=False,
        help_text="For the programme office's own decision. A board decision is dated its "
        "meeting's day.",
    )
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text="What was decided and why, as the minutes say. Needed to reject or defer.",
        error_messages={"max_length": f"The outcome must be {TEXT_LIMIT:,} characters or fewer"},
    )

    def __init__(self, data=None, *, change: ChangeRequest, today: date | None = None, **kwargs):
        today = today or timezone.localdate()
        self.change = change
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("decided_on", today)
        super().__init__(data, instance=change, **kwargs)
        self.fields["meeting"].queryset = BoardMeeting.objects.filter(
            programme_id=change.programme_id, held_on__lte=today
        ).order_by("-held_on", "-pk")

    def decision(self) -> ChangeDecision:
        data = self.cleaned_data
        return ChangeDecision(
            status=data["status"],
            decided_by=data["decided_by"],
            meeting=data.get("meeting"),
            decided_on=data.get("decided_on"),
            outcome=data.get("outcome") or "",
        )


class WithdrawChangeForm(ChangeForm):
    """Why a change is withdrawn (it stays in the log)."""

    outcome = forms.CharField(
        label="Why is the change withdrawn?",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={
            "required": "Say why the change is withdrawn",
            "max_length": f"The reason must be {TEXT_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, data=None, *, change: ChangeRequest, **kwargs):
        super().__init__(data, instance=change, **kwargs)
