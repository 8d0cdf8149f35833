"""The API's filters of the RAID log: the register's and the logs' own filters with ids for
areas, workstreams and people, plus `programme` (see programmes.api.filtersets).

Differences from the pages: without `status` the API lists risks of every status (the
register shows open ones); `band` filters on the score against the programme's bands in the
query; movement since the last period needs the history, so the API does not filter on it.
"""

from __future__ import annotations

import django_filters
from django.db.models import F

from programmes.api.filtersets import IdFilter, PageFilterSetForTheAPI
from programmes.choices import Rag
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
        queryset = queryset.alias(band_score=F(f"{scores}_likelihood") * F(f"{scores}_impact"))
        amber_from, red_from = F("programme__risk_amber_from"), F("programme__risk_red_from")
        if value == Rag.RED:
            return queryset.filter(band_score__gte=red_from)
        if value == Rag.AMBER:
            return queryset.filter(band_score__gte=amber_from, band_score__lt=red_from)
        return queryset.filter(band_score__lt=amber_from)


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
