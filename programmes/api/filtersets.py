"""What the API's filters share (docs/api.md, "Filters").

The API's lists filter with the pages' own filtersets, adapted: a page's list is inside one
programme and offers that programme's areas, workstreams and people as choices, while an API
list spans every programme the user may see, so it names them by id and adds `programme`.
Computed filters (a RAG as of today, a due state) need the rated rows, which a paged
queryset does not have: the API's filtersets leave them out, or filter on a stored value
of the same meaning.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from programmes.api.fields import EARLIEST_YEAR, LATEST_YEAR, MONTH_PATTERN
from programmes.choices import PeriodStatus, ProgrammeStatus
from programmes.dates import PlanDateError, month_start, parse_plan_date
from programmes.filtersets import SearchFilter
from programmes.models import Programme, ProgrammeArea, ReportingPeriod

BIGGEST_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberFilter(django_filters.Filter):
    field_class = forms.IntegerField


class IdFilter(WholeNumberFilter):
    """An id of a programme, area, workstream or person. A plain number rather than a model
    choice: the list already holds only what the user may see, so an id they may not see
    finds nothing (and reveals nothing), and checking it costs no query."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGGEST_ID)
        super().__init__(**kwargs)


class MonthFormField(forms.CharField):
    """A month as the API writes it ("2026-10"), cleaned to its first day."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            plan_date = parse_plan_date(value)
        except PlanDateError:
            raise ValidationError("Give the month as 2026-10", code="invalid") from None
        if not EARLIEST_YEAR <= plan_date.value.year <= LATEST_YEAR:
            raise ValidationError(
                f"Give a year from {EARLIEST_YEAR} to {LATEST_YEAR}", code="invalid"
            )
        return month_start(plan_date.value)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthFilter(django_filters.Filter):
    """Rows for one month ("2026-10")."""

    field_class = MonthFormField


class PageFilterSetForTheAPI:
    """Mixed in before a page's filterset (a `programmes.filtersets.ProgrammeFilterSet`) to
    serve DRF's DjangoFilterBackend, which builds filtersets from the query and the queryset
    alone: no programme to limit choices to, and no computed rows to filter."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        django_filters.FilterSet.__init__(self, data, queryset, request=request, prefix=prefix)


class ProgrammeFilterSet(django_filters.FilterSet):
    organisation = IdFilter()
    status = django_filters.ChoiceFilter(choices=ProgrammeStatus.choices)
    q = SearchFilter(fields=["reference", "name"], label="Search by reference or name")

    class Meta:
        model = Programme
        fields = []


class ProgrammeAreaFilterSet(django_filters.FilterSet):
    programme = IdFilter()
    q = SearchFilter(fields=["reference", "name"], label="Search by reference or name")

    class Meta:
        model = ProgrammeArea
        fields = []


class ReportingPeriodFilterSet(django_filters.FilterSet):
    programme = IdFilter()
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices)
    month = MonthFilter()

    class Meta:
        model = ReportingPeriod
        fields = []
