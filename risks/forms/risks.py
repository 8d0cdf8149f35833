"""Forms for the RAID log. Problems are shown next to their fields; the rules themselves are
in risks.services.risks, shared with the writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from programmes.forms import ChangeForm, DayDateField
from programmes.models import Person, ProgrammeArea
from risks.models import (
    IssuePriority,
    IssueSeverity,
    RiskCategory,
    RiskKind,
    RiskResponse,
)
from risks.services.risks import (
    IssueDetails,
    RiskDetails,
    action_problems,
    issue_problems,
    risk_problems,
)
from workstreams.models import Workstream

SCALE_WORDS = {1: "Very low", 2: "Low", 3: "Medium", 4: "High", 5: "Very high"}


def _score_field(label: str, *, required: bool) -> forms.TypedChoiceField:
    choices = [(str(n), f"{n} {SCALE_WORDS[n]}") for n in range(1, 6)]
    choices = [("", "Not assessed"), *choices] if not required else [("", "Choose"), *choices]
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=required,
        error_messages={
            "required": f"Choose the {label.lower()}, from 1 to 5",
            "invalid_choice": f"The {label.lower()} must be a whole number from 1 to 5",
        },
    )


def _add_problems(form: forms.Form, problems: dict[str, str]) -> None:
    for field, message in problems.items():
        form.add_error(field if field in form.fields else None, message)


class _ProgrammeChoices:
    """Limit people, areas and workstreams to the programme's own."""

    def limit_to(self, programme) -> None:
        self.fields["owner"].queryset = Person.objects.filter(
            organisation_id=programme.organisation_id
        ).order_by("name")
        if "area" in self.fields:
            self.fields["area"].queryset = ProgrammeArea.objects.filter(programme=programme)
            self.fields["workstream"].queryset = Workstream.objects.filter(programme=programme)


class RiskForm(_ProgrammeChoices, ChangeForm):
    """A risk raised, or changed (`risk`): opens showing everything the risk holds."""

    reference = forms.CharField(label="Reference", max_length=50, help_text="Such as CF6 - 005")
    title = forms.CharField(label="Risk", max_length=300, help_text="A short name for it")
    kind = forms.ChoiceField(
        label="Threat or opportunity", choices=RiskKind.choices, widget=forms.RadioSelect
    )
    cause = forms.CharField(
        label="Cause",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Because of ...",
    )
    event = forms.CharField(
        label="Event",
        max_length=2000,
        widget=forms.Textarea,
        help_text="... this may happen ...",
        error_messages={"required": "Describe what may happen"},
    )
    effect = forms.CharField(
        label="Effect",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="... with this effect on the programme",
    )
    category = forms.ChoiceField(label="Category", choices=RiskCategory.choices)
    owner = forms.ModelChoiceField(
        label="Owner", queryset=Person.objects.none(), required=False, empty_label="No owner yet"
    )
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
    raised_on = DayDateField(
        label="Date raised", required=False, help_text="Leave blank for today."
    )
    inherent_likelihood = _score_field("Inherent likelihood", required=False)
    inherent_impact = _score_field("Inherent impact", required=False)
    current_likelihood = _score_field("Current likelihood", required=True)
    current_impact = _score_field("Current impact", required=True)
    target_likelihood = _score_field("Target likelihood", required=False)
    target_impact = _score_field("Target impact", required=False)
    proximity = DayDateField(
        label="Proximity", required=False, help_text="The date by which it may happen."
    )
    response = forms.ChoiceField(
        label="Response", required=False, choices=[("", "Not decided"), *RiskResponse.choices]
    )
    review_date = DayDateField(label="Next review", required=False)
    escalated = forms.BooleanField(label="Escalated to the board", required=False)

    def __init__(self, data=None, *, programme, risk=None, **kwargs):
        super().__init__(data, instance=risk, **kwargs)
        self.limit_to(programme)

    def initial_for(self, risk) -> dict:
        return risk_initial(risk)

    def clean(self):
        data = super().clean()
        if not self.errors:
            _add_problems(self, risk_problems(self.details()))
        return data

    def details(self) -> RiskDetails:
        data = self.cleaned_data
        text = {
            name: data.get(name) or ""
            for name in (
                "reference",
                "title",
                "event",
                "cause",
                "effect",
                "category",
                "kind",
                "response",
            )
        }
        values = {
            name: data.get(name)
            for name in (
                "owner",
                "raised_on",
                "area",
                "workstream",
                "proximity",
                "review_date",
                "inherent_likelihood",
                "inherent_impact",
                "current_likelihood",
                "current_impact",
                "target_likelihood",
                "target_impact",
            )
        }
        return RiskDetails(**text, **values, escalated=bool(data.get("escalated")))


