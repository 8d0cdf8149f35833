"""Forms for the decision log and board meetings. Each shows every problem next to its field;
the checks themselves live in `risks.services.governance`, shared with the services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from programmes.dates import PlanDate, day_label
from programmes.forms import ChangeForm, DayDateField, PlanDateField, free_reference
from programmes.models import Programme
from risks.models import BoardMeeting, Decision, DecisionStatus
from risks.services.governance import (
    DecisionDetails,
    DecisionScopes,
    MeetingDetails,
    chair_candidates,
    decision_problems,
)
from workstreams.models import Milestone


def _add_problems(form: forms.Form, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, message)


class _Labelled(forms.ModelChoiceField):
    """A select whose options read as people name the things: "1.1.3 Staff consultation"."""

    def __init__(self, *args, label_from=str, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        text = self._label_from(obj)
        return text if len(text) <= 90 else text[:87] + "..."


def meeting_label(meeting: BoardMeeting) -> str:
    return f"{meeting.title}, {day_label(meeting.held_on)}"


class DecisionForm(ChangeForm):
    """A decision added to the log, or changed (`decision`): opens showing all it holds."""

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your own reference, such as D-1.1.3 or KD12.",
        error_messages={"required": "Enter the decision's reference"},
    )
    title = forms.CharField(
        label="Decision",
        max_length=300,
        help_text="A short title, as the board will see it on its agenda.",
        error_messages={"required": "Enter the decision's title"},
    )
    description = forms.CharField(
        label="What is asked",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="What the board or committee is asked to decide, and the options.",
        error_messages={"max_length": "What is asked must be 4,000 characters or fewer"},
    )
    forum = forms.CharField(
        label="Who decides",
        required=False,
        max_length=100,
        help_text="Choose a suggestion or type another forum. Leave blank for the programme's "
        "board.",
    )
    needed_by = PlanDateField(
        label="Date needed",
        required=False,
        help_text="For example, 14 4 2027, or only the month and year: 4 2027.",
    )
    workstream = forms.ModelChoiceField(
        label="Workstream",
        queryset=None,
        required=False,
        empty_label="None: a programme-level decision",
        help_text="A decision linked to a milestone is in that milestone's workstream.",
    )
    milestone = _Labelled(
        label="Linked milestone",
        queryset=None,
        required=False,
        empty_label="No milestone",
        label_from=lambda m: f"{m.reference} {m.title}",
    )
    meeting = _Labelled(
        label="Board meeting",
        queryset=None,
        required=False,
        empty_label="Not on a meeting's agenda",
        label_from=meeting_label,
        help_text="The meeting whose agenda the decision is on.",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=DecisionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision's status"},
    )
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="What was decided; for a deferred decision, why it was deferred.",
        error_messages={"max_length": "The outcome must be 4,000 characters or fewer"},
    )
    made_on = DayDateField(
        label="Date made", required=False, help_text="For a decision made. For example, 3 4 2027."
    )

    def __init__(
        self,
        data=None,
        *,
        programme: Programme,
        scopes: DecisionScopes,
        decision: Decision | None = None,
        today: date | None = None,
        **kwargs,
    ):
        self.programme = programme
        self.decision = decision
        self.today = today or timezone.localdate()
        kwargs.setdefault("initial", {}).setdefault("status", DecisionStatus.PENDING)
        super().__init__(data, instance=decision, **kwargs)
        workstream_ids = [workstream.pk for workstream in scopes.workstreams]
        workstream_field = self.fields["workstream"]
        workstream_field.queryset = programme.workstreams.filter(pk__in=workstream_ids).order_by(
            "sort_key"
        )
        if not scopes.programme_level:
            workstream_field.required = True
            workstream_field.empty_label = None
            workstream_field.help_text = (
                "One of the workstreams whose decisions you keep. " + workstream_field.help_text
            )
            workstream_field.error_messages["required"] = "Choose the decision's workstream"
        milestones = Milestone.objects.filter(workstream__programme=programme)
        if not scopes.programme_level:
            milestones = milestones.filter(workstream_id__in=workstream_ids)
        self.fields["milestone"].queryset = milestones.order_by(
            "workstream__sort_key", "position", "sort_key"
        )
        self.fields["meeting"].queryset = BoardMeeting.objects.filter(programme=programme).order_by(
            "held_on", "pk"
        )

    def initial_for(self, decision: Decision) -> dict:
        return decision_initial(decision)

    def clean_reference(self):
        return free_reference(
            self.cleaned_data["reference"],
            Decision.objects.filter(programme=self.programme),
            instance=self.decision,
            parent="programme",
            noun="decision",
        )

    def clean(self):
        data = super().clean()
        if "status" in data:
            previous = self.decision
            _add_problems(
                self,
                decision_problems(
                    status=data["status"],
                    outcome=data.get("outcome", ""),
                    made_on=data.get("made_on"),
                    needed_by=data.get("needed_by"),
                    today=self.today,
                    previous_status=previous.status if previous else None,
                    previous_needed_by=PlanDate.from_fields(
                        previous.needed_by, previous.needed_by_precision
                    )
                    if previous
                    else None,
                ),
            )
        milestone, workstream = data.get("milestone"), data.get("workstream")
        if milestone and workstream and milestone.workstream_id != workstream.pk:
            self.add_error(
                "milestone",
                "The milestone is in another workstream: choose its workstream, or leave the "
                "workstream blank",
            )
        return data

    def details(self) -> DecisionDetails:
        data = self.cleaned_data
        return DecisionDetails(
            reference=data["reference"],
            title=data["title"],
            description=data.get("description", ""),
            forum=data.get("forum", ""),
            needed_by=data.get("needed_by"),
            status=data["status"],
            outcome=data.get("outcome", ""),
            made_on=data.get("made_on"),
            milestone_id=data["milestone"].pk if data.get("milestone") else None,
            workstream_id=data["workstream"].pk if data.get("workstream") else None,
            meeting_id=data["meeting"].pk if data.get("meeting") else None,
        )


def decision_initial(decision: Decision) -> dict:
    return {
        "reference": decision.reference,
        "title": decision.title,
        "description": decision.description,
        "forum": decision.forum,
        "needed_by": PlanDate.from_fields(decision.needed_by, decision.needed_by_precision),
        "workstream": decision.workstream_id,
        "milestone": decision.milestone_id,
        "meeting": decision.meeting_id,
        "status": decision.status,
        "outcome": decision.outcome,
        "made_on": decision.made_on,
    }


def initial_from_milestone(milestone: Milestone, programme: Programme) -> dict:
    """A new decision for a key-decision milestone: its title, forum and due date."""
    return {
        "title": milestone.title,
        "forum": milestone.forum or programme.board_name,
        "needed_by": milestone.due,
        "workstream": milestone.workstream_id,
        "milestone": milestone.pk,
        "description": milestone.description,
    }


class RecordDecisionForm(ChangeForm):
    """The chair's record of a decision made at the meeting: opens dated the meeting's day."""

    outcome = forms.CharField(
        label="Outcome",
        max_length=4000,
        widget=forms.Textarea,
        help_text="What the board decided, as the minutes will say.",
        error_messages={
            "required": "Enter the outcome: what was decided",
            "max_length": "The outcome must be 4,000 characters or fewer",
        },
    )
    made_on = DayDateField(label="Date the decision was made")

    def __init__(self, data=None, *, decision: Decision, meeting: BoardMeeting, **kwargs):
        self.decision = decision
        self.meeting = meeting
        kwargs.setdefault("prefix", f"record-{decision.pk}")
        super().__init__(data, instance=decision, **kwargs)

    def initial_for(self, decision: Decision) -> dict:
        return {"made_on": self.meeting.held_on}


class MeetingForm(ChangeForm):
    """A board meeting added, or changed (`meeting`): opens showing all it holds."""

    held_on = DayDateField(label="Date of the meeting", help_text="For example, 14 4 2027.")
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="The board or committee meeting, as its papers name it.",
        error_messages={"required": "Enter the meeting's title"},
    )
    chair = _Labelled(
        label="Chair",
        queryset=None,
        required=False,
        empty_label="Not yet known",
        label_from=lambda person: (
            f"{person.description} (board member)"
            if getattr(person, "is_board_member", False)
            else person.description
        ),
        help_text="The board member who chairs it may record the decisions made there.",
    )
    location = forms.CharField(label="Location", required=False, max_length=200)
    minutes = forms.CharField(
        label="Other minutes",
        required=False,
        max_length=20000,
        widget=forms.Textarea,
        help_text="Anything not under an agenda item, such as any other business. Each item's "
        "minutes are recorded with the item.",
        error_messages={"max_length": "The minutes must be 20,000 characters or fewer"},
    )

    def __init__(
        self, data=None, *, programme: Programme, meeting: BoardMeeting | None = None, **kwargs
    ):
        kwargs.setdefault("initial", {}).setdefault("title", programme.board_name)
        super().__init__(data, instance=meeting, **kwargs)
        self.fields["chair"].queryset = chair_candidates(
            programme, keeping=meeting.chair_id if meeting is not None else None
        )

    def initial_for(self, meeting: BoardMeeting) -> dict:
        return {
            "held_on": meeting.held_on,
            "title": meeting.title,
            "chair": meeting.chair_id,
            "location": meeting.location,
            "minutes": meeting.minutes,
        }

    def details(self) -> MeetingDetails:
        data = self.cleaned_data
        return MeetingDetails(
            held_on=data["held_on"],
            title=data["title"],
            chair_id=data["chair"].pk if data.get("chair") else None,
            location=data.get("location", ""),
            minutes=data.get("minutes", ""),
        )


class AgendaForm(forms.Form):
    decision = _Labelled(
        label="Put a decision on this agenda",
        queryset=None,
        empty_label="Choose a decision",
        label_from=lambda d: (
            f"{d.reference} {d.title}"
            + (f" (now on the agenda of {meeting_label(d.meeting)})" if d.meeting_id else "")
        ),
        error_messages={"required": "Choose the decision to put on the agenda"},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = candidates
