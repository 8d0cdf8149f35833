"""Form fields shared by every app: dates as plans write them, in the GOV.UK date input pattern."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from programmes.choices import DatePrecision
from programmes.dates import PlanDate


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input). Rendered by the govuk_field tag."""

    def __init__(self, attrs=None):
        widgets = [forms.TextInput(), forms.TextInput(), forms.TextInput()]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, PlanDate):
            day = "" if value.is_month else value.value.day
            return [day, value.value.month, value.value.year]
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class _DateParts(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, *, label: str, **kwargs):
        self.noun = label
        fields = [forms.CharField(required=False)] * 3
        super().__init__(fields=fields, require_all_fields=False, label=label, **kwargs)

    def _parts(self, values) -> tuple[int | None, int | None, int | None] | None:
        day, month, year = ((value or "").strip() for value in (values or ["", "", ""]))
        if not (day or month or year):
            return None
        try:
            numbers = [int(part) if part else None for part in (day, month, year)]
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date") from None
        return tuple(numbers)

    def _year(self, year: int | None) -> int:
        if year is None:
            raise ValidationError(f"{self.noun} must include a year")
        if not 1900 <= year <= 2200:
            raise ValidationError(f"{self.noun} must be a real date, with a four-digit year")
        return year


class PlanDateField(_DateParts):
    """A date that may be a day or only a month ("Sep 2026"): leave the day blank for a month.

    Cleans to a PlanDate (a month is its last day, with month precision) or None.
    """

    def compress(self, data_list):
        parts = self._parts(data_list)
        if parts is None:
            if self.required:
                raise ValidationError(f"Enter the {self.noun.lower()}")
            return None
        day, month, year = parts
        if month is None:
            raise ValidationError(f"{self.noun} must include a month")
        year = self._year(year)
        try:
            if day is None:
                return PlanDate.of_month(year, month)
            return PlanDate.of_day(date(year, month, day))
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date") from None

    def clean(self, value):
        # MultiValueField skips compress() when every part is empty and the field is optional.
        return self.compress(value)


class DayDateField(_DateParts):
    """A date to the day, in the GOV.UK date input pattern. Cleans to a date or None."""

    def compress(self, data_list):
        parts = self._parts(data_list)
        if parts is None:
            if self.required:
                raise ValidationError(f"Enter the {self.noun.lower()}")
            return None
        day, month, year = parts
        if day is None:
            raise ValidationError(f"{self.noun} must include a day")
        if month is None:
            raise ValidationError(f"{self.noun} must include a month")
        year = self._year(year)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date") from None

    def clean(self, value):
        return self.compress(value)


def plan_date_from_fields(value: date | None, precision: str | None) -> PlanDate | None:
    return PlanDate.from_fields(value, precision or DatePrecision.DAY)


class VersionField(forms.IntegerField):
    """The version of the object the user started editing, for optimistic concurrency."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)


class ProgrammeSettingsForm(forms.Form):
    """The programme office's settings: board, RAG scale, the board's own rating, tolerances,
    risk bands and reminders (DOMAIN.md section 3)."""

    board_name = forms.CharField(label="Name of the board", max_length=200)
    rag_scale = forms.ChoiceField(label="Rating scale", widget=forms.RadioSelect)
    overall_rag = forms.ChoiceField(
        label="The board's overall rating",
        required=False,
        help_text="Leave as 'Not set' to show only the rating rolled up from the workstreams.",
    )
    overall_commentary = forms.CharField(
        label="The board's commentary", required=False, max_length=4000, widget=forms.Textarea
    )
    time_tolerance_days = forms.IntegerField(
        label="Time tolerance, in days",
        min_value=0,
        max_value=365,
        help_text="How far a milestone's forecast may pass its baseline before it is Red.",
    )
    cost_tolerance_percent = forms.DecimalField(
        label="Cost tolerance, in percent",
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput,
    )
    benefit_tolerance_percent = forms.DecimalField(
        label="Benefits tolerance, in percent",
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput,
        help_text="How far a measure may miss its target and be Amber rather than Red.",
    )
    risk_tolerance_score = forms.IntegerField(
        label="Risks go to the board from this score", min_value=1, max_value=25
    )
    risk_amber_from = forms.IntegerField(
        label="Risk scores are Amber from", min_value=2, max_value=24
    )
    risk_red_from = forms.IntegerField(label="Risk scores are Red from", min_value=3, max_value=25)
    reminder_days = forms.IntegerField(
        label="Remind leads this many days before the cut-off", min_value=0, max_value=28
    )
    report_working_day = forms.IntegerField(
        label="Make last month's reports on this working day of the month",
        min_value=1,
        max_value=15,
        help_text="3 means the third working day: Monday to Friday, not counting bank holidays.",
    )
    auto_close_periods = forms.BooleanField(
        label="Close each reporting period at the end of its month", required=False
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        from programmes.choices import FIVE_POINT_RATINGS, Rag, RagScale

        super().__init__(*args, **kwargs)
        self.fields["rag_scale"].choices = RagScale.choices
        self.fields["overall_rag"].choices = [("", "Not set")] + [
            (rag.value, Rag(rag).label) for rag in FIVE_POINT_RATINGS
        ]

    def clean(self):
        from programmes.rules import ratings_on_scale

        data = super().clean()
        amber, red = data.get("risk_amber_from"), data.get("risk_red_from")
        if amber is not None and red is not None and amber >= red:
            self.add_error("risk_red_from", "Red must start above where Amber starts")
        allowed = ratings_on_scale(data.get("rag_scale"))
        if data.get("overall_rag") and data["overall_rag"] not in allowed:
            self.add_error("overall_rag", "Choose a rating on the programme's own scale")
        return data


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def with_version(form_class, request, stored_version: int, **kwargs):
    """Rebuild a bound form at the stored version, keeping everything the user typed, so
    that their next save goes through once they have seen the other change."""
    data = request.POST.copy()
    data["version"] = str(stored_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form
