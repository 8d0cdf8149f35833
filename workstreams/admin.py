from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from workstreams.models import (
    BaselineChange,
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    ProgressNote,
    StatusUpdate,
    Workstream,
)


@admin.register(Workstream)
class WorkstreamAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "name", "area", "lead", "programme"]
    list_filter = ["programme", "outcome_categories"]
    search_fields = ["reference", "name", "lead__name"]
    autocomplete_fields = ["lead", "area", "objective", "depends_on", "supported_by"]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "kind",
        "workstream",
        "baseline_date",
        "forecast_date",
        "actual_date",
        "status",
        "at_risk",
    ]
    list_filter = ["kind", "status", "at_risk", "workstream__programme"]
    search_fields = ["reference", "title", "workstream__reference"]
    autocomplete_fields = ["workstream", "owner", "depends_on"]
    date_hierarchy = "baseline_date"


class TargetInline(admin.TabularInline):
    model = MeasureTarget
    extra = 0


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "workstream", "unit", "direction"]
    list_filter = ["unit", "direction", "workstream__programme"]
    search_fields = ["reference", "title"]
    autocomplete_fields = ["workstream", "owner"]
    inlines = [TargetInline]


@admin.register(MeasureTarget)
class MeasureTargetAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "financial_year", "due_date", "value"]
    list_filter = ["measure__workstream__programme"]
    search_fields = ["measure__reference", "measure__title"]


@admin.register(MeasureReading)
class MeasureReadingAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "period", "value"]
    list_filter = ["measure__workstream__programme"]
    search_fields = ["measure__reference", "measure__title"]
    date_hierarchy = "period"


@admin.register(StatusUpdate)
class StatusUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["workstream", "period", "rag", "state", "submitted_at"]
    list_filter = ["rag", "state", "workstream__programme"]
    search_fields = ["workstream__reference", "workstream__name", "reason"]


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = [
        "description",
        "workstream",
        "financial_year",
        "allocated",
        "spent",
        "forecast",
    ]
    list_filter = ["financial_year", "workstream__programme"]
    search_fields = ["description", "funding_source", "workstream__reference"]


@admin.register(BaselineChange)
class BaselineChangeAdmin(SimpleHistoryAdmin):
    list_display = ["milestone", "previous_date", "new_date", "changed_at", "changed_by"]
    search_fields = ["milestone__reference", "reason"]


@admin.register(ProgressNote)
class ProgressNoteAdmin(SimpleHistoryAdmin):
    list_display = ["milestone", "noted_on", "author"]
    search_fields = ["milestone__reference", "text"]
