from django.urls import path

from workstreams.views import lists, measures, milestones, updates

urlpatterns = [
    path(
        "workstreams/<int:workstream_id>/milestones/new/",
        milestones.milestone_add,
        name="milestone_add",
    ),
    path(
        "workstreams/<int:workstream_id>/updates/<int:period_id>/",
        updates.status_update,
        name="status_update",
    ),
    path(
        "updates/<int:update_id>/reopen/",
        updates.status_update_reopen,
        name="status_update_reopen",
    ),
    path("milestones/<int:milestone_id>/", milestones.milestone_detail, name="milestone_detail"),
    path(
        "milestones/<int:milestone_id>/preview/",
        milestones.milestone_preview,
        name="milestone_preview",
    ),
    path("milestones/<int:milestone_id>/edit/", milestones.milestone_edit, name="milestone_edit"),
    path(
        "milestones/<int:milestone_id>/rebaseline/",
        milestones.milestone_rebaseline,
        name="milestone_rebaseline",
    ),
    path(
        "milestones/<int:milestone_id>/remove/",
        milestones.milestone_remove,
        name="milestone_remove",
    ),
    path("milestones/<int:milestone_id>/move/", milestones.milestone_move, name="milestone_move"),
    path("measures/<int:measure_id>/", measures.measure_detail, name="measure_detail"),
    path(
        "measures/<int:measure_id>/readings/<str:month>/",
        measures.reading_edit,
        name="reading_edit",
    ),
    path(
        "programmes/<int:programme_id>/workstreams/", lists.workstream_list, name="workstream_list"
    ),
    path("programmes/<int:programme_id>/milestones/", lists.milestone_list, name="milestone_list"),
    path("programmes/<int:programme_id>/measures/", lists.measure_list, name="measure_list"),
]
