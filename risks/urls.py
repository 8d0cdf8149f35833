from django.urls import path

from risks import governance_views, issue_views, risk_views, views

urlpatterns = [
    path("programmes/<int:programme_id>/risks/", views.risk_list, name="risk_list"),
    path("programmes/<int:programme_id>/decisions/", views.decision_list, name="decision_list"),
    path("programmes/<int:programme_id>/issues/", views.issue_list, name="issue_list"),
    path("programmes/<int:programme_id>/risks/new/", risk_views.risk_add, name="risk_add"),
    path("risks/<int:risk_id>/", risk_views.risk_detail, name="risk_detail"),
    path("risks/<int:risk_id>/edit/", risk_views.risk_edit, name="risk_edit"),
    path("risks/<int:risk_id>/close/", risk_views.risk_close, name="risk_close"),
    path("risks/<int:risk_id>/reopen/", risk_views.risk_reopen, name="risk_reopen"),
    path("risks/<int:risk_id>/realise/", risk_views.risk_realise, name="risk_realise"),
    path("mitigations/<int:action_id>/done/", risk_views.mitigation_done, name="mitigation_done"),
    path("programmes/<int:programme_id>/issues/new/", issue_views.issue_add, name="issue_add"),
    path("issues/<int:issue_id>/", issue_views.issue_detail, name="issue_detail"),
    path("issues/<int:issue_id>/edit/", issue_views.issue_edit, name="issue_edit"),
    path("issues/<int:issue_id>/resolve/", issue_views.issue_resolve, name="issue_resolve"),
    path(
        "issue-actions/<int:action_id>/done/",
        issue_views.issue_action_done,
        name="issue_action_done",
    ),
    # Decisions and board meetings
    path(
        "programmes/<int:programme_id>/decisions/new/",
        governance_views.decision_add,
        name="decision_add",
    ),
    path("decisions/<int:decision_id>/", governance_views.decision_detail, name="decision_detail"),
    path("decisions/<int:decision_id>/edit/", governance_views.decision_edit, name="decision_edit"),
    path(
        "programmes/<int:programme_id>/meetings/",
        governance_views.meeting_list,
        name="meeting_list",
    ),
    path(
        "programmes/<int:programme_id>/meetings/new/",
        governance_views.meeting_add,
        name="meeting_add",
    ),
    path("meetings/<int:meeting_id>/", governance_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", governance_views.meeting_edit, name="meeting_edit"),
    path(
        "meetings/<int:meeting_id>/agenda/", governance_views.meeting_agenda, name="meeting_agenda"
    ),
    path(
        "meetings/<int:meeting_id>/decisions/<int:decision_id>/record/",
        governance_views.decision_record,
        name="decision_record",
    ),
]
