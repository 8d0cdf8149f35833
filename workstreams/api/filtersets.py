"""The API's filters of workstreams, milestones, measures, readings, status updates and
budget lines: the pages' filters with ids for areas, workstreams and people, plus
`programme` (see programmes.api.filtersets).

Differences from the pages: a milestone's or measure's RAG and a milestone's due state are
computed from the rated rows, so the API does not filter on them; a workstream's `rag` is
the lead's reported rating, a stored value, and filters as on the page.
"""

from __future__ import annotations

import django_filters

from programmes.api.filtersets import (
    IdFilter,
    MonthFilter,
    PageFilterSetForTheAPI,
    WholeNumberFilter,
)
from programmes.choices import Rag
from workstreams import filtersets as pages
from workstreams.models import BudgetLine, MeasureReading, StatusUpdate, UpdateState

REPORTED_RAGS = [
    *((rag.value, rag.label) for rag in Rag if rag not in (Rag.NOT_STARTED, Rag.NO_DATA)),
    (pages.NOT_REPORTED, "Not reported"),
]


class WorkstreamFilterSet(PageFilterSetForTheAPI, pages.WorkstreamFilterSet):
    programme = IdFilter()
    area = IdFilter()
    lead = IdFilter()
    rag = django_filters.ChoiceFilter(
        label="Reported RAG", choices=REPORTED_RAGS, method="filter_reported_rag"
    )

    def filter_reported_rag(self, queryset, name, value: str):
        if value == pages.NOT_REPORTED:
            return queryset.filter(reported_rag__isnull=True)
        return queryset.filter(reported_rag=value)


class MilestoneFilterSet(PageFilterSetForTheAPI, pages.MilestoneFilterSet):
    programme = IdFilter(field_name="workstream__programme")
    area = IdFilter(field_name="workstream__area")
    workstream = IdFilter()
    owner = IdFilter()
    rag = None
    due = None


class MeasureFilterSet(PageFilterSetForTheAPI, pages.MeasureFilterSet):
    programme = IdFilter(field_name="workstream__programme")
    area = IdFilter(field_name="workstream__area")
    workstream = IdFilter()
    owner = IdFilter()
    rag = None


class ReadingFilterSet(django_filters.FilterSet):
    programme = IdFilter(field_name="measure__workstream__programme")
    workstream = IdFilter(field_name="measure__workstream")
    measure = IdFilter()
    period = MonthFilter()

    class Meta:
        model = MeasureReading
        fields = []


class StatusUpdateFilterSet(django_filters.FilterSet):
    programme = IdFilter(field_name="workstream__programme")
    area = IdFilter(field_name="workstream__area")
    workstream = IdFilter()
    period = IdFilter()
    month = MonthFilter(field_name="period__month")
    state = django_filters.ChoiceFilter(choices=UpdateState.choices)
    rag = django_filters.ChoiceFilter(choices=Rag.choices)

    class Meta:
        model = StatusUpdate
        fields = []


class BudgetLineFilterSet(django_filters.FilterSet):
    programme = IdFilter(field_name="workstream__programme")
    area = IdFilter(field_name="workstream__area")
    workstream = IdFilter()
    financial_year = WholeNumberFilter(
        label="The year the financial year starts in: 2026 for 2026/27",
        min_value=1900,
        max_value=2200,
    )

    class Meta:
        model = BudgetLine
        fields = []
