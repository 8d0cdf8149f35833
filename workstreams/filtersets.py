"""Filters of the workstream, milestone and measure lists (DOMAIN.md section 6).

The query narrows by area, workstream, lead, kind, status and search; the RAG as of today
and the milestone's due state are computed in Python over the narrowed rows, with the same
rules as every other page (`workstreams.assessment`).
"""

from __future__ import annotations

from datetime import date

import django_filters

from programmes.choices import Rag
from programmes.filtersets import ComputedChoiceFilter, ProgrammeFilterSet, SearchFilter
from programmes.models import Person, ProgrammeArea
from workstreams.models import (
    Measure,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Workstream,
)
from workstreams.rules import is_due_in_month, was_completed_in_month

NOT_REPORTED = "not_reported"

MILESTONE_RAGS = [
    (rag.value, rag.label)
    for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_STARTED, Rag.NO_DATA)
]
MEASURE_RAGS = [(rag.value, rag.label) for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NO_DATA)]


def _due(milestone: Milestone) -> date | None:
    due = milestone.due
    return due.value if due else None


DUE_CHOICES = [
    ("this_month", "Due this month"),
    ("overdue", "Overdue"),
    ("completed_this_period", "Completed this month"),
    ("slipped", "Slipped beyond tolerance"),
]


def _matches_due(row, due: str, as_of: date) -> bool:
    milestone = row.milestone
    actual = milestone.actual_date
    if due == "this_month":
        return is_due_in_month(_due(milestone), actual, as_of)
    if due == "overdue":
        return row.rating.is_overdue  # as the assessment found, as on the dashboard
    if due == "completed_this_period":
        return was_completed_in_month(actual, as_of)
    return row.rating.has_slipped


class WorkstreamFilterSet(ProgrammeFilterSet):
    area = django_filters.ModelChoiceFilter(
        queryset=ProgrammeArea.objects.none(), empty_label="All areas"
    )
    lead = django_filters.ModelChoiceFilter(queryset=Person.objects.none(), empty_label="Anyone")
    rag = ComputedChoiceFilter(label="Reported RAG", choices=[], empty_label="Any rating")
    q = SearchFilter(fields=["reference", "name"], label="Search by reference or name")

    class Meta:
        model = Workstream
        fields = []

    def limit_choices(self, programme) -> None:
        self.filters["area"].queryset = ProgrammeArea.objects.filter(programme=programme)
        self.filters["lead"].queryset = (
            Person.objects.filter(led_workstreams__programme=programme).distinct().order_by("name")
        )
        self.filters["rag"].extra["choices"] = [
            *programme.rating_choices,
            (Rag.COMPLETE.value, Rag.COMPLETE.label),
            (NOT_REPORTED, "Not reported"),
        ]

    def filter_rows(self, rows: list) -> list:
        rag = self.value("rag")
        if rag == NOT_REPORTED:
            return [row for row in rows if row.reported is None]
        if rag:
            return [row for row in rows if row.reported == rag]
        return rows


class MilestoneFilterSet(ProgrammeFilterSet):
    area = django_filters.ModelChoiceFilter(
        field_name="workstream__area",
        label="Area",
        queryset=ProgrammeArea.objects.none(),
        empty_label="All areas",
    )
    workstream = django_filters.ModelChoiceFilter(
        queryset=Workstream.objects.none(), empty_label="All workstreams"
    )
    kind = django_filters.ChoiceFilter(choices=MilestoneKind.choices, empty_label="All kinds")
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, empty_label="Any status")
    rag = ComputedChoiceFilter(label="RAG", choices=MILESTONE_RAGS, empty_label="Any rating")
    due = ComputedChoiceFilter(label="Due", choices=DUE_CHOICES, empty_label="Any time")
    q = SearchFilter(fields=["reference", "title"], label="Search by reference or title")

    class Meta:
        model = Milestone
        fields = []

    def __init__(self, data, *, programme, queryset, as_of: date):
        super().__init__(data, programme=programme, queryset=queryset)
        self.as_of = as_of

    def limit_choices(self, programme) -> None:
        self.filters["area"].queryset = ProgrammeArea.objects.filter(programme=programme)
        self.filters["workstream"].queryset = Workstream.objects.filter(programme=programme)

    def filter_rows(self, rows: list) -> list:
        rag, due = self.value("rag"), self.value("due")
        if rag:
            rows = [row for row in rows if row.result.rag == rag]
        if due:
            rows = [row for row in rows if _matches_due(row, due, self.as_of)]
        return rows


class MeasureFilterSet(ProgrammeFilterSet):
    area = django_filters.ModelChoiceFilter(
        field_name="workstream__area",
        label="Area",
        queryset=ProgrammeArea.objects.none(),
        empty_label="All areas",
    )
    workstream = django_filters.ModelChoiceFilter(
        queryset=Workstream.objects.none(), empty_label="All workstreams"
    )
    rag = ComputedChoiceFilter(label="RAG", choices=MEASURE_RAGS, empty_label="Any rating")
    q = SearchFilter(fields=["reference", "title"], label="Search by reference or title")

    class Meta:
        model = Measure
        fields = []

    def limit_choices(self, programme) -> None:
        self.filters["area"].queryset = ProgrammeArea.objects.filter(programme=programme)
        self.filters["workstream"].queryset = Workstream.objects.filter(programme=programme)

    def filter_rows(self, rows: list) -> list:
        rag = self.value("rag")
        if rag:
            return [row for row in rows if row.result.rag == rag]
        return rows
