from django.urls import path

from workstreams.views import (
    areas,
    benefits,
    budget,
    bulk,
    lists,
    measures,
    milestones,
    objectives,
    updates,
    workstreams,
)

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
        "workstreams/<int:workstream_id>/updates/<int:period_id>/submitted/",
        updates.status_update_submitted,
        name="status_update_submitted",
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
    # Measures and targets, budget lines, and many milestones at once (issue 11, part C)
    path("workstreams/<int:workstream_id>/measures/new/", measures.measure_add, name="measure_add"),
    path("measures/<int:measure_id>/edit/", measures.measure_edit, name="measure_edit"),
    path("measures/<int:measure_id>/targets/", measures.measure_targets, name="measure_targets"),
    path(
        "workstreams/<int:workstream_id>/budget/",
        budget.workstream_budget,
        name="workstream_budget",
    ),
    path(
        "workstreams/<int:workstream_id>/budget/new/",
        budget.budget_line_add,
        name="budget_line_add",
    ),
    path("budget-lines/<int:line_id>/edit/", budget.budget_line_edit, name="budget_line_edit"),
    path(
        "budget-lines/<int:line_id>/remove/", budget.budget_line_remove, name="budget_line_remove"
    ),
    path(
        "workstreams/<int:workstream_id>/milestones/update/",
        bulk.workstream_milestones_update,
        name="workstream_milestones_update",
    ),
    path(
        "areas/<int:area_id>/milestones/update/",
        bulk.area_milestones_update,
        name="area_milestones_update",
    ),
    path(
        "programmes/<int:programme_id>/workstreams/", lists.workstream_list, name="workstream_list"
    ),
    path("programmes/<int:programme_id>/milestones/", lists.milestone_list, name="milestone_list"),
    path("programmes/<int:programme_id>/measures/", lists.measure_list, name="measure_list"),
    # Programme areas, workstreams and the golden thread (issue 11, part B)
    path("programmes/<int:programme_id>/areas/", areas.area_list, name="area_list"),
    path(
        "programmes/<int:programme_id>/areas/new/",
        areas.programme_area_add,
        name="programme_area_add",
    ),
    path("areas/<int:area_id>/", areas.area_detail, name="area_detail"),
    path("areas/<int:area_id>/edit/", areas.area_edit, name="area_edit"),
    path("areas/<int:area_id>/documents/", areas.area_documents, name="area_documents"),
    path("areas/<int:area_id>/move/", areas.area_move, name="area_move"),
    path("areas/<int:area_id>/close/", areas.area_close, name="area_close"),
    path(
        "areas/<int:area_id>/workstreams/new/",
        workstreams.workstream_add,
        name="workstream_add",
    ),
    path(
        "workstreams/<int:workstream_id>/edit/",
        workstreams.workstream_edit,
        name="workstream_edit",
    ),
    path(
        "workstreams/<int:workstream_id>/close/",
        workstreams.workstream_close,
        name="workstream_close",
    ),
    path(
        "programmes/<int:programme_id>/objectives/",
        objectives.programme_objectives,
        name="programme_objectives",
    ),
    path(
        "programmes/<int:programme_id>/objectives/new/",
        objectives.objective_add,
        name="objective_add",
    ),
    path(
        "programmes/<int:programme_id>/objectives/<int:objective_id>/edit/",
        objectives.objective_edit,
        name="objective_edit",
    ),
    # The benefits register (issue 16, part 1)
    path("programmes/<int:programme_id>/benefits/", benefits.benefit_list, name="benefit_list"),
    path("programmes/<int:programme_id>/benefits/new/", benefits.benefit_add, name="benefit_add"),
    path("benefits/<int:benefit_id>/", benefits.benefit_detail, name="benefit_detail"),
    path("benefits/<int:benefit_id>/edit/", benefits.benefit_edit, name="benefit_edit"),
    path(
        "benefits/<int:benefit_id>/years/<int:year>/",
        benefits.benefit_realisation,
        name="benefit_realisation",
    ),
]
