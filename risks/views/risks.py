"""A risk's page (scores, their history as a chart, mitigation actions, its full history) and
the pages that change risks: raise, edit, close, reopen, realise into an issue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from programmes.charts import as_data_uri, score_history
from programmes.comments import comment_thread, with_comments
from programmes.dates import day_label
from programmes.forms import ChangeForm, add_errors, posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import Programme, ProgrammeArea
from programmes.params import read_id
from programmes.permissions import Action, get_for, may, may_somewhere
from programmes.rules import is_overdue
from risks.forms.risks import ActionForm, CloseRiskForm, RealiseRiskForm, RiskForm
from risks.models import MitigationAction, Risk
from risks.services.risks import (
    add_mitigation,
    close_risk,
    complete_action,
    edit_risk,
    raise_risk,
    realise_risk,
    reopen_risk,
)
from workstreams.models import Workstream


def _risk(request, risk_id: int, action: Action = Action.VIEW) -> Risk:
    """The risk from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        Risk.objects.select_related("programme__organisation", "area", "workstream", "owner"),
        pk=risk_id,
    )


def _context(risk: Risk, **extra) -> dict:
    return {
        "risk": risk,
        "programme": risk.programme,
        "workstream": risk.workstream,
        "header_organisation": risk.programme.organisation,
        **extra,
    }


def score_points(risk: Risk) -> list[dict]:
    """The current score at each change of it, oldest first, from the history."""
    points, last = [], None
    for record in risk.history.order_by("history_date", "history_id"):
        score = record.current_likelihood * record.current_impact
        if score != last:
            points.append(
                {
                    "when": timezone.localtime(record.history_date).date(),
                    "likelihood": record.current_likelihood,
                    "impact": record.current_impact,
                    "score": score,
                    "band": risk.programme.risk_band(score),
                }
            )
            last = score
    return points


def _history(risk: Risk):
    return describe_history(
        [
            HistorySource(Risk.history.filter(id=risk.pk), lambda r: "Risk"),
            HistorySource(
                MitigationAction.history.filter(risk_id=risk.pk),
                lambda r: "Mitigation action",
                lambda r: f"Added: {r.description[:100]}",
            ),
        ]
    )


