"""The golden thread pages: the organisation's objectives as a tree, with the programme's
workstreams serving each and their rolled-up rating; adding and changing an objective (its
keepers: `programmes.permissions.may_keep_objectives`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import Objective, Programme
from programmes.permissions import may_keep_objectives
from programmes.services import add_objective, change_objective
from workstreams.assessment import assess_programme
from workstreams.forms import ObjectiveForm
from workstreams.golden_thread import golden_thread


def _keeper_of(request, programme_id: int) -> Programme:
    """The programme whose page the user came from, if they may keep its organisation's
    objectives (404 if they may not see it, 403 if they may not keep them)."""
    programme = programme_for(request, programme_id)
    if not may_keep_objectives(request.user, programme.organisation):
        raise PermissionDenied("Your role does not allow changing the organisation's objectives")
    return programme


@login_required
@require_safe
def programme_objectives(request, programme_id: int):
    programme = programme_for(request, programme_id)
    organisation = programme.organisation
    rating = assess_programme(programme, timezone.localdate())
    objectives = list(Objective.objects.filter(organisation=organisation).order_by("sort_key"))
    return render(
        request,
        "workstreams/objectives.html",
        {
            "programme": programme,
            "header_organisation": organisation,
            "thread": golden_thread(objectives, rating.workstreams),
            "can_keep": may_keep_objectives(request.user, organisation),
            "history": describe_history(
                [
                    HistorySource(
                        Objective.history.filter(organisation_id=organisation.pk),
                        lambda record: f"Objective {record.reference}",
                    )
                ],
                limit=30,
            ),
        },
    )


def _form_page(request, programme, form, objective):
    return render(
        request,
        "workstreams/objective_form.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "form": form,
            "objective": objective,
        },
        status=400 if form.errors else 200,
    )


@login_required
def objective_add(request, programme_id: int):
    programme = _keeper_of(request, programme_id)
    organisation = programme.organisation
    form = ObjectiveForm(posted(request), organisation=organisation)
    objective = save_form(
        form,
        lambda data: add_objective(organisation, by=request.user, details=form.details()),
        noun="objective",
    )
    if objective is not None:
        messages.success(request, f"Objective {objective.reference} added")
        return redirect(f"{reverse('programme_objectives', args=[programme.pk])}#objectives")
    return _form_page(request, programme, form, None)


@login_required
def objective_edit(request, programme_id: int, objective_id: int):
    programme = _keeper_of(request, programme_id)
    organisation = programme.organisation
    # The organisation's objectives only: the programme was fetched scoped to the user.
    objective = organisation.objectives.filter(pk=objective_id).first()
    if objective is None:
        raise Http404("No such objective")
    form = ObjectiveForm(posted(request), organisation=organisation, objective=objective)
    if save_form(
        form,
        lambda data: change_objective(
            objective, by=request.user, version=data["version"], details=form.details()
        ),
        noun="objective",
    ):
        messages.success(request, f"Objective {objective.reference} changed")
        return redirect(
            f"{reverse('programme_objectives', args=[programme.pk])}#objective-{objective.pk}"
        )
    return _form_page(request, programme, form, objective)
