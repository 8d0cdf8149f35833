"""What the filters of every list share (DOMAIN.md section 6: "Every list filters").

A list is always inside one programme: its filters offer only that programme's areas,
workstreams and people. Most filters narrow the database query; a few are on values the
system computes in Python (a RAG as of today), which no query can see: those leave the
queryset alone and the filterset applies them to the rated rows in `filter_rows`.
"""

from __future__ import annotations

from collections.abc import Sequence

import django_filters
from django.db.models import Q


class SearchFilter(django_filters.CharFilter):
    """Free text found anywhere in a few fields (reference, title), ignoring case."""

    def __init__(self, *, fields: Sequence[str], **kwargs):
        self.search_fields = tuple(fields)
        kwargs.setdefault("label", "Search")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return qs.filter(condition)


class ComputedChoiceFilter(django_filters.ChoiceFilter):
    """A choice on a computed value: validated with the form, applied by `filter_rows`."""

    def filter(self, qs, value):
        return qs


class ProgrammeFilterSet(django_filters.FilterSet):
    """The filters of a list inside one programme.

    Subclasses offer choices from the programme alone (`limit_choices`) and apply their
    computed filters to the rows (`filter_rows`). A form with errors filters nothing in:
    the list shows no rows and the errors, never rows the user did not ask for.
    """

    def __init__(self, data, *, programme, queryset):
        super().__init__(data, queryset=queryset)
        self.programme = programme
        self.limit_choices(programme)

    def limit_choices(self, programme) -> None:
        """Restrict each choice of area, workstream or person to the programme's own."""

    def value(self, name: str):
        """A filter's cleaned value, or None when it is not given or not valid."""
        if not self.is_valid():
            return None
        return self.form.cleaned_data.get(name) or None

    def filter_rows(self, rows: list) -> list:
        """Apply the computed filters to rows already narrowed by the query."""
        return rows
