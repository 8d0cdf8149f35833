"""The workstream page: everything of one workstream, rated, with its history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes.comments import comment_thread, with_comments
from programmes.history import HistorySource, describe_history
from programmes.permissions import Action, get_for, may
from risks.models import Risk
from workstreams.assessment import assess_workstream, current_period
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    Milestone,
    StatusUpdate,
    Workstream,
)


def workstream_history(workstream: Workstream) -> list:
    """Changes to the workstream and everything it holds, newest first."""
    return describe_history(
        [
            HistorySource(
                Workstream.history.filter(id=workstream.pk),
                lambda record: f"Workstream {record.reference}",
            ),
            HistorySource(
                Milestone.history.filter(workstream_id=workstream.pk),
                lambda record: f"Milestone {record.reference}",
            ),
            HistorySource(
                Measure.history.filter(workstream_id=workstream.pk),
                lambda record: f"Measure {record.reference}",
            ),
            HistorySource(
                MeasureReading.history.filter(measure__workstream_id=workstream.pk).select_related(
                    "measure"
                ),
                lambda record: f"Measure {record.measure.reference}, {record.period:%b %Y}",
                lambda record: f"Reading recorded: {record.value.normalize():f}",
            ),
            HistorySource(
                StatusUpdate.history.filter(workstream_id=workstream.pk).select_related("period"),
                lambda record: f"Status update for {record.period.label}",
                lambda record: (
                    f"{record.get_state_display()} with rating {record.get_rag_display()}"
                ),
            ),
            HistorySource(
                BudgetLine.history.filter(workstream_id=workstream.pk),
                lambda record: f"Budget line {record.description}",
            ),
            HistorySource(
                Risk.history.filter(workstream_id=workstream.pk),
                lambda record: f"Risk {record.reference}",
            ),
        ],
        limit=60,
    )


@login_required
@require_safe
def workstream_detail(request, workstream_id: int):
    workstream = get_for(
        request.user,
        Action.VIEW,
        Workstream.objects.select_related(
            "programme__organisation", "area__sponsor", "area__project_manager", "lead", "objective"
        ),
        pk=workstream_id,
    )
    today = timezone.localdate()
    rating = assess_workstream(workstream, today)
    programme = workstream.programme
    risks = list(
        Risk.objects.filter(workstream=workstream).select_related("owner").order_by("sort_key")
    )
    for risk in risks:
        risk.band = risk.band_of(risk.current_score, programme)
    comments = comment_thread(
        workstream,
        user=request.user,
        post_url=reverse("workstream_comment", args=[workstream.pk]),
    )
    context = {
        "workstream": workstream,
        "programme": programme,
        "rating": rating,
        "today": today,
        "risks": risks,
        "updates": StatusUpdate.objects.filter(workstream=workstream)
        .select_related("period", "submitted_by__person")
        .order_by("-period__month"),
        "budget_lines": BudgetLine.objects.filter(workstream=workstream).order_by(
            "financial_year", "description"
        ),
        "depends_on": workstream.depends_on.order_by("sort_key"),
        "dependents": workstream.dependents.order_by("sort_key"),
        "outcome_categories": workstream.outcome_categories.all(),
        "supported_by": workstream.supported_by.all(),
        "history": with_comments(workstream_history(workstream), comments.comments),
        "comments": comments,
        "header_organisation": programme.organisation,
        "current_period": current_period(programme, today),
        # A closed workstream only shows.
        "can_edit_plan": may(request.user, Action.EDIT_PLAN, workstream)
        and not workstream.is_closed,
        "can_update_milestones": may(request.user, Action.UPDATE_MILESTONE, workstream),
        "can_submit_update": may(request.user, Action.SUBMIT_STATUS_UPDATE, workstream),
        "can_update_budget": may(request.user, Action.UPDATE_BUDGET, workstream),
    }
    return render(request, "reporting/workstream_detail.html", context)
