from django.urls import path

from reporting.views import (
    calendars,
    changes,
    closure,
    comments,
    dashboards,
    dependencies,
    finance,
    meetings,
    my_work,
    packs,
    periods,
    raised,
    reports,
    search,
    workstreams,
)

urlpatterns = [
    path("", my_work.home, name="home"),
    path(
        "programmes/<int:programme_id>/",
        dashboards.programme_detail,
        name="programme_detail",
    ),
    path(
        "workstreams/<int:workstream_id>/", workstreams.workstream_detail, name="workstream_detail"
    ),
    path("calendars/", calendars.calendar_feed_list, name="calendar_feed_list"),
    path("calendars/get-link/", calendars.calendar_feed_create, name="calendar_feed_create"),
    path("calendars/reset-link/", calendars.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendars/<slug:token>.ics", calendars.calendar_feed_ics, name="calendar_feed"),
    path("programmes/<int:programme_id>/periods/", periods.period_list, name="period_list"),
    path("periods/<int:period_id>/close/", periods.period_close, name="period_close"),
    path("periods/<int:period_id>/reopen/", periods.period_reopen, name="period_reopen"),
    path(
        "periods/<int:period_id>/exceptions/",
        periods.period_exceptions,
        name="period_exceptions",
    ),
    path(
        "periods/<int:period_id>/exceptions/<slug:kind>/<int:object_id>/",
        periods.exception_narrative,
        name="exception_narrative",
    ),
    path(
        "periods/<int:period_id>/exceptions/<slug:kind>/<int:object_id>/approve/",
        periods.exception_approve,
        name="exception_approve",
    ),
    path(
        "periods/<int:period_id>/exceptions/<slug:kind>/<int:object_id>/send-back/",
        periods.exception_send_back,
        name="exception_send_back",
    ),
    path("programmes/<int:programme_id>/reports/", reports.report_list, name="report_list"),
    path("reports/<int:run_id>/", reports.report_run, name="report_run"),
    path("reports/<int:run_id>/approve/", reports.report_approve, name="report_approve"),
    path("meetings/<int:meeting_id>/board-pack/", packs.board_pack_make, name="board_pack_make"),
    path("board-packs/<int:pack_id>/", packs.board_pack, name="board_pack"),
    path(
        "board-packs/<int:pack_id>/download/", packs.board_pack_download, name="board_pack_download"
    ),
    path("reports/<int:run_id>/send-back/", reports.report_send_back, name="report_send_back"),
    path("reports/<int:run_id>/download/", reports.report_download, name="report_download"),
    path("portfolio/", dashboards.portfolio, name="portfolio"),
    path("search/", search.search_results, name="search"),
    # A board meeting's page lists the period's approved reports among its papers (issue 14)
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/agenda/", meetings.meeting_agenda, name="meeting_agenda"),
    path(
        "meetings/<int:meeting_id>/decisions/<int:decision_id>/record/",
        meetings.decision_record,
        name="decision_record",
    ),
    path(
        "meetings/<int:meeting_id>/minutes.pdf",
        meetings.meeting_minutes_pdf,
        name="meeting_minutes_pdf",
    ),
    # The closure report of a programme or a workstream (issue 16, part 4)
    path(
        "programmes/<int:programme_id>/closure-report.pdf",
        closure.programme_closure_report,
        name="programme_closure_report",
    ),
    path(
        "workstreams/<int:workstream_id>/closure-report.pdf",
        closure.workstream_closure_report,
        name="workstream_closure_report",
    ),
    # Comments (issue 13, part 6): anyone who can see an item comments on it
    path(
        "workstreams/<int:workstream_id>/comments/",
        comments.workstream_comment,
        name="workstream_comment",
    ),
    path(
        "milestones/<int:milestone_id>/comments/",
        comments.milestone_comment,
        name="milestone_comment",
    ),
    path("risks/<int:risk_id>/comments/", comments.risk_comment, name="risk_comment"),
    path("issues/<int:issue_id>/comments/", comments.issue_comment, name="issue_comment"),
    path("reports/<int:run_id>/comments/", comments.report_comment, name="report_comment"),
    path(
        "periods/<int:period_id>/exception-comments/<slug:kind>/<int:object_id>/",
        comments.exception_comment,
        name="exception_comment",
    ),
    path(
        "programmes/<int:programme_id>/dependencies/",
        dependencies.programme_dependencies,
        name="programme_dependencies",
    ),
    path(
        "programmes/<int:programme_id>/timeline/",
        dashboards.programme_timeline,
        name="programme_timeline",
    ),
    # The change control log (issue 14, part 5)
    path("programmes/<int:programme_id>/changes/", changes.change_list, name="change_list"),
    path("programmes/<int:programme_id>/changes/add/", changes.change_add, name="change_add"),
    path("changes/<int:change_id>/", changes.change_detail, name="change_detail"),
    path("changes/<int:change_id>/edit/", changes.change_edit, name="change_edit"),
    path("changes/<int:change_id>/decide/", changes.change_decide, name="change_decide"),
    path("changes/<int:change_id>/withdraw/", changes.change_withdraw, name="change_withdraw"),
    path("changes/<int:change_id>/comments/", comments.change_comment, name="change_comment"),
    # Scope and quality exceptions raised by hand (issue 14, part 6)
    path(
        "programmes/<int:programme_id>/exceptions/raise/",
        raised.raised_exception_add,
        name="raised_exception_add",
    ),
    path(
        "raised-exceptions/<int:raised_id>/",
        raised.raised_exception_detail,
        name="raised_exception_detail",
    ),
    path(
        "raised-exceptions/<int:raised_id>/edit/",
        raised.raised_exception_edit,
        name="raised_exception_edit",
    ),
    path(
        "raised-exceptions/<int:raised_id>/close/",
        raised.raised_exception_close,
        name="raised_exception_close",
    ),
    # Money and the government return (issue 16)
    path(
        "programmes/<int:programme_id>/finance/",
        finance.programme_finance,
        name="programme_finance",
    ),
    path(
        "programmes/<int:programme_id>/finance/whole-life-cost/",
        finance.programme_whole_life_cost,
        name="programme_whole_life_cost",
    ),
    path(
        "programmes/<int:programme_id>/government-return/",
        finance.programme_government_return,
        name="programme_government_return",
    ),
]
