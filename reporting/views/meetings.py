"""A board meeting's page, as the programme board secretary runs it (DOMAIN.md section 7):
its people, its papers (the period's approved reports, listed here automatically, and the
documents uploaded), its agenda items in order with their minutes, decisions and actions,
what the board must decide, and its minutes as a PDF. The page lives in `reporting` because
it lists the reports; the meeting's writes are in `risks.services`.

Also here, because a refused form is shown on this page: the chair's record of a decision
made, and the programme office's agenda of decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from programmes.forms import add_errors, save_form
from programmes.history import Change, HistorySource, describe_history
from programmes.params import read_id
from programmes.permissions import Action, get_for, may, may_record_decision_at
from reporting.meetings import approved_reports_for, minutes_filename, minutes_pdf
from reporting.models import BoardPack
from risks.forms.governance import AgendaForm, RecordDecisionForm, meeting_label
from risks.meetings import meeting_record
from risks.models import (
    AgendaItem,
    Attendance,
    BoardMeeting,
    Decision,
    DecisionStatus,
    MeetingPaper,
)
from risks.services.governance import (
    agenda_candidates,
    board_business,
    is_overdue,
    put_on_agenda,
    record_decision,
    require_may_record_at,
    take_off_agenda,
)
from workstreams.models import Milestone


def _meeting(request, meeting_id: int, action: Action = Action.VIEW) -> BoardMeeting:
    """The meeting from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        BoardMeeting.objects.select_related("programme__organisation", "chair"),
        pk=meeting_id,
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
    """The meeting's changes, its agenda items', its papers' and its list of people's: one
    query each."""
    return describe_history(
        [
            HistorySource(BoardMeeting.history.filter(id=meeting.pk), lambda record: ""),
            HistorySource(
                AgendaItem.history.filter(meeting_id=meeting.pk),
                lambda record: f"Agenda item '{record.title}'",
                lambda record: "Added to the agenda",
            ),
            HistorySource(
                MeetingPaper.history.filter(meeting_id=meeting.pk),
                lambda record: f"Paper '{record.title}'",
                lambda record: f"Uploaded ({record.file_name})",
            ),
            HistorySource(
                Attendance.history.filter(meeting_id=meeting.pk).select_related("person"),
                lambda record: f"Attendance of {record.person.name}",
                lambda record: f"Put on the list: {record.get_status_display().lower()}",
            ),
        ]
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
    one. A fixed number of queries whatever the size of the meeting."""
    today = timezone.localdate()
    business = board_business(meeting)
    record = meeting_record(meeting, business.agenda)
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
    for action in record.actions:
        action.is_overdue_now = action.is_overdue(today)
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "programme": meeting.programme,
            "header_organisation": meeting.programme.organisation,
            "business": business,
            "record": record,
            "reports": approved_reports_for(meeting),
            "may_download_reports": may(request.user, Action.DOWNLOAD_REPORT, meeting),
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
            "board_pack": BoardPack.objects.filter(meeting=meeting).order_by("-version").first(),
        },
        status=status,
    )


@login_required
@require_safe
def meeting_detail(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return _meeting_page(request, meeting)


@login_required
@require_safe
def meeting_minutes_pdf(request, meeting_id: int):
    """The minutes as a PDF, made while the user waits: a meeting's minutes are a few pages,
    made in well under a second, so no background job is needed. Everyone who sees the
    programme may read them."""
    meeting = _meeting(request, meeting_id)
    rendered = minutes_pdf(meeting)
    return HttpResponse(
        rendered.content,
        content_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition_header(True, minutes_filename(meeting)),
            "Cache-Control": "private, no-store",
        },
    )


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
