"""The form a project manager (or the programme office) writes an exception's narrative with.
The limits and their messages are those of `reporting.narratives`, shared with the service."""

from __future__ import annotations

from django import forms

from programmes.forms import ChangeForm
from reporting.models import ExceptionNarrative
from reporting.narratives import NARRATIVE_FIELDS, TEXT_LIMIT


def _text(label: str, name: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=help_text,
        error_messages={
            "max_length": f"{NARRATIVE_FIELDS[name]} must be {TEXT_LIMIT:,} characters or fewer"
        },
    )


class NarrativeForm(ChangeForm):
    """The narrative of one exception: written afresh, or the one there is (`narrative`). A
    blank version says there was none when the writer opened the page."""

    blank_version_adds = True
    cause = _text("Cause", "cause", "Why the tolerance was breached, or is forecast to be.")
    consequences = _text(
        "Consequences",
        "consequences",
        "What happens to the programme's time, cost, benefits or risks if nothing changes.",
    )
    options = _text(
        "Options",
        "options",
        "The ways forward, each with its effect on time, cost and benefits.",
    )
    recommendation = _text("Recommendation", "recommendation", "The option you recommend, and why.")
    decision_required = _text(
        "Decision required",
        "decision_required",
        "What the board is asked to decide, and by when.",
    )

    def __init__(self, data=None, *, narrative: ExceptionNarrative | None = None, **kwargs):
        super().__init__(data, instance=narrative, **kwargs)

    def initial_for(self, narrative: ExceptionNarrative) -> dict:
        return {name: getattr(narrative, name) for name in NARRATIVE_FIELDS}


class ReopenForm(forms.Form):
    """Why a closed period is being reopened: kept in its history and shown on the page."""

    reason = forms.CharField(
        label="Why is the period being reopened?",
        max_length=100,
        help_text="For example: a lead's update for 3.2 was submitted with the wrong dates. "
        "Everyone who sees the periods page sees this.",
        error_messages={
            "required": "Say why the period is being reopened",
            "max_length": "The reason must be 100 characters or fewer",
        },
    )


class SendBackForm(forms.Form):
    """What needs to change, for the author of what is sent back."""

    comment = forms.CharField(
        label="What needs to change?",
        max_length=4000,
        widget=forms.Textarea,
        help_text="The author is emailed this with a link, and it is kept with the item's "
        "comments.",
        error_messages={
            "required": "Say what needs to change before sending it back",
            "max_length": "The comment must be 4,000 characters or fewer",
        },
    )
