"""Workstream plan pages for the project manager and the programme office: add one to an
area, change it (moving it to another area), close it. The workstream's own page is the
reporting app's (`reporting.views.workstreams`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from programmes.forms import ChangeForm, posted, save_form
from programmes.models import ProgrammeArea
from programmes.permissions import Action, get_for
from workstreams.forms import WorkstreamForm
from workstreams.models import Workstream
from workstreams.services.structure import (
    add_workstream,
    change_workstream,
    close_workstream,
    open_milestones_of,
)


def _workstream(request, workstream_id: int, action: Action) -> Workstream:
    return get_for(
        request.user,
        action,
        Workstream.objects.select_related("programme__organisation", "area", "lead"),
        pk=workstream_id,
    )


def _page(workstream: Workstream | None, area: ProgrammeArea, **context) -> dict:
    return {
        "workstream": workstream,
        "area": area,
        "programme": area.programme,
        "header_organisation": area.programme.organisation,
        **context,
    }


@login_required
def workstream_add(request, area_id: int):
    area = get_for(
        request.user,
        Action.EDIT_PLAN,
        ProgrammeArea.objects.select_related("programme__organisation"),
        pk=area_id,
    )
    form = WorkstreamForm(posted(request), area=area, user=request.user)
    workstream = save_form(
        form,
        lambda data: add_workstream(area, by=request.user, details=form.details()),
        noun="workstream",
    )
    if workstream is not None:
        messages.success(request, f"Workstream {workstream.reference} added")
        return redirect("workstream_detail", workstream.pk)
    return render(
        request,
        "workstreams/workstream_form.html",
        _page(None, area, form=form),
        status=400 if form.errors else 200,
    )


@login_required
def workstream_edit(request, workstream_id: int):
    workstream = _workstream(request, workstream_id, Action.EDIT_PLAN)
    form = WorkstreamForm(
        posted(request), area=workstream.area, user=request.user, workstream=workstream
    )
    if save_form(
        form,
        lambda data: change_workstream(
            workstream,
            by=request.user,
            version=data["version"],
            details=form.details(),
            area=data["area"],
            lead_change_confirmed=data["confirm_lead_change"],
        ),
        noun="workstream",
    ):
        messages.success(request, f"Workstream {workstream.reference} changed")
        return redirect("workstream_detail", workstream.pk)
    return render(
        request,
        "workstreams/workstream_form.html",
        _page(workstream, workstream.area, form=form),
        status=400 if form.errors else 200,
    )


@login_required
def workstream_close(request, workstream_id: int):
    workstream = _workstream(request, workstream_id, Action.EDIT_PLAN)
    form = ChangeForm(posted(request), instance=workstream)

    def close(data) -> Workstream:
        return close_workstream(workstream, by=request.user, version=data["version"])

    if save_form(
        form,
        close,
        noun="workstream",
        outcome="It has not been closed: check it, and close it again if you still mean to.",
    ):
        messages.success(request, f"Workstream {workstream.reference} closed")
        return redirect("workstream_detail", workstream.pk)
    return render(
        request,
        "workstreams/workstream_close.html",
        _page(workstream, workstream.area, form=form, still_open=open_milestones_of(workstream)),
        status=409 if form.conflict else 400 if form.errors else 200,
    )
