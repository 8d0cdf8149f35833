"""The forms for scope and quality exceptions raised by hand (issue 14, part 6): raising or
changing one, and closing it. The rules are `reporting.raised`, shared with the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from programmes.forms import ChangeForm, DayDateField
from programmes.models import Programme, ProgrammeArea
from programmes.permissions import Action, may
from reporting.models import RaisedException, RaisedExceptionKind
from reporting.raised import TEXT_LIMIT, RaisedDetails, raised_problems
from workstreams.models import Workstream


class RaisedExceptionForm(ChangeForm):
    """A scope or quality exception raised, or changed (`raised`): opens showing all it
    holds. Offers only the areas where the user may raise one."""

    kind = forms.ChoiceField(
        label="Kind of exception",
        choices=RaisedExceptionKind.choices,
        widget=forms.RadioSelect,
        help_text="Time, cost, benefits and risks are measured against tolerance and found by "
        "the system; scope and quality are raised here.",
        error_messages={"required": "Choose whether it is a scope or a quality exception"},
    )
    title = forms.CharField(
        label="Title",
        max_length=300,
        help_text="A short name for it, as the board will see it.",
        error_messages={"required": "Enter a short title for the exception"},
    )
    description = forms.CharField(
        label="What is breached",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text="What was agreed, and how the work now falls short of it.",
        error_messages={
            "required": "Describe what is breached, and how",
            "max_length": f"The description must be {TEXT_LIMIT:,} characters or fewer",
        },
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
    raised_on = DayDateField(label="Date raised", required=False, help_text="Blank for today.")

    def __init__(
        self, data=None, *, programme: Programme, user, raised: RaisedException | None = None
    ):
        self.programme, self.user = programme, user
        super().__init__(data, instance=raised)
        areas = [area for area in programme.areas.all() if may(user, Action.WRITE_EXCEPTION, area)]
        area_ids = [area.pk for area in areas]
        self.fields["area"].queryset = ProgrammeArea.objects.filter(pk__in=area_ids)
        self.fields["workstream"].queryset = Workstream.objects.filter(
            programme=programme, area_id__in=area_ids
        ).order_by("sort_key")
        if not may(user, Action.WRITE_EXCEPTION, programme):
            self.fields["area"].required = True
            self.fields["area"].empty_label = None if len(areas) == 1 else "Choose an area"
            self.fields["area"].error_messages["required"] = "Choose the exception's area"
            self.fields["area"].help_text = "You raise exceptions for the areas you manage."

    def initial_for(self, raised: RaisedException) -> dict:
        return {
            "kind": raised.kind,
            "title": raised.title,
            "description": raised.description,
            "area": raised.area_id,
            "workstream": raised.workstream_id,
            "raised_on": raised.raised_on,
        }

    def clean(self):
        data = super().clean()
        if not self.errors:
            for name, message in raised_problems(
                self.details(), today=timezone.localdate()
            ).items():
                self.add_error(name if name in self.fields else None, message)
        if not self.errors:
            placed = RaisedException(
                programme=self.programme, area=data.get("area"), workstream=data.get("workstream")
            )
            if not may(self.user, Action.WRITE_EXCEPTION, placed):
                self.add_error("area", "Choose an area you manage: you raise exceptions there")
        return data

    def details(self) -> RaisedDetails:
        data = self.cleaned_data
        return RaisedDetails(
            kind=data.get("kind") or "",
            title=data.get("title") or "",
            description=data.get("description") or "",
            area=data.get("area"),
            workstream=data.get("workstream"),
            raised_on=data.get("raised_on"),
        )


class CloseRaisedExceptionForm(ChangeForm):
    """How the exception was resolved, and when: it is then no longer an exception."""

    resolution = forms.CharField(
        label="How was it resolved?",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={
            "required": "Say how the exception was resolved",
            "max_length": f"The resolution must be {TEXT_LIMIT:,} characters or fewer",
        },
    )
    closed_on = DayDateField(label="Date closed", required=False, help_text="Blank for today.")

    def __init__(self, data=None, *, raised: RaisedException):
        super().__init__(data, instance=raised)

    def initial_for(self, raised: RaisedException) -> dict:
        return {"closed_on": timezone.localdate()}