@login_required
def risk_detail(request, risk_id: int):
    action = Action.MANAGE_RISKS if request.method == "POST" else Action.VIEW
    risk = _risk(request, risk_id, action)
    can_manage = may(request.user, Action.MANAGE_RISKS, risk)
    action_form = ActionForm(programme=risk.programme, prefix="action") if can_manage else None
    if request.method == "POST":
        action_form = ActionForm(request.POST, programme=risk.programme, prefix="action")
        if action_form.is_valid():
            data = action_form.cleaned_data
            try:
                add_mitigation(
                    risk,
                    by=request.user,
                    description=data["description"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                )
            except ValidationError as error:
                add_errors(action_form, error)
            else:
                messages.success(request, "Mitigation action added")
                return redirect("risk_detail", risk.pk)
    points = score_points(risk)
    chart = ""
    if len(points) > 1:
        labelled = [(day_label(p["when"]), p["score"]) for p in points]
        chart = as_data_uri(
            score_history(
                labelled,
                amber_from=risk.programme.risk_amber_from,
                red_from=risk.programme.risk_red_from,
            )
        )
    programme = risk.programme
    scores = [
        (label, likelihood, impact, risk.band_of(score, programme) if score else None, score)
        for label, likelihood, impact, score in (
            (
                "Inherent (before mitigation)",
                risk.inherent_likelihood,
                risk.inherent_impact,
                risk.inherent_score,
            ),
            ("Current", risk.current_likelihood, risk.current_impact, risk.current_score),
            ("Target", risk.target_likelihood, risk.target_impact, risk.target_score),
        )
    ]
    comments = comment_thread(
        risk, user=request.user, post_url=reverse("risk_comment", args=[risk.pk])
    )
    return render(
        request,
        "risks/risk_detail.html",
        _context(
            risk,
            scores=scores,
            points=points,
            chart=chart,
            actions=risk.actions.select_related("owner"),
            action_form=action_form,
            can_manage=can_manage,
            issue=getattr(risk, "issue", None),
            review_overdue=is_overdue(risk.review_date, done=False, as_of=timezone.localdate()),
            goes_to_board=risk.goes_to_board,
            history=with_comments(_history(risk), comments.comments),
            comments=comments,
        ),
        status=400 if action_form is not None and action_form.errors else 200,
    )


def _scope_initial(request, programme: Programme) -> dict:
    initial = {"raised_on": timezone.localdate()}
    workstream = (
        Workstream.objects.visible_to(request.user)
        .filter(programme=programme, pk=read_id(request.GET.get("workstream")))
        .first()
    )
    area = (
        ProgrammeArea.objects.visible_to(request.user)
        .filter(programme=programme, pk=read_id(request.GET.get("area")))
        .first()
    )
    if workstream is not None:
        initial |= {"workstream": workstream.pk, "area": workstream.area_id}
    elif area is not None:
        initial["area"] = area.pk
    return initial


@login_required
def risk_add(request, programme_id: int):
    programme = programme_for(request, programme_id)
    if not may_somewhere(request.user, Action.MANAGE_RISKS, programme):
        raise PermissionDenied("Your role does not allow this")
    form = RiskForm(
        posted(request),
        programme=programme,
        initial=_scope_initial(request, programme) | {"kind": "threat"},
    )
    risk = save_form(
        form,
        lambda data: raise_risk(programme, by=request.user, details=form.details()),
        noun="risk",
    )
    if risk is not None:
        messages.success(request, f"Risk {risk.reference} raised")
        return redirect("risk_detail", risk.pk)
    return render(
        request,
        "risks/risk_form.html",
        {
            "form": form,
            "programme": programme,
            "risk": None,
            "header_organisation": programme.organisation,
        },
        status=400 if form.errors else 200,
    )


@login_required
def risk_edit(request, risk_id: int):
    risk = _risk(request, risk_id, Action.MANAGE_RISKS)
    form = RiskForm(posted(request), programme=risk.programme, risk=risk)
    if save_form(
        form,
        lambda data: edit_risk(
            risk, by=request.user, version=data["version"], details=form.details()
        ),
        noun="risk",
    ):
        messages.success(request, f"Risk {risk.reference} changed")
        return redirect("risk_detail", risk.pk)
    return render(
        request,
        "risks/risk_form.html",
        _context(risk, form=form),
        status=400 if form.errors else 200,
    )


@login_required
def risk_close(request, risk_id: int):
    risk = _risk(request, risk_id, Action.MANAGE_RISKS)
    form = CloseRiskForm(posted(request), risk=risk)
    if save_form(
        form,
        lambda data: close_risk(
            risk, by=request.user, version=data["version"], reason=data["closing_reason"]
        ),
        noun="risk",
    ):
        messages.success(request, f"Risk {risk.reference} closed")
        return redirect("risk_detail", risk.pk)
    return render(
        request,
        "risks/risk_close.html",
        _context(risk, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def risk_reopen(request, risk_id: int):
    risk = _risk(request, risk_id, Action.MANAGE_RISKS)
    form = ChangeForm(request.POST, instance=risk)
    if save_form(
        form,
        lambda data: reopen_risk(risk, by=request.user, version=data["version"]),
        noun="risk",
        outcome="It has not been reopened: check it below, and reopen it again if you still "
        "mean to.",
    ):
        messages.success(request, f"Risk {risk.reference} reopened")
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect("risk_detail", risk.pk)


@login_required
def risk_realise(request, risk_id: int):
    risk = _risk(request, risk_id, Action.MANAGE_RISKS)
    form = RealiseRiskForm(posted(request), risk=risk)
    issue = save_form(
        form,
        lambda data: realise_risk(
            risk,
            by=request.user,
            version=data["version"],
            severity=data["severity"],
            priority=data["priority"],
            reference=data["reference"],
        ),
        noun="risk",
    )
    if issue is not None:
        messages.success(
            request, f"Risk {risk.reference} realised: it is now issue {issue.reference}"
        )
        return redirect("issue_detail", issue.pk)
    return render(
        request,
        "risks/risk_realise.html",
        _context(
            risk,
            form=form,
            open_actions=risk.actions.filter(done=False).count(),
            already=hasattr(risk, "issue"),
        ),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def mitigation_done(request, action_id: int):
    action = get_for(
        request.user,
        Action.MANAGE_RISKS,
        MitigationAction.objects.select_related("risk"),
        pk=action_id,
    )
    complete_action(action, by=request.user)
    messages.success(request, "Action marked as done")
    return redirect("risk_detail", action.risk_id)
