"""The lead's monthly status update: drafted, submitted, locked at period close, reopened by
the programme office."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.models import ReportingPeriod
from programmes.permissions import Action, get_for, may
from workstreams.assessment import assess_workstream
from workstreams.forms import STATUS_UPDATE_FIELDS, StatusUpdateForm
from workstreams.models import StatusUpdate, UpdateState, Workstream
from workstreams.services.progress import reopen_status_update, save_status_update


@login_required
def status_update(request, workstream_id: int, period_id: int):
    action = Action.SUBMIT_STATUS_UPDATE if request.method == "POST" else Action.VIEW
    workstream = get_for(
        request.user,
        action,
        Workstream.objects.select_related("programme__organisation", "area", "lead"),
        pk=workstream_id,
    )
    period = get_for(
        request.user, Action.VIEW, ReportingPeriod, pk=period_id, programme=workstream.programme
    )
    update = StatusUpdate.objects.filter(workstream=workstream, period=period).first()
    can_write = may(request.user, Action.SUBMIT_STATUS_UPDATE, workstream) and not (
        update is not None and update.is_locked
    )
    rating = assess_workstream(workstream, min(period.ends_on, timezone.localdate()))
    suggested = rating.suggested.rag if rating.suggested.rag in ("red", "amber", "green") else None
    form = None
    if can_write or request.method == "POST":
        form = StatusUpdateForm(
            posted(request),
            programme=workstream.programme,
            update=update,
            initial={"rag": suggested},
        )
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: save_status_update(
                workstream,
                period,
                by=request.user,
                version=data["version"],  # None: the user started from no update at all
                submit=request.POST.get("action") == "submit",
                **{name: data[name] for name in STATUS_UPDATE_FIELDS},
            ),
            noun="update",
        )
        if saved is not None:
            if saved.is_submitted:
                return redirect("status_update_submitted", workstream.pk, period.pk)
            messages.success(request, f"Status update for {period.label} saved as a draft")
            return redirect("status_update", workstream.pk, period.pk)
    history = []
    if update is not None:
        history = describe_history(
            [
                HistorySource(
                    StatusUpdate.history.filter(id=update.pk),
                    lambda r: "Update",
                    lambda r: f"{r.get_state_display()} with rating {r.get_rag_display()}",
                )
            ]
        )
    return render(
        request,
        "workstreams/status_update.html",
        {
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
            "period": period,
            "update": update,
            "form": form,
            "rating": rating,
            "can_reopen": update is not None
            and update.is_locked
            and may(request.user, Action.MANAGE_PROGRAMME, workstream),
            "history": history,
            "today": timezone.localdate(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_safe
def status_update_submitted(request, workstream_id: int, period_id: int):
    """The confirmation once an update is submitted (or its changes saved): what happens next.
    An update not submitted has nothing to confirm: its own page."""
    workstream = get_for(
        request.user,
        Action.VIEW,
        Workstream.objects.select_related("programme__organisation", "area"),
        pk=workstream_id,
    )
    period = get_for(
        request.user, Action.VIEW, ReportingPeriod, pk=period_id, programme=workstream.programme
    )
    update = (
        StatusUpdate.objects.filter(
            workstream=workstream, period=period, state=UpdateState.SUBMITTED
        )
        .select_related("submitted_by__person")
        .first()
    )
    if update is None:
        return redirect("status_update", workstream.pk, period.pk)
    return render(
        request,
        "workstreams/status_update_submitted.html",
        {
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
            "period": period,
            "update": update,
        },
    )


@login_required
@require_POST
def status_update_reopen(request, update_id: int):
    update = get_for(
        request.user,
        Action.MANAGE_PROGRAMME,
        StatusUpdate.objects.select_related("workstream__programme", "period"),
        pk=update_id,
    )
    try:
        reopen_status_update(update, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Update for {update.period.label} reopened for its lead")
    return redirect("status_update", update.workstream_id, update.period_id)
