"""The forms of the benefits register (issue 16, part 1): a benefit with its planned profile
by financial year, the realisation of one year, and the register's filters."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import FinancialYear
from programmes.filtersets import ComputedChoiceFilter, ProgrammeFilterSet, SearchFilter
from programmes.forms import ChangeForm, free_reference
from programmes.models import Person
from workstreams.models import (
    Benefit,
    BenefitConfidence,
    BenefitStatus,
    BenefitType,
    BenefitYear,
    Measure,
    MeasureUnit,
    Workstream,
)
from workstreams.services.benefits import (
    BenefitDetails,
    benefit_problems,
    planned_field,
    profile_years,
    realisation_problems,
)


class AmountField(forms.DecimalField):
    """An amount in the benefit's unit, as people type it: "£1,250.50" as well as 1250.5."""

    widget = forms.TextInput

    def __init__(self, *, label: str, words: str, **kwargs):
        super().__init__(
            label=label,
            max_digits=14,
            decimal_places=2,
            required=False,
            error_messages={
                "invalid": f"{words} must be an amount, like 1200 or 1,200.50",
                "max_decimal_places": f"{words} can have at most 2 decimal places",
                "max_digits": f"{words} must be less than 1,000,000,000,000",
                "max_whole_digits": f"{words} must be less than 1,000,000,000,000",
            },
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").removeprefix("£").strip()
        return super().to_python(value)


def _add_problems(form: forms.Form, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        if name not in form.errors:
            form.add_error(name if name in form.fields else None, message)


class BenefitForm(ChangeForm):
    """A benefit of the register, with its planned profile: added, or changed at the version
    it was opened at (the programme office)."""

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your own reference, such as B1 or CSB-03.",
        error_messages={
            "required": "Enter a reference for the benefit",
            "max_length": "The reference must be 50 characters or fewer",
        },
    )
    title = forms.CharField(
        label="Benefit",
        max_length=300,
        help_text="What improves, such as: Fewer people placed in residential care.",
        error_messages={
            "required": "Enter what the benefit is",
            "max_length": "The benefit must be 300 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Description", required=False, max_length=4000, widget=forms.Textarea
    )
    benefit_type = forms.ChoiceField(
        label="Type",
        choices=BenefitType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of benefit"},
    )
    is_disbenefit = forms.BooleanField(
        label="This is a dis-benefit",
        required=False,
        help_text="An outcome someone sees as negative. Its amounts are its size: coming to "
        "more than planned is worse.",
    )
    unit = forms.ChoiceField(
        label="Counted in",
        choices=MeasureUnit.choices,
        widget=forms.RadioSelect,
        help_text="What the planned and realised amounts count. A cashable saving is in pounds.",
    )
    owner = forms.ModelChoiceField(
        label="Benefit owner",
        queryset=Person.objects.none(),
        required=False,
        empty_label="No owner yet",
        help_text="Who is accountable for realising it, and records what is realised.",
        error_messages={"invalid_choice": "Choose one of the organisation's people"},
    )
    beneficiary = forms.CharField(
        label="Beneficiary",
        required=False,
        max_length=300,
        help_text="Who gains, such as Adult social care, or People with learning disabilities.",
        error_messages={"max_length": "The beneficiary must be 300 characters or fewer"},
    )
    workstreams = forms.ModelMultipleChoiceField(
        label="Workstreams that deliver it",
        queryset=Workstream.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose from the programme's workstreams",
            "invalid_pk_value": "Choose from the programme's workstreams",
        },
    )
    measures = forms.ModelMultipleChoiceField(
        label="Measures that show it",
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose from the programme's measures",
            "invalid_pk_value": "Choose from the programme's measures",
        },
    )
    baseline_value = AmountField(
        label="Baseline",
        words="The baseline",
        help_text="Where things stood before, in the benefit's unit. Leave blank if unknown.",
    )
    baseline_description = forms.CharField(
        label="About the baseline",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="What the baseline is and when it was taken.",
    )
    confidence = forms.ChoiceField(
        label="Confidence", choices=BenefitConfidence.choices, widget=forms.RadioSelect
    )
    status = forms.ChoiceField(label="Status", choices=BenefitStatus.choices)

    def __init__(self, data=None, *, programme, benefit: Benefit | None = None, **kwargs):
        self.programme = programme
        self.benefit = benefit
        stored = list(benefit.years.all()) if benefit is not None else []
        self.stored_years = {year.financial_year: year for year in stored}
        self.years = profile_years(programme, [year.financial_year for year in stored])
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("benefit_type", BenefitType.CASHABLE)
        initial.setdefault("unit", MeasureUnit.POUNDS)
        initial.setdefault("confidence", BenefitConfidence.MEDIUM)
        initial.setdefault("status", BenefitStatus.PLANNED)
        super().__init__(data, instance=benefit, **kwargs)
        self.fields["owner"].queryset = Person.objects.filter(
            organisation_id=programme.organisation_id
        ).order_by("name")
        self.fields["workstreams"].queryset = Workstream.objects.filter(programme=programme)
        self.fields["measures"].queryset = Measure.objects.filter(
            workstream__programme=programme
        ).select_related("workstream")
        self.fields["measures"].label_from_instance = lambda measure: (
            f"{measure.workstream.reference}: {measure.reference} {measure.title}"
        )
        for year in self.years:
            self.fields[planned_field(year)] = AmountField(
                label=str(FinancialYear(year)),
                words=f"The amount planned for {FinancialYear(year)}",
            )
            if benefit is not None and data is None and year in self.stored_years:
                self.initial[planned_field(year)] = self.stored_years[year].planned

    def initial_for(self, benefit: Benefit) -> dict:
        return {
            "reference": benefit.reference,
            "title": benefit.title,
            "description": benefit.description,
            "benefit_type": benefit.benefit_type,
            "is_disbenefit": benefit.is_disbenefit,
            "unit": benefit.unit,
            "owner": benefit.owner_id,
            "beneficiary": benefit.beneficiary,
            "workstreams": [w.pk for w in benefit.workstreams.all()],
            "measures": [m.pk for m in benefit.measures.all()],
            "baseline_value": benefit.baseline_value,
            "baseline_description": benefit.baseline_description,
            "confidence": benefit.confidence,
            "status": benefit.status,
        }

    @property
    def planned_fields(self) -> list:
        return [self[planned_field(year)] for year in self.years]

    def clean_reference(self):
        return free_reference(
            self.cleaned_data["reference"],
            Benefit.objects.filter(programme=self.programme),
            instance=self.benefit,
            parent="programme",
            noun="benefit",
        )

    def clean(self):
        data = super().clean()
        if not self.errors:
            _add_problems(self, benefit_problems(self.details(data), self.programme))
        return data

    def details(self, data=None) -> BenefitDetails:
        data = self.cleaned_data if data is None else data
        return BenefitDetails(
            reference=data["reference"],
            title=data["title"],
            description=data.get("description", ""),
            benefit_type=data["benefit_type"],
            is_disbenefit=data.get("is_disbenefit", False),
            unit=data["unit"],
            owner_id=data["owner"].pk if data.get("owner") else None,
            beneficiary=data.get("beneficiary", ""),
            workstream_ids=[w.pk for w in data.get("workstreams") or []],
            measure_ids=[m.pk for m in data.get("measures") or []],
            baseline_value=data.get("baseline_value"),
            baseline_description=data.get("baseline_description", ""),
            confidence=data["confidence"],
            status=data["status"],
            planned={year: data.get(planned_field(year)) for year in self.years},
        )


