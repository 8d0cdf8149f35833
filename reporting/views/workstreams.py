"""The workstream page: everything of one workstream, rated, with its history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from programmes.as_at import as_at_period, chosen_as_at
from programmes.comments import comment_thread, with_comments
from programmes.dates import month_start
from programmes.history import HistorySource, describe_history
from programmes.models import ReportingPeriod
from programmes.permissions import Action, get_for, may
from reporting.trend import milestone_trend
from risks.models import Risk
from workstreams.assessment import (
    assess,
    assess_workstream,
    attach_people,
    load_state,
)
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
    programme = workstream.programme
    as_at = chosen_as_at(request, programme)
    today = as_at.as_of
    if as_at.is_historical:
        state = load_state(programme, today, workstream=workstream, snapshot=as_at.snapshot)
        if not state.workstreams:
            messages.warning(
                request,
                f"This workstream was not in the plan at the end of {as_at.month}: "
                "this is the workstream as it stands today.",
            )
            as_at = request.as_at = as_at_period(None)
            today = as_at.as_of
    if as_at.is_historical:
        rating = assess(state, today).workstreams[0]
        # Each milestone's dependencies, as the page shows them today: two queries.
        references = Milestone.objects.only("id", "reference", "sort_key")
        prefetch_related_objects(
            [item.milestone for item in rating.milestones],
            Prefetch("depends_on", references),
            Prefetch("dependents", references),
        )
        risks = list(as_at.snapshot.rows(Risk, workstream_id=workstream.pk).order_by("sort_key"))
        attach_people([(risks, "owner")])
    else:
        rating = assess_workstream(workstream, today)
        risks = list(
            Risk.objects.filter(workstream=workstream).select_related("owner").order_by("sort_key")
        )
    for risk in risks:
        risk.band = risk.band_of(risk.current_score, programme)
    # Milestone trend analysis (issue 15, part 4): the periods (the current one among them)
    # and the milestones' history, one query each.
    periods = list(ReportingPeriod.objects.filter(programme=programme))
    trend = milestone_trend([item.milestone for item in rating.milestones], periods, today=today)
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
        "trend": trend,
        "trend_chart": trend.chart() if trend.has_points else "",
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
        "current_period": next((p for p in periods if p.month == month_start(today)), None),
        # A closed workstream only shows.
        "can_edit_plan": may(request.user, Action.EDIT_PLAN, workstream)
        and not workstream.is_closed,
        "can_update_milestones": may(request.user, Action.UPDATE_MILESTONE, workstream),
        "can_submit_update": may(request.user, Action.SUBMIT_STATUS_UPDATE, workstream),
        "can_update_budget": may(request.user, Action.UPDATE_BUDGET, workstream),
    }
    context["as_at"] = as_at
    if as_at.is_historical:
        # As at a past period the page shows what was recorded then, and changes nothing.
        context.update(
            updates=context["updates"].filter(period__month__lte=today),
            budget_lines=as_at.snapshot.rows(BudgetLine, workstream_id=workstream.pk).order_by(
                "financial_year", "description"
            ),
            current_period=None,
            can_edit_plan=False,
            can_update_milestones=False,
            can_submit_update=False,
            can_update_budget=False,
        )
    return render(request, "reporting/workstream_detail.html", context)
