"""Site administration for the top of the plan. Only site administrators (superusers) get in:
programme offices work through the app's own pages, which apply the role rules."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from programmes.models import (
    CalendarFeed,
    Funding,
    Membership,
    Objective,
    Organisation,
    OrganisationRole,
    OutcomeCategory,
    Person,
    Programme,
    ProgrammeArea,
    ReportingPeriod,
    UserSession,
)


def superusers_only(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = superusers_only
admin.site.site_header = "Programme tracker: site administration"
admin.site.site_title = "Site administration"


class PortfolioOfficeInline(admin.TabularInline):
    """The organisation's portfolio office: the site administrator names the first one here,
    choosing a person of the organisation (added under People, with their sign-in)."""

    model = OrganisationRole
    extra = 1
    verbose_name = "portfolio office"
    verbose_name_plural = "Portfolio office"
    autocomplete_fields = ["person"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PortfolioOfficeInline]


@admin.register(OutcomeCategory)
class OutcomeCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "key", "position"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "job_title", "employer", "organisation", "user", "is_team"]
    list_filter = ["organisation", "is_team"]
    search_fields = ["name", "job_title", "employer", "email"]
    autocomplete_fields = ["user"]


class AreaInline(admin.TabularInline):
    model = ProgrammeArea
    fields = ["reference", "name", "sponsor", "project_manager"]
    autocomplete_fields = ["sponsor", "project_manager"]
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "reference", "organisation", "status", "starts_on", "ends_on"]
    list_filter = ["organisation", "status", "rag_scale"]
    search_fields = ["name", "reference"]
    autocomplete_fields = ["senior_responsible_owner"]
    inlines = [AreaInline]


@admin.register(ProgrammeArea)
class ProgrammeAreaAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "name", "programme", "sponsor", "project_manager"]
    list_filter = ["programme"]
    search_fields = ["reference", "name"]
    autocomplete_fields = ["sponsor", "project_manager"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "role", "programme", "area", "workstream", "source"]
    list_filter = ["role", "source", "programme"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person", "area", "workstream"]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "level", "title", "parent", "organisation"]
    list_filter = ["organisation", "level"]
    search_fields = ["reference", "title"]


@admin.register(Funding)
class FundingAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "source", "financial_year", "amount"]
    list_filter = ["programme", "financial_year"]
    search_fields = ["source"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "month", "cut_off", "status"]
    list_filter = ["programme", "status"]
    date_hierarchy = "month"
    search_fields = ["programme__name"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Calendar links, to see who has one and to revoke one by deleting it. The secret token
    is not shown: an administrator has no need to subscribe as someone else."""

    list_display = ["user", "programme", "created_at", "reset_at"]
    list_filter = ["programme"]
    search_fields = ["user__username", "user__person__name"]
    fields = ["user", "programme", "created_at", "reset_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Who is signed in, since when and how (issue 12, "Sessions"), to read: a user's sessions
    end when the user is switched off (Active unticked on their user)."""

    list_display = ["user", "signed_in_at", "signed_in_with"]
    list_filter = ["signed_in_with"]
    search_fields = ["user__username", "user__person__name"]
    fields = ["user", "signed_in_at", "signed_in_with"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
