"""Milestone pages: a lead's progress update (with the RAG recomputed as they type), and the
project manager's plan changes: add, edit, re-baseline, reorder, remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from programmes.comments import comment_thread, with_comments
from programmes.forms import ChangeForm, posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.permissions import Action, get_for, may
from workstreams.assessment import rate_milestone_with_dependencies
from workstreams.forms import MilestonePlanForm, MilestoneProgressForm, RebaselineForm
from workstreams.models import BaselineChange, Milestone, ProgressNote, Workstream
from workstreams.services.progress import (
    MilestonePlan,
    add_milestone,
    edit_milestone,
    move_milestone,
    rebaseline_milestone,
    remove_milestone,
    update_milestone_progress,
)


def _milestone(request, milestone_id: int, action: Action = Action.VIEW) -> Milestone:
    """The milestone from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        Milestone.objects.select_related(
            "workstream__programme__organisation", "workstream__area", "owner"
        ),
        pk=milestone_id,
    )


def _rating(milestone: Milestone):
    workstream = milestone.workstream
    tolerance = workstream.programme.tolerances_for(workstream.area).time_days
    has_notes = milestone.progress_notes.exists()
    # Its dependencies both ways (shown on the page too): the rating warns of one at risk.
    others = Milestone.objects.select_related("workstream")
    prefetch_related_objects(
        [milestone], Prefetch("depends_on", others), Prefetch("dependents", others)
    )
    return rate_milestone_with_dependencies(
        milestone, as_of=timezone.localdate(), tolerance_days=tolerance, has_notes=has_notes
    )


def _history(milestone: Milestone):
    return describe_history(
        [
            HistorySource(Milestone.history.filter(id=milestone.pk), lambda r: "Milestone"),
            HistorySource(
                ProgressNote.history.filter(milestone_id=milestone.pk),
                lambda r: "Progress note",
                lambda r: f"Added: {r.text[:120]}",
            ),
        ]
    )