class RealisationForm(ChangeForm):
    """What a benefit realised in one financial year, with the evidence (its owner, or the
    programme office). Opens with the year's figures as stored; a year with nothing yet
    opens blank (a blank version: "there was none when I opened the page")."""

    blank_version_adds = True

    realised = AmountField(label="Amount realised", words="The amount realised")
    evidence = forms.CharField(
        label="Evidence",
        max_length=4000,
        widget=forms.Textarea,
        help_text="What shows it was realised: the report, the figures and where they come from.",
        error_messages={
            "required": "Say what shows the benefit was realised: the evidence",
            "max_length": "The evidence must be 4,000 characters or fewer",
        },
    )

    def __init__(self, data=None, *, benefit: Benefit, year: BenefitYear | None, financial_year):
        self.benefit = benefit
        self.year = year
        self.financial_year = financial_year
        # A year with only a planned amount opens blank: nothing realised is recorded yet.
        recorded = (
            year if year is not None and (year.realised is not None or year.evidence) else None
        )
        super().__init__(data, instance=recorded)
        if year is not None and recorded is None and data is None:
            self.initial["version"] = year.version
        unit = MeasureUnit(benefit.unit).label.lower()
        if benefit.is_qualitative:
            self.fields[
                "realised"
            ].help_text = "A qualitative benefit needs no amount: leave blank."
        else:
            self.fields["realised"].help_text = f"In {unit}, for {FinancialYear(financial_year)}."

    def initial_for(self, year: BenefitYear) -> dict:
        return {"realised": year.realised, "evidence": year.evidence}

    def clean(self):
        data = super().clean()
        if not self.errors:
            problems = realisation_problems(
                self.benefit,
                financial_year=self.financial_year,
                realised=data.get("realised"),
                evidence=data.get("evidence", ""),
                today=timezone.localdate(),
            )
            _add_problems(self, problems)
        return data


BENEFIT_RAGS = [(rag.value, rag.label) for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NO_DATA)]


class BenefitFilterSet(ProgrammeFilterSet):
    """The register's filters: type, status, owner, workstream, rating and a search."""

    benefit_type = django_filters.ChoiceFilter(
        label="Type", choices=BenefitType.choices, empty_label="Any"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=BenefitStatus.choices, empty_label="Any"
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=Person.objects.none(), label="Owner", empty_label="Anyone"
    )
    workstream = django_filters.ModelChoiceFilter(
        field_name="workstreams",
        queryset=Workstream.objects.none(),
        label="Workstream",
        empty_label="All",
    )
    rag = ComputedChoiceFilter(label="RAG", choices=BENEFIT_RAGS, empty_label="Any rating")
    q = SearchFilter(fields=["reference", "title"], label="Search by reference or title")

    class Meta:
        model = Benefit
        fields = []

    def limit_choices(self, programme) -> None:
        self.filters["owner"].queryset = Person.objects.filter(
            organisation_id=programme.organisation_id
        ).order_by("name")
        self.filters["workstream"].queryset = Workstream.objects.filter(programme=programme)

    def filter_rows(self, rows: list) -> list:
        rag = self.value("rag")
        if rag:
            return [row for row in rows if row.result.rag == rag]
        return rows