def risk_initial(risk) -> dict:
    fields = list(RiskDetails.__dataclass_fields__)
    return {name: getattr(risk, name) for name in fields} | {
        "owner": risk.owner_id,
        "area": risk.area_id,
        "workstream": risk.workstream_id,
    }


class CloseRiskForm(ChangeForm):
    """Closing a risk, with the reason."""

    closing_reason = forms.CharField(
        label="Why is the risk closed?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Say why the risk is closed"},
    )

    def __init__(self, data=None, *, risk, **kwargs):
        super().__init__(data, instance=risk, **kwargs)


class RealiseRiskForm(ChangeForm):
    """A risk that has happened becomes an issue: opens with the risk's reference for it."""

    reference = forms.CharField(
        label="Issue reference",
        max_length=50,
        help_text="The risk's reference unless you change it",
    )
    severity = forms.ChoiceField(
        label="Severity",
        choices=IssueSeverity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how severe the issue is"},
    )
    priority = forms.ChoiceField(
        label="Priority",
        choices=IssuePriority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the issue's priority"},
    )

    def __init__(self, data=None, *, risk, **kwargs):
        super().__init__(data, instance=risk, **kwargs)

    def initial_for(self, risk) -> dict:
        return {"reference": risk.reference}


class ActionForm(_ProgrammeChoices, forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Describe the action"},
    )
    owner = forms.ModelChoiceField(
        label="Owner", queryset=Person.objects.none(), required=False, empty_label="Choose"
    )
    due_date = DayDateField(label="Due", required=False)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to(programme)

    def clean(self):
        data = super().clean()
        problems = action_problems(
            description=data.get("description", "") or "",
            owner=data.get("owner"),
            due_date=data.get("due_date"),
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class IssueForm(_ProgrammeChoices, ChangeForm):
    """An issue raised, or changed (`issue`): opens showing everything the issue holds."""

    reference = forms.CharField(label="Reference", max_length=50)
    title = forms.CharField(label="Issue", max_length=300)
    description = forms.CharField(
        label="What has happened",
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"required": "Describe what has happened"},
    )
    severity = forms.ChoiceField(
        label="Severity", choices=IssueSeverity.choices, widget=forms.RadioSelect
    )
    priority = forms.ChoiceField(
        label="Priority", choices=IssuePriority.choices, widget=forms.RadioSelect
    )
    owner = forms.ModelChoiceField(
        label="Owner", queryset=Person.objects.none(), required=False, empty_label="No owner yet"
    )
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
    raised_on = DayDateField(
        label="Date raised", required=False, help_text="Leave blank for today."
    )

    def __init__(self, data=None, *, programme, issue=None, **kwargs):
        super().__init__(data, instance=issue, **kwargs)
        self.limit_to(programme)

    def initial_for(self, issue) -> dict:
        return {
            name: getattr(issue, name)
            for name in ("reference", "title", "description", "severity", "priority", "raised_on")
        } | {"owner": issue.owner_id, "area": issue.area_id, "workstream": issue.workstream_id}

    def details(self) -> IssueDetails:
        data = self.cleaned_data
        return IssueDetails(
            reference=data["reference"],
            title=data["title"],
            description=data["description"],
            severity=data["severity"],
            priority=data["priority"],
            owner=data.get("owner"),
            raised_on=data.get("raised_on"),
            area=data.get("area"),
            workstream=data.get("workstream"),
        )

    def clean(self):
        data = super().clean()
        if not self.errors:
            _add_problems(self, issue_problems(self.details()))
        return data


class ResolveIssueForm(ChangeForm):
    """Resolving an issue: how, and when (today unless said)."""

    resolution = forms.CharField(
        label="How it was resolved",
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"required": "Say how the issue was resolved"},
    )
    resolved_on = DayDateField(label="Date resolved", required=False)

    def __init__(self, data=None, *, issue, **kwargs):
        super().__init__(data, instance=issue, **kwargs)

    def initial_for(self, issue) -> dict:
        return {"resolution": issue.resolution, "resolved_on": timezone.localdate()}

    def clean_resolved_on(self):
        return self.cleaned_data.get("resolved_on") or timezone.localdate()
