"""Decision and board meeting pages: a decision's page, adding and changing decisions, the
programme's board meetings, and a meeting's page with what the board must decide, where the
programme office keeps the agenda and the chair records the decisions made."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from programmes.forms import add_errors, posted, save_form
from programmes.history import Change, HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import Programme
from programmes.params import read_id
from programmes.permissions import Action, get_for, may, may_record_decision_at
from risks.forms.governance import (
    AgendaForm,
    DecisionForm,
    MeetingForm,
    RecordDecisionForm,
    initial_from_milestone,
    meeting_label,
)
from risks.models import BoardMeeting, Decision, DecisionStatus
from risks.services.governance import (
    add_decision,
    add_meeting,
    agenda_candidates,
    board_business,
    decision_scopes,
    edit_decision,
    edit_meeting,
    forum_suggestions,
    is_overdue,
    meetings_of,
    put_on_agenda,
    record_decision,
    require_may_record_at,
    take_off_agenda,
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


@dataclass
class AgendaRow:
    decision: Decision
    is_overdue: bool
    record_form: RecordDecisionForm | None


@dataclass
class KeyDecisionRow:
    """A key-decision milestone, with where each decision recorded for it stands."""

    milestone: Milestone
    decisions: list[tuple[Decision, str]]


def _where(decision: Decision, meeting: BoardMeeting) -> str:
    if decision.status == DecisionStatus.MADE:
        return f"made {decision.made_on:%-d %b %Y}" if decision.made_on else "made"
    if decision.meeting_id == meeting.pk:
        return "on this agenda"
    if decision.meeting_id:
        return f"{decision.get_status_display().lower()}, on the agenda of {meeting_label(decision.meeting)}"
    return f"{decision.get_status_display().lower()}, on no agenda"


def _meeting_history(meeting: BoardMeeting) -> list[Change]:
    return describe_history(
        [HistorySource(BoardMeeting.history.filter(id=meeting.pk), lambda record: "")]
    )


def _meeting_page(
    request,
    meeting: BoardMeeting,
    *,
    record_forms: dict | None = None,
    agenda_form: AgendaForm | None = None,
    status: int = 200,
):
    """The meeting's page; a form the user sent with problems is shown in place of its blank
    one."""
    today = timezone.localdate()
    business = board_business(meeting)
    can_manage = may(request.user, Action.MANAGE_PROGRAMME, meeting)
    can_record = may_record_decision_at(request.user, meeting) and meeting.held_on <= today
    record_forms = record_forms or {}
    rows = []
    for decision in business.agenda:
        form = None
        if can_record and decision.status != DecisionStatus.MADE:
            form = record_forms.get(decision.pk) or RecordDecisionForm(
                decision=decision, meeting=meeting
            )
        rows.append(AgendaRow(decision, is_overdue(decision, today), form))
    if can_manage and agenda_form is None:
        agenda_form = AgendaForm(candidates=agenda_candidates(meeting))
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "programme": meeting.programme,
            "header_organisation": meeting.programme.organisation,
            "business": business,
            "agenda_rows": rows,
            "key_decisions": [
                KeyDecisionRow(m, [(d, _where(d, meeting)) for d in m.decisions.all()])
                for m in business.key_decisions
            ],
            "unscheduled": [(d, is_overdue(d, today)) for d in business.unscheduled],
            "can_manage": can_manage,
            "may_record": may_record_decision_at(request.user, meeting),
            "is_future": meeting.held_on > today,
            "agenda_form": agenda_form if can_manage else None,
            "record_form_sent": next(iter(record_forms.values()), None),
            "history": _meeting_history(meeting),
        },
        status=status,
    )


@login_required
@require_safe
def meeting_detail(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return _meeting_page(request, meeting)


@login_required
@require_POST
def decision_record(request, meeting_id: int, decision_id: int):
    """The chair (or the programme office) records a decision on the agenda as made."""
    meeting = _meeting(request, meeting_id)
    require_may_record_at(request.user, meeting)
    decision = get_for(
        request.user,
        Action.VIEW,
        Decision.objects.select_related("milestone", "workstream"),
        pk=decision_id,
        meeting=meeting,
    )
    form = RecordDecisionForm(request.POST, decision=decision, meeting=meeting)
    if save_form(
        form,
        lambda data: record_decision(
            decision,
            by=request.user,
            meeting=meeting,
            outcome=data["outcome"],
            made_on=data["made_on"],
            version=data["version"],
        ),
        noun="decision",
    ):
        messages.success(request, f"Decision {decision.reference} recorded as made")
        return redirect(reverse("meeting_detail", args=[meeting.pk]) + f"#decision-{decision.pk}")
    return _meeting_page(request, meeting, record_forms={decision.pk: form}, status=400)


@login_required
@require_POST
def meeting_agenda(request, meeting_id: int):
    """The programme office puts a decision on the agenda, or takes one off."""
    meeting = _meeting(request, meeting_id, Action.MANAGE_PROGRAMME)
    if request.POST.get("action") == "remove":
        decision = get_for(
            request.user,
            Action.MANAGE_PROGRAMME,
            Decision,
            pk=read_id(request.POST.get("decision")),
            programme=meeting.programme_id,
        )
        try:
            take_off_agenda(meeting, decision, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Decision {decision.reference} taken off the agenda")
        return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#agenda")
    form = AgendaForm(request.POST, candidates=agenda_candidates(meeting))
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            put_on_agenda(meeting, decision, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Decision {decision.reference} put on the agenda")
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#agenda")
    return _meeting_page(request, meeting, agenda_form=form, status=400)


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
