"""Filters of the change control log (DOMAIN.md sections 6 and 7: every list filters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from programmes.filtersets import ProgrammeFilterSet, SearchFilter
from programmes.models import ProgrammeArea
from reporting.models import AWAITING_DECISION, ChangeDecider, ChangeRequest, ChangeStatus

AWAITING = "awaiting"


class ChangeFilterSet(ProgrammeFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(AWAITING, "Awaiting a decision"), *ChangeStatus.choices],
        empty_label="Any status",
        method="filter_status",
    )
    area = django_filters.ModelChoiceFilter(
        label="Area",
        queryset=ProgrammeArea.objects.none(),
        empty_label="All areas",
        method="filter_area",
    )
    decided_by = django_filters.ChoiceFilter(
        label="Decided by", choices=ChangeDecider.choices, empty_label="Anyone"
    )
    q = SearchFilter(fields=["reference", "title"], label="Search by reference or title")

    class Meta:
        model = ChangeRequest
        fields = []

    def limit_choices(self, programme) -> None:
        self.filters["area"].queryset = ProgrammeArea.objects.filter(programme=programme)

    def filter_status(self, queryset, name, value):
        if value == AWAITING:
            return queryset.filter(status__in=AWAITING_DECISION)
        return queryset.filter(status=value)

    def filter_area(self, queryset, name, value):
        return queryset.filter(Q(area=value) | Q(workstream__area=value))
