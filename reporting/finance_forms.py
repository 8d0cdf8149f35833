"""The programme office's form for the whole-life cost and the schedule narrative (issue 16).
The rules are the service's (`programmes.money.whole_life_cost_problems`)."""

from __future__ import annotations

from django import forms

from programmes.forms import ChangeForm
from programmes.models import Programme
from programmes.money import FIELDS, WholeLifeCostDetails, whole_life_cost_problems
from workstreams.forms import MoneyField

TEXT_LIMIT = 4000


class WholeLifeCostForm(ChangeForm):
    """Opens showing what the programme holds; either amount may be left blank until known."""

    whole_life_cost_baseline = MoneyField(
        label="Whole-life cost baseline",
        required=False,
        help_text="What the whole programme was approved to cost over its life, in pounds.",
    )
    whole_life_cost_forecast = MoneyField(
        label="Whole-life cost forecast",
        required=False,
        help_text="What it is now forecast to cost over its life, in pounds.",
    )
    whole_life_cost_narrative = forms.CharField(
        label="Narrative on the whole-life cost",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text="Needed when the forecast differs from the baseline: why, and what is done "
        "about it.",
        error_messages={
            "max_length": f"The narrative must be {TEXT_LIMIT:,} characters or fewer",
        },
    )
    schedule_narrative = forms.CharField(
        label="Narrative on the schedule",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text="For the government return: the start and end dates, and any change from "
        "what was planned.",
        error_messages={
            "max_length": f"The narrative must be {TEXT_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, data=None, *, programme: Programme, **kwargs):
        super().__init__(data, instance=programme, **kwargs)

    def initial_for(self, programme: Programme) -> dict:
        return {name: getattr(programme, name) for name in FIELDS}

    def clean(self):
        """The service's rules, asked early so that every problem shows at once by its field
        (a negative amount beside a mistyped one)."""
        data = super().clean()
        problems = whole_life_cost_problems(
            WholeLifeCostDetails(
                baseline=data.get("whole_life_cost_baseline"),
                forecast=data.get("whole_life_cost_forecast"),
                narrative=data.get("whole_life_cost_narrative") or "",
            )
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data
