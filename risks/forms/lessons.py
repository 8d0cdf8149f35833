"""Forms for the lessons log, closing a programme, the stakeholders and the communications
plan (issue 16, parts 4 and 5). Problems are shown next to their fields; the rules themselves
are in risks.services.lessons and risks.services.communications, shared with the writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from programmes.forms import ChangeForm, DayDateField
from programmes.models import Person, Programme
from risks.forms.risks import SCALE_WORDS
from risks.meetings import programme_people
from risks.models import (
    CommunicationFrequency,
    CommunicationItem,
    Lesson,
    LessonCategory,
    Stakeholder,
)
from risks.services.communications import CommunicationDetails, StakeholderDetails
from risks.services.lessons import ClosureDetails, LessonDetails
from workstreams.models import Workstream


def _person_label(person: Person) -> str:
    return person.description


class _People(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _person_label(obj)


def _text(label: str, *, required: bool = True, help_text: str = "", missing: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=4000,
        widget=forms.Textarea,
        help_text=help_text,
        error_messages={
            "required": missing or f"Enter {label.lower()}",
            "max_length": f"{label} must be 4,000 characters or fewer",
        },
    )


class LessonForm(ChangeForm):
    """A lesson added to the log, or changed (`lesson`)."""

    what_happened = _text(
        "What happened",
        help_text="The event or situation, as it was.",
        missing="Enter what happened",
    )
    what_we_learned = _text("What we learned", missing="Enter what was learned")
    do_differently = _text(
        "What to do differently",
        help_text="Next time, on this programme or another.",
        missing="Enter what to do differently",
    )
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category"), *LessonCategory.choices],
        error_messages={"required": "Choose the lesson's category"},
    )
    workstream = forms.ModelChoiceField(
        label="Workstream",
        queryset=Workstream.objects.none(),
        required=False,
        empty_label="The programme as a whole",
    )
    raised_by = _People(
        label="Raised by",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not recorded",
    )
    raised_on = DayDateField(label="Date raised", help_text="For example, 14 12 2026.")

    def __init__(self, data=None, *, programme: Programme, lesson: Lesson | None = None, **kw):
        super().__init__(data, instance=lesson, **kw)
        self.fields["workstream"].queryset = Workstream.objects.filter(
            programme=programme
        ).order_by("sort_key")
        self.fields["raised_by"].queryset = programme_people(programme)

    def initial_for(self, lesson: Lesson) -> dict:
        return {
            "what_happened": lesson.what_happened,
            "what_we_learned": lesson.what_we_learned,
            "do_differently": lesson.do_differently,
            "category": lesson.category,
            "workstream": lesson.workstream_id,
            "raised_by": lesson.raised_by_id,
            "raised_on": lesson.raised_on,
        }

    def details(self) -> LessonDetails:
        data = self.cleaned_data
        return LessonDetails(
            what_happened=data["what_happened"],
            what_we_learned=data["what_we_learned"],
            do_differently=data["do_differently"],
            category=data["category"],
            raised_on=data.get("raised_on"),
            raised_by_id=data["raised_by"].pk if data.get("raised_by") else None,
            workstream_id=data["workstream"].pk if data.get("workstream") else None,
        )


def new_lesson_initial(user) -> dict:
    """A new lesson opens raised today by the person signed in."""
    person = getattr(user, "person", None)
    return {"raised_on": timezone.localdate(), "raised_by": person.pk if person else None}


class ClosureForm(ChangeForm):
    """Closing the programme: why, what it achieved, and who takes on what is still open.
    The version is the programme's, as the confirmation page read it."""

    summary = _text(
        "Why it closes, and what it achieved",
        help_text="This opens the closure report.",
        missing="Say why the programme closes and what it achieved",
    )
    handed_on_to = _text(
        "Who takes on what is still open",
        required=False,
        help_text="The open risks, issues and benefits listed below: who owns them from now.",
    )

    def details(self) -> ClosureDetails:
        data = self.cleaned_data
        return ClosureDetails(summary=data["summary"], handed_on_to=data.get("handed_on_to", ""))


def _one_to_five(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Choose"), *[(str(n), f"{n} {SCALE_WORDS[n]}") for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        error_messages={
            "required": f"Choose the stakeholder's {label.lower()}, from 1 (low) to 5 (high)",
            "invalid_choice": f"The {label.lower()} must be a whole number from 1 to 5",
        },
    )


class StakeholderForm(ChangeForm):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="A person or a group, such as ACM Managers or Health Partners.",
        error_messages={"required": "Enter the stakeholder's name"},
    )
    code = forms.CharField(
        label="Short name", max_length=20, required=False, help_text="Such as ACM. Optional."
    )
    interest = _one_to_five("Interest")
    influence = _one_to_five("Influence")
    notes = _text("Notes", required=False)

    def initial_for(self, stakeholder: Stakeholder) -> dict:
        return {
            "name": stakeholder.name,
            "code": stakeholder.code,
            "interest": stakeholder.interest,
            "influence": stakeholder.influence,
            "notes": stakeholder.notes,
        }

    def details(self) -> StakeholderDetails:
        data = self.cleaned_data
        return StakeholderDetails(
            name=data["name"],
            code=data.get("code", ""),
            interest=data["interest"],
            influence=data["influence"],
            notes=data.get("notes", ""),
        )


class _Audience(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class CommunicationForm(ChangeForm):
    """A line of the communications plan, added or changed (`item`)."""

    audience = _Audience(
        label="Audience",
        queryset=Stakeholder.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The stakeholders it is for.",
        error_messages={"required": "Choose at least one stakeholder it is for"},
    )
    message = _text("Message", help_text="What they are told, or asked.")
    channel = forms.CharField(
        label="Channel",
        max_length=200,
        help_text="Such as Highlight report, Team meetings, Newsletter article.",
        error_messages={"required": "Enter the channel"},
    )
    frequency = forms.ChoiceField(
        label="Frequency",
        choices=[("", "Choose"), *CommunicationFrequency.choices],
        error_messages={"required": "Choose how often it is sent"},
    )
    owner = _People(
        label="Owner",
        queryset=Person.objects.none(),
        empty_label="Choose who owns it",
        help_text="They are emailed on the day it is due.",
        error_messages={"required": "Choose who owns it"},
    )
    next_on = DayDateField(
        label="Next due", required=False, help_text="Blank only if it is sent as needed."
    )

    def __init__(
        self, data=None, *, programme: Programme, item: CommunicationItem | None = None, **kw
    ):
        super().__init__(data, instance=item, **kw)
        self.fields["audience"].queryset = Stakeholder.objects.filter(programme=programme).order_by(
            "name"
        )
        self.fields["owner"].queryset = programme_people(programme)

    def initial_for(self, item: CommunicationItem) -> dict:
        return {
            "audience": [stakeholder.pk for stakeholder in item.audience.all()],
            "message": item.message,
            "channel": item.channel,
            "frequency": item.frequency,
            "owner": item.owner_id,
            "next_on": item.next_on,
        }

    def details(self) -> CommunicationDetails:
        data = self.cleaned_data
        return CommunicationDetails(
            message=data["message"],
            channel=data["channel"],
            frequency=data["frequency"],
            owner_id=data["owner"].pk if data.get("owner") else None,
            next_on=data.get("next_on"),
            audience_ids=[stakeholder.pk for stakeholder in data.get("audience", [])],
        )


class SentForm(forms.Form):
    """What was sent: when, and a note."""

    sent_on = DayDateField(label="Date sent", help_text="For example, 14 12 2026.")
    note = _text(
        "Note", required=False, help_text="What went out, to whom, any response. Optional."
    )
