from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from risks.models import (
    BoardMeeting,
    Closure,
    CommunicationItem,
    CommunicationSent,
    Decision,
    Issue,
    IssueAction,
    Lesson,
    MitigationAction,
    Risk,
    Stakeholder,
)


class MitigationInline(admin.TabularInline):
    model = MitigationAction
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "programme",
        "category",
        "current_likelihood",
        "current_impact",
        "status",
        "escalated",
    ]
    list_filter = ["programme", "category", "status", "kind", "escalated"]
    search_fields = ["reference", "title", "event", "owner__name"]
    autocomplete_fields = ["owner", "area", "workstream"]
    inlines = [MitigationInline]


@admin.register(MitigationAction)
class MitigationActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "risk", "owner", "due_date", "done"]
    list_filter = ["done", "risk__programme"]
    search_fields = ["description", "risk__reference"]


class IssueActionInline(admin.TabularInline):
    model = IssueAction
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(Issue)
class IssueAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "programme", "severity", "priority", "status"]
    list_filter = ["programme", "severity", "priority", "status"]
    search_fields = ["reference", "title", "description"]
    autocomplete_fields = ["owner", "area", "workstream", "risk"]
    inlines = [IssueActionInline]


@admin.register(IssueAction)
class IssueActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "issue", "owner", "due_date", "done"]
    list_filter = ["done", "issue__programme"]
    search_fields = ["description", "issue__reference"]


@admin.register(BoardMeeting)
class BoardMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "held_on", "programme", "chair"]
    list_filter = ["programme"]
    search_fields = ["title", "minutes"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["chair"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "forum", "needed_by", "status", "programme"]
    list_filter = ["programme", "status", "forum"]
    search_fields = ["reference", "title", "description"]
    autocomplete_fields = ["workstream", "milestone", "meeting"]


# ----- Lessons, closure, stakeholders and communications (issue 16) -----


@admin.register(Lesson)
class LessonAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "number", "category", "workstream", "raised_on"]
    list_filter = ["category"]
    search_fields = ["what_happened", "what_we_learned", "do_differently"]


@admin.register(Closure)
class ClosureAdmin(SimpleHistoryAdmin):
    """A programme's account of its closing. To reopen a programme, set its status back to
    Active on the programme; its closure then stays here as a record."""

    list_display = ["programme", "closed_on", "closed_by"]
    list_filter = ["closed_on"]
    search_fields = ["programme__name", "programme__reference", "summary"]


@admin.register(Stakeholder)
class StakeholderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "programme", "interest", "influence"]
    search_fields = ["name", "code"]


class SentInline(admin.TabularInline):
    model = CommunicationSent
    extra = 0


@admin.register(CommunicationItem)
class CommunicationItemAdmin(SimpleHistoryAdmin):
    list_display = ["channel", "programme", "frequency", "owner", "next_on"]
    list_filter = ["frequency"]
    search_fields = ["channel", "message", "programme__name", "owner__name"]
    inlines = [SentInline]
