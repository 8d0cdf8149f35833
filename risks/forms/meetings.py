"""Forms for a board meeting's agenda, its list of people, its papers, and the action log.
Each shows every problem next to its field; the checks themselves live in
`risks.services.meetings` and `risks.papers`, shared with the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from programmes.dates import day_label
from programmes.forms import ChangeForm, DayDateField
from programmes.models import Person, Programme
from risks.forms.governance import meeting_label
from risks.meetings import programme_people
from risks.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AttendanceStatus,
    BoardMeeting,
    Decision,
    MeetingPaper,
)
from risks.papers import ACCEPT, check_paper, max_paper_bytes, size_words
from risks.services.meetings import NOT_LISTED, ActionDetails, AgendaItemDetails


class _Named(forms.ModelChoiceField):
    """A select whose options read as people name things; long ones are cut."""

    def __init__(self, *args, label_from=str, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        text = self._label_from(obj)
        return text if len(text) <= 90 else text[:87] + "..."


def _person_label(person: Person) -> str:
    return person.description


class AgendaItemForm(ChangeForm):
    """An item added to a meeting's agenda, or changed (`item`): changing one also records its
    minutes and the decisions taken under it."""

    title = forms.CharField(
        label="Title",
        max_length=300,
        help_text="As the agenda names it, such as 'Highlight report for October'.",
        error_messages={"required": "Enter the item's title"},
    )
    presenter = _Named(
        label="Presenter",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not yet known",
        label_from=_person_label,
    )
    paper = _Named(
        label="Paper",
        queryset=MeetingPaper.objects.none(),
        required=False,
        empty_label="No paper",
        help_text="One of the papers uploaded for this meeting.",
    )
    decision_sought = forms.CharField(
        label="Decision sought",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="What the board is asked to decide under this item, if anything.",
        error_messages={"max_length": "The decision sought must be 4,000 characters or fewer"},
    )
    decisions = forms.ModelMultipleChoiceField(
        label="Decisions taken under this item",
        queryset=Decision.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Decisions on this meeting's agenda. Record each one as made on the "
        "meeting's page.",
    )
    minutes = forms.CharField(
        label="Minutes of this item",
        required=False,
        max_length=20000,
        widget=forms.Textarea,
        help_text="What was said and agreed, as the minutes will show it.",
        error_messages={"max_length": "The minutes must be 20,000 characters or fewer"},
    )

    def __init__(
        self, data=None, *, meeting: BoardMeeting, item: AgendaItem | None = None, **kwargs
    ):
        super().__init__(data, instance=item, **kwargs)
        self.meeting = meeting
        self.fields["presenter"].queryset = programme_people(meeting.programme)
        self.fields["paper"].queryset = MeetingPaper.objects.filter(meeting=meeting).order_by(
            "uploaded_at", "pk"
        )
        if item is None:
            del self.fields["decisions"]
            del self.fields["minutes"]
        else:
            self.fields["decisions"].queryset = Decision.objects.filter(meeting=meeting).order_by(
                "sort_key"
            )
            self.fields["decisions"].label_from_instance = lambda d: f"{d.reference} {d.title}"

    def initial_for(self, item: AgendaItem) -> dict:
        return {
            "title": item.title,
            "presenter": item.presenter_id,
            "paper": item.paper_id,
            "decision_sought": item.decision_sought,
            "decisions": [d.pk for d in Decision.objects.filter(agenda_item=item)],
            "minutes": item.minutes,
        }

    def details(self) -> AgendaItemDetails:
        data = self.cleaned_data
        decisions = data.get("decisions")
        return AgendaItemDetails(
            title=data["title"],
            presenter_id=data["presenter"].pk if data.get("presenter") else None,
            paper_id=data["paper"].pk if data.get("paper") else None,
            decision_sought=data.get("decision_sought", ""),
            minutes=data.get("minutes") if "minutes" in self.fields else None,
            decision_ids=[d.pk for d in decisions] if "decisions" in self.fields else None,
        )


STATUS_CHOICES = [
    (NOT_LISTED, "Not on the list"),
    *AttendanceStatus.choices,
]


class AttendanceForm(ChangeForm):
    """Who of the programme's people are invited to a meeting, came, or sent apologies: a
    choice for each person with a role in the programme and each already on the list, and
    someone else of the organisation to add."""

    add_person = _Named(
        label="Invite someone else",
        queryset=Person.objects.none(),
        required=False,
        empty_label="No one else",
        label_from=_person_label,
        help_text="Someone of the organisation without a role in the programme.",
    )

    def __init__(self, data=None, *, meeting: BoardMeeting, listed: dict[int, str], **kwargs):
        """`listed`: person id -> their status on the list now."""
        self.meeting = meeting
        self.listed = listed
        kwargs.setdefault("initial", {})
        super().__init__(data, instance=meeting, **kwargs)
        self.people = people = list(
            Person.objects.filter(
                Q(pk__in=list(listed)) | Q(memberships__programme_id=meeting.programme_id)
            )
            .distinct()
            .order_by("name", "pk")
        )
        for person in people:
            name = f"person-{person.pk}"
            self.fields[name] = forms.ChoiceField(
                label=person.description,
                choices=STATUS_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
            if data is None:
                self.initial[name] = listed.get(person.pk, NOT_LISTED)
        self.fields["add_person"].queryset = programme_people(meeting.programme).exclude(
            pk__in=[person.pk for person in people]
        )
        self.fields["add_person"] = self.fields.pop("add_person")

    def person_fields(self):
        return [self[f"person-{person.pk}"] for person in self.people]

    def statuses(self) -> dict[int, str]:
        data = self.cleaned_data
        statuses = {}
        for person in self.people:
            chosen = data.get(f"person-{person.pk}") or NOT_LISTED
            if chosen != self.listed.get(person.pk, NOT_LISTED):
                statuses[person.pk] = chosen
        added = data.get("add_person")
        if added is not None:
            statuses[added.pk] = AttendanceStatus.INVITED
        return statuses


class PaperForm(ChangeForm):
    """A paper uploaded for a meeting: refused by the file field, and never stored, if it is
    not a PDF, Word, Excel or PowerPoint file, or too large."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="As the agenda and the board pack will name it.",
        error_messages={"required": "Enter the paper's title"},
    )
    file = forms.FileField(
        label="File",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )
    agenda_item = _Named(
        label="Agenda item",
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label="None yet",
        help_text="The item the paper is for, if it is on the agenda already.",
    )

    def __init__(self, data=None, files=None, *, meeting: BoardMeeting, **kwargs):
        super().__init__(data, files=files, **kwargs)
        self.meeting = meeting
        self.fields[
            "file"
        ].help_text = (
            f"A PDF, Word, Excel or PowerPoint file, {size_words(max_paper_bytes())} or smaller."
        )
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(meeting=meeting).order_by(
            "position", "pk"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_paper(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from None
        return upload


def _meeting_option(meeting: BoardMeeting) -> str:
    return meeting_label(meeting)


def _item_option(item: AgendaItem) -> str:
    return f"{day_label(item.meeting.held_on)}: {item.title}"


class ActionForm(ChangeForm):
    """An action added to the log, or changed (`action`): opens showing all it holds."""

    description = forms.CharField(
        label="Action",
        max_length=4000,
        widget=forms.Textarea,
        help_text="What is to be done, as the minutes will say it.",
        error_messages={"required": "Describe the action"},
    )
    owner = _Named(
        label="Owner",
        queryset=Person.objects.none(),
        empty_label="Choose who owns it",
        label_from=_person_label,
        error_messages={"required": "Choose who owns the action"},
    )
    due_date = DayDateField(label="Due date", help_text="For example, 14 12 2026.")
    meeting = _Named(
        label="Arising from the meeting",
        queryset=BoardMeeting.objects.none(),
        required=False,
        empty_label="No meeting: a standing action",
        label_from=_meeting_option,
    )
    agenda_item = _Named(
        label="Agenda item",
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label="No item",
        label_from=_item_option,
        help_text="The item of the meeting it arose under, if any.",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status"},
    )

    def __init__(
        self,
        data=None,
        *,
        programme: Programme,
        action: ActionItem | None = None,
        meeting: BoardMeeting | None = None,
        **kwargs,
    ):
        """`meeting`, for a new action: the meeting it arises from, whose items are offered
        alone."""
        super().__init__(data, instance=action, **kwargs)
        self.programme = programme
        self.fields["owner"].queryset = programme_people(programme)
        self.fields["meeting"].queryset = BoardMeeting.objects.filter(programme=programme).order_by(
            "-held_on", "-pk"
        )
        items = AgendaItem.objects.filter(meeting__programme=programme).select_related("meeting")
        shown_meeting = meeting or (action.meeting if action is not None else None)
        if shown_meeting is not None:
            items = items.filter(meeting=shown_meeting)
        self.fields["agenda_item"].queryset = items.order_by(
            "-meeting__held_on", "meeting_id", "position", "pk"
        )
        if action is None:
            del self.fields["status"]

    def initial_for(self, action: ActionItem) -> dict:
        return {
            "description": action.description,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "meeting": action.meeting_id,
            "agenda_item": action.agenda_item_id,
            "status": action.status,
        }

    def clean(self):
        data = super().clean()
        meeting, item = data.get("meeting"), data.get("agenda_item")
        if meeting and item and item.meeting_id != meeting.pk:
            self.add_error("agenda_item", "Choose an item of the meeting chosen, or no meeting")
        return data

    def details(self) -> ActionDetails:
        data = self.cleaned_data
        return ActionDetails(
            description=data["description"],
            owner_id=data["owner"].pk if data.get("owner") else None,
            due_date=data.get("due_date"),
            meeting_id=data["meeting"].pk if data.get("meeting") else None,
            agenda_item_id=data["agenda_item"].pk if data.get("agenda_item") else None,
            status=data.get("status"),
        )


class ActionUpdateForm(forms.Form):
    """The owner's update on an action: a note, and whether it is now done."""

    note = forms.CharField(
        label="Update",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="What has been done, or what is in the way.",
        error_messages={"max_length": "The update must be 4,000 characters or fewer"},
    )
    done = forms.BooleanField(label="The action is done", required=False)

    def __init__(self, *args, action: ActionItem, **kwargs):
        super().__init__(*args, **kwargs)
        if action.status != ActionStatus.OPEN:
            del self.fields["done"]

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip() and not data.get("done") and not self.errors:
            self.add_error("note", "Write an update, or mark the action as done")
        return data
