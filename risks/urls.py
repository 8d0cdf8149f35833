from django.urls import path

from risks.views import governance, issues, lists, risks

urlpatterns = [
    path("programmes/<int:programme_id>/risks/", lists.risk_list, name="risk_list"),
    path("programmes/<int:programme_id>/decisions/", lists.decision_list, name="decision_list"),
    path("programmes/<int:programme_id>/issues/", lists.issue_list, name="issue_list"),
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
    path("meetings/<int:meeting_id>/", governance.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", governance.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/agenda/", governance.meeting_agenda, name="meeting_agenda"),
    path(
        "meetings/<int:meeting_id>/decisions/<int:decision_id>/record/",
        governance.decision_record,
        name="decision_record",
    ),
]
