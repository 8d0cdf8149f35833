"""The API's filters of the RAID log: the register's and the logs' own filters with ids for
areas, workstreams and people, plus `programme` (see programmes.api.filtersets).

Differences from the pages: without `status` the API lists risks of every status (the
register shows open ones); `band` filters on the score against the programme's bands in the
query; movement since the last period needs the history, so the API does not filter on it.
"""

from __future__ import annotations

import django_filters

from programmes.api.filtersets import IdFilter, PageFilterSetForTheAPI
from risks import filtersets as pages
from risks.models import BoardMeeting


class RiskFilterSet(PageFilterSetForTheAPI, pages.RiskFilterSet):
    programme = IdFilter()
    owner = IdFilter()
    area = IdFilter(method="filter_area", label="In the area, or in one of its workstreams")
    workstream = IdFilter()
    band = django_filters.ChoiceFilter(label="Band", choices=pages.BANDS, method="filter_band")
    movement = None

    def filter_band(self, queryset, name, value: str):
        scores = (
            pages.INHERENT
            if self.form.cleaned_data.get("scores") == pages.INHERENT
            else pages.CURRENT
        )
        return queryset.in_band(value, scores=scores)


class IssueFilterSet(PageFilterSetForTheAPI, pages.IssueFilterSet):
    programme = IdFilter()
    owner = IdFilter()
    workstream = IdFilter()


class DecisionFilterSet(PageFilterSetForTheAPI, pages.DecisionFilterSet):
    programme = IdFilter()
    forum = django_filters.CharFilter(label="Forum, such as Programme Board")
    workstream = IdFilter()
    meeting = IdFilter()


class BoardMeetingFilterSet(django_filters.FilterSet):
    programme = IdFilter()
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = BoardMeeting
        fields = []
