from django.urls import path

from risks.views import actions, communications, governance, issues, lessons, lists, meetings, risks

urlpatterns = [
    path("programmes/<int:programme_id>/risks/", lists.risk_list, name="risk_list"),
    path("programmes/<int:programme_id>/decisions/", lists.decision_list, name="decision_list"),
    path("programmes/<int:programme_id>/issues/", lists.issue_list, name="issue_list"),
    path("programmes/<int:programme_id>/actions/", lists.action_list, name="action_list"),
    path("programmes/<int:programme_id>/risks/new/", risks.risk_add, name="risk_add"),
    path("risks/<int:risk_id>/", risks.risk_detail, name="risk_detail"),
    path("risks/<int:risk_id>/edit/", risks.risk_edit, name="risk_edit"),
    path("risks/<int:risk_id>/close/", risks.risk_close, name="risk_close"),
    path("risks/<int:risk_id>/reopen/", risks.risk_reopen, name="risk_reopen"),
    path("risks/<int:risk_id>/realise/", risks.risk_realise, name="risk_realise"),
    path("mitigations/<int:action_id>/done/", risks.mitigation_done, name="mitigation_done"),
    path("programmes/<int:programme_id>/issues/new/", issues.issue_add, name="issue_add"),
    path("issues/<int:issue_id>/", issues.issue_detail, name="issue_detail"),
    path("issues/<int:issue_id>/edit/", issues.issue_edit, name="issue_edit"),
    path("issues/<int:issue_id>/resolve/", issues.issue_resolve, name="issue_resolve"),
    path(
        "issue-actions/<int:action_id>/done/",
        issues.issue_action_done,
        name="issue_action_done",
    ),
    # Decisions and board meetings
    path(
        "programmes/<int:programme_id>/decisions/new/",
        governance.decision_add,
        name="decision_add",
    ),
    path("decisions/<int:decision_id>/", governance.decision_detail, name="decision_detail"),
    path("decisions/<int:decision_id>/edit/", governance.decision_edit, name="decision_edit"),
    path(
        "programmes/<int:programme_id>/meetings/",
        governance.meeting_list,
        name="meeting_list",
    ),
    path(
        "programmes/<int:programme_id>/meetings/new/",
        governance.meeting_add,
        name="meeting_add",
    ),
    # The meeting's own page, its decisions' record and its agenda of decisions are in
    # reporting/urls.py: the page lists the period's approved reports among its papers.
    path("meetings/<int:meeting_id>/edit/", governance.meeting_edit, name="meeting_edit"),
    # A meeting's agenda items, its list of people and its papers (issue 14)
    path(
        "meetings/<int:meeting_id>/agenda/new/",
        meetings.agenda_item_add,
        name="agenda_item_add",
    ),
    path("agenda-items/<int:item_id>/edit/", meetings.agenda_item_edit, name="agenda_item_edit"),
    path("agenda-items/<int:item_id>/move/", meetings.agenda_item_move, name="agenda_item_move"),
    path(
        "agenda-items/<int:item_id>/remove/",
        meetings.agenda_item_remove,
        name="agenda_item_remove",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/",
        meetings.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "meetings/<int:meeting_id>/papers/new/",
        meetings.meeting_paper_add,
        name="meeting_paper_add",
    ),
    path(
        "papers/<int:paper_id>/download/",
        meetings.meeting_paper_download,
        name="meeting_paper_download",
    ),
    path(
        "papers/<int:paper_id>/remove/", meetings.meeting_paper_remove, name="meeting_paper_remove"
    ),
    # The action log (issue 14)
    path("programmes/<int:programme_id>/actions/new/", actions.action_add, name="action_add"),
    path("actions/<int:action_item_id>/", actions.action_detail, name="action_detail"),
    path("actions/<int:action_item_id>/edit/", actions.action_edit, name="action_edit"),
    path("actions/<int:action_item_id>/update/", actions.action_update, name="action_update"),
    # Lessons, closing, stakeholders and the communications plan (issue 16, parts 4 and 5)
    path("programmes/<int:programme_id>/lessons/", lessons.lesson_list, name="lesson_list"),
    path("programmes/<int:programme_id>/lessons/new/", lessons.lesson_add, name="lesson_add"),
    path("lessons/<int:lesson_id>/edit/", lessons.lesson_edit, name="lesson_edit"),
    path("programmes/<int:programme_id>/close/", lessons.programme_close, name="programme_close"),
    path(
        "programmes/<int:programme_id>/stakeholders/",
        communications.stakeholder_list,
        name="stakeholder_list",
    ),
    path(
        "programmes/<int:programme_id>/stakeholders/new/",
        communications.stakeholder_add,
        name="stakeholder_add",
    ),
    path(
        "stakeholders/<int:stakeholder_id>/edit/",
        communications.stakeholder_edit,
        name="stakeholder_edit",
    ),
    path(
        "programmes/<int:programme_id>/communications/",
        communications.communication_list,
        name="communication_list",
    ),
    path(
        "programmes/<int:programme_id>/communications/new/",
        communications.communication_add,
        name="communication_add",
    ),
    path(
        "communications/<int:communication_id>/",
        communications.communication_detail,
        name="communication_detail",
    ),
    path(
        "communications/<int:communication_id>/edit/",
        communications.communication_edit,
        name="communication_edit",
    ),
]
