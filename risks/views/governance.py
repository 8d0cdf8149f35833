"""Decision and board meeting pages: a decision's page, adding and changing decisions, the
programme's board meetings, adding and changing a meeting. The meeting's own page (with what
the board must decide, where the programme office keeps the agenda and the chair records the
decisions made) lists the period's approved reports, so it is in reporting/views/meetings.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes.forms import posted, save_form
from programmes.history import Change, HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import Programme
from programmes.params import read_id
from programmes.permissions import Action, get_for, may, may_record_decision_at
from risks.forms.governance import (
    DecisionForm,
    MeetingForm,
    initial_from_milestone,
)
from risks.models import BoardMeeting, Decision, DecisionStatus
from risks.services.governance import (
    add_decision,
    add_meeting,
    decision_scopes,
    edit_decision,
    edit_meeting,
    forum_suggestions,
    is_overdue,
    meetings_of,
)
from workstreams.models import Milestone

# ----- Decisions -----


def _decision(request, decision_id: int, action: Action = Action.VIEW) -> Decision:
    """The decision from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        Decision.objects.select_related(
            "programme__organisation", "workstream", "milestone__workstream", "meeting__chair"
        ),
        pk=decision_id,
    )


def _history(decision: Decision) -> list[Change]:
    return describe_history(
        [
            HistorySource(
                Decision.history.filter(id=decision.pk),
                lambda record: "",
                lambda record: "Added to the decision log",
            )
        ]
    )


@login_required
@require_safe
def decision_detail(request, decision_id: int):
    decision = _decision(request, decision_id)
    meeting = decision.meeting
    return render(
        request,
        "governance/decision_detail.html",
        {
            "decision": decision,
            "programme": decision.programme,
            "header_organisation": decision.programme.organisation,
            "is_overdue": is_overdue(decision, timezone.localdate()),
            "can_edit": may(request.user, Action.MANAGE_DECISIONS, decision),
            "can_record": meeting is not None
            and decision.status != DecisionStatus.MADE
            and meeting.held_on <= timezone.localdate()
            and may_record_decision_at(request.user, meeting),
            "history": _history(decision),
        },
    )


def _forum_suggestions(programme: Programme) -> list[str]:
    used = (
        Decision.objects.filter(programme=programme)
        .order_by("forum")
        .values_list("forum", flat=True)
        .distinct()
    )
    return forum_suggestions(programme, list(used))


def _render_decision_form(request, form, programme, decision):
    return render(
        request,
        "governance/decision_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "decision": decision,
            "forums": _forum_suggestions(programme),
        },
        status=400 if form.errors else 200,
    )


@login_required
def decision_add(request, programme_id: int):
    programme = programme_for(request, programme_id)
    scopes = decision_scopes(request.user, programme)
    if not scopes.anywhere:
        raise PermissionDenied("Your role does not allow this")
    initial = {"forum": programme.board_name}
    milestone_id = read_id(request.GET.get("milestone"))
    if milestone_id is not None:
        milestone = (
            Milestone.objects.visible_to(request.user)
            .filter(pk=milestone_id, workstream__programme=programme)
            .first()
        )
        if milestone is not None:
            initial |= initial_from_milestone(milestone, programme)
    form = DecisionForm(posted(request), programme=programme, scopes=scopes, initial=initial)
    decision = save_form(
        form,
        lambda data: add_decision(programme, by=request.user, details=form.details()),
        noun="decision",
    )
    if decision is not None:
        messages.success(request, f"Decision {decision.reference} added")
        return redirect("decision_detail", decision.pk)
    return _render_decision_form(request, form, programme, None)


@login_required
def decision_edit(request, decision_id: int):
    decision = _decision(request, decision_id, Action.MANAGE_DECISIONS)
    programme = decision.programme
    scopes = decision_scopes(request.user, programme)
    form = DecisionForm(posted(request), programme=programme, scopes=scopes, decision=decision)
    if save_form(
        form,
        lambda data: edit_decision(
            decision, by=request.user, version=data["version"], details=form.details()
        ),
        noun="decision",
    ):
        messages.success(request, f"Decision {decision.reference} changed")
        return redirect("decision_detail", decision.pk)
    return _render_decision_form(request, form, programme, decision)


# ----- Board meetings -----


def _meeting(request, meeting_id: int, action: Action = Action.VIEW) -> BoardMeeting:
    """The meeting from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        BoardMeeting.objects.select_related("programme__organisation", "chair"),
        pk=meeting_id,
    )


@login_required
@require_safe
def meeting_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    upcoming, past = meetings_of(programme, timezone.localdate())
    return render(
        request,
        "governance/meeting_list.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "upcoming": upcoming,
            "past": past,
            "can_manage": may(request.user, Action.MANAGE_PROGRAMME, programme),
        },
    )


def _render_meeting_form(request, form, programme, meeting):
    return render(
        request,
        "governance/meeting_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "meeting": meeting,
        },
        status=400 if form.errors else 200,
    )


@login_required
def meeting_add(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = MeetingForm(posted(request), programme=programme)
    meeting = save_form(
        form,
        lambda data: add_meeting(programme, by=request.user, details=form.details()),
        noun="meeting",
    )
    if meeting is not None:
        messages.success(request, f"{meeting} added")
        return redirect("meeting_detail", meeting.pk)
    return _render_meeting_form(request, form, programme, None)


@login_required
def meeting_edit(request, meeting_id: int):
    meeting = _meeting(request, meeting_id, Action.MANAGE_PROGRAMME)
    form = MeetingForm(posted(request), programme=meeting.programme, meeting=meeting)
    if save_form(
        form,
        lambda data: edit_meeting(
            meeting, by=request.user, version=data["version"], details=form.details()
        ),
        noun="meeting",
    ):
        messages.success(request, f"{meeting} changed")
        return redirect("meeting_detail", meeting.pk)
    return _render_meeting_form(request, form, meeting.programme, meeting)