@login_required
def milestone_detail(request, milestone_id: int):
    action = Action.UPDATE_MILESTONE if request.method == "POST" else Action.VIEW
    milestone = _milestone(request, milestone_id, action)
    can_update = may(request.user, Action.UPDATE_MILESTONE, milestone)
    form = MilestoneProgressForm(posted(request), milestone=milestone) if can_update else None
    if form is not None and save_form(
        form,
        lambda data: update_milestone_progress(
            milestone,
            by=request.user,
            version=data["version"],
            status=data["status"],
            forecast=data["forecast"],
            actual_date=data["actual_date"],
            at_risk=data["at_risk"],
            note=data["note"],
        ),
        noun="milestone",
    ):
        messages.success(request, f"Milestone {milestone.reference} updated")
        return redirect("milestone_detail", milestone.pk)
    comments = comment_thread(
        milestone,
        user=request.user,
        post_url=reverse("milestone_comment", args=[milestone.pk]),
    )
    return render(
        request,
        "workstreams/milestone_detail.html",
        {
            "milestone": milestone,
            "workstream": milestone.workstream,
            "programme": milestone.workstream.programme,
            "header_organisation": milestone.workstream.programme.organisation,
            "rating": _rating(milestone),
            "form": form,
            "can_edit_plan": may(request.user, Action.EDIT_PLAN, milestone),
            "notes": milestone.progress_notes.select_related("author__person")[:20],
            "baseline_changes": BaselineChange.objects.filter(milestone=milestone).select_related(
                "changed_by__person"
            ),
            "depends_on": milestone.depends_on.all(),
            "dependents": milestone.dependents.all(),
            "history": with_comments(_history(milestone), comments.comments),
            "comments": comments,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def milestone_preview(request, milestone_id: int):
    """The RAG the milestone would have with what the user has typed so far (htmx)."""
    milestone = _milestone(request, milestone_id, Action.UPDATE_MILESTONE)
    form = MilestoneProgressForm(request.POST, milestone=milestone)
    rating = _rating(milestone)
    preview = False
    if form.is_valid():
        data = form.cleaned_data
        milestone.status = data["status"]
        forecast = data["forecast"]
        milestone.forecast_date = forecast.value if forecast else None
        milestone.forecast_precision = forecast.precision if forecast else "day"
        milestone.actual_date = data["actual_date"]
        milestone.at_risk = data["at_risk"]
        rating = _rating(milestone)
        preview = True
    return render(
        request,
        "workstreams/includes/milestone_rag.html",
        {"rating": rating, "preview": preview, "form_errors": not form.is_valid()},
    )


def _plan(data) -> MilestonePlan:
    return MilestonePlan(
        reference=data["reference"],
        title=data["title"],
        kind=data["kind"],
        forum=data.get("forum", ""),
        owner_id=data["owner"].pk if data.get("owner") else None,
        start=data.get("start"),
        description=data.get("description", ""),
    )


@login_required
def milestone_add(request, workstream_id: int):
    workstream = get_for(
        request.user,
        Action.EDIT_PLAN,
        Workstream.objects.select_related("programme__organisation", "area"),
        pk=workstream_id,
    )
    form = MilestonePlanForm(posted(request), workstream=workstream)
    milestone = save_form(
        form,
        lambda data: add_milestone(
            workstream, by=request.user, plan=_plan(data), baseline=data["baseline"]
        ),
        noun="milestone",
    )
    if milestone is not None:
        messages.success(request, f"Milestone {milestone.reference} added")
        return redirect("milestone_detail", milestone.pk)
    return render(
        request,
        "workstreams/milestone_form.html",
        {
            "form": form,
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
            "milestone": None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def milestone_edit(request, milestone_id: int):
    milestone = _milestone(request, milestone_id, Action.EDIT_PLAN)
    workstream = milestone.workstream
    form = MilestonePlanForm(posted(request), workstream=workstream, milestone=milestone)
    if save_form(
        form,
        lambda data: edit_milestone(
            milestone, by=request.user, version=data["version"], plan=_plan(data)
        ),
        noun="milestone",
    ):
        messages.success(request, f"Milestone {milestone.reference} changed")
        return redirect("milestone_detail", milestone.pk)
    return render(
        request,
        "workstreams/milestone_form.html",
        {
            "form": form,
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
            "milestone": milestone,
        },
        status=400 if form.errors else 200,
    )


@login_required
def milestone_rebaseline(request, milestone_id: int):
    milestone = _milestone(request, milestone_id, Action.EDIT_PLAN)
    form = RebaselineForm(posted(request), milestone=milestone)
    if save_form(
        form,
        lambda data: rebaseline_milestone(
            milestone,
            by=request.user,
            version=data["version"],
            baseline=data["baseline"],
            reason=data["reason"],
        ),
        noun="milestone",
    ):
        messages.success(request, f"Milestone {milestone.reference} re-baselined")
        return redirect("milestone_detail", milestone.pk)
    return render(
        request,
        "workstreams/milestone_rebaseline.html",
        {
            "form": form,
            "milestone": milestone,
            "workstream": milestone.workstream,
            "programme": milestone.workstream.programme,
            "header_organisation": milestone.workstream.programme.organisation,
        },
        status=400 if form.errors else 200,
    )


@login_required
def milestone_remove(request, milestone_id: int):
    milestone = _milestone(request, milestone_id, Action.EDIT_PLAN)
    workstream = milestone.workstream
    form = ChangeForm(posted(request), instance=milestone)

    def remove(data) -> Milestone:
        remove_milestone(milestone, by=request.user, version=data["version"])
        return milestone

    if save_form(
        form,
        remove,
        noun="milestone",
        outcome="It has not been removed: check it, and remove it again if you still mean to.",
    ):
        messages.success(request, f"Milestone {milestone.reference} removed")
        return redirect("workstream_detail", workstream.pk)
    return render(
        request,
        "workstreams/milestone_remove.html",
        {
            "milestone": milestone,
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
            "form": form,
        },
        status=409 if form.conflict else 400 if form.errors else 200,
    )


@login_required
@require_POST
def milestone_move(request, milestone_id: int):
    milestone = _milestone(request, milestone_id, Action.EDIT_PLAN)
    move_milestone(milestone, by=request.user, up=request.POST.get("direction") == "up")
    return redirect(f"{milestone.workstream.get_absolute_url()}#milestones")
