"""The change control log of a programme (DOMAIN.md section 7; issue 14, part 5): the log,
which filters, sorts and downloads like every list; a change request's page (what and why,
its impacts, the milestones it moves with their old and new baselines, its history and
comments); raising and changing one; withdrawing it; and recording the decision on it.

Everyone in the programme reads the log (board members too); project managers raise changes
for their area, the programme office anywhere; the programme office records the decision,
the board's at a meeting or its own within tolerance (`reporting.changes`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from programmes.comments import comment_thread, with_comments
from programmes.dates import day_label, format_plan_date
from programmes.exports import ExportColumn
from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import Column, Listing, programme_for, render_list, text_key
from programmes.permissions import Action, get_for, may
from reporting.change_forms import ChangeRequestForm, DecideChangeForm, WithdrawChangeForm
from reporting.changes import (
    EDITABLE,
    allocated_budget,
    decide_change,
    edit_change,
    may_raise_changes,
    moves_of,
    next_reference,
    office_decision_problems,
    raise_change,
    state_words,
    tolerance_now,
    withdraw_change,
)
from reporting.filtersets import ChangeFilterSet
from reporting.models import (
    ChangeMilestone,
    ChangeRequest,
    ChangeStatus,
    ToleranceLevel,
    ToleranceVariable,
)
from workstreams.models import Milestone

STATUS_ORDER = {status: index for index, status in enumerate(ChangeStatus.values)}


def _scope_order(change: ChangeRequest) -> tuple:
    if change.workstream_id:
        return (2, change.workstream.sort_key)
    if change.area_id:
        return (1, change.area.sort_key)
    return (0, "")


def _moves_text(change: ChangeRequest) -> str:
    return "; ".join(
        f"{move.milestone.reference} to {move.new_label}" for move in change.milestone_moves.all()
    )


def tolerance_words(change: ChangeRequest) -> str:
    """ "The area's time tolerance to 45 days"; blank when it changes none."""
    if not change.changes_tolerance:
        return ""
    whose = "The area's" if change.tolerance_level == ToleranceLevel.AREA else "The programme's"
    value = change.tolerance_value.normalize()
    if change.tolerance_variable == ToleranceVariable.TIME:
        return f"{whose} time tolerance to {value:f} days"
    return f"{whose} cost tolerance to {value:f}%"


CHANGES = Listing(
    name="changes",
    singular="change request",
    plural="change requests",
    template="reporting/changes/list.html",
    columns=[
        Column("reference", "Ref", lambda c: c.sort_key, css="app-table__reference"),
        Column("title", "Change", lambda c: text_key(c.title)),
        Column("scope", "Scope", _scope_order),
        Column("raised", "Raised", lambda c: c.raised_on),
        Column("status", "Status", lambda c: STATUS_ORDER[c.status]),
        Column("decided", "Decided", lambda c: c.decided_on),
        Column("decided_by", "Decided by"),
    ],
    export_columns=[
        ExportColumn("Reference", lambda c: c.reference),
        ExportColumn("Change", lambda c: c.title),
        ExportColumn("Scope", lambda c: c.scope_label),
        ExportColumn("Raised by", lambda c: c.raised_by.name if c.raised_by else ""),
        ExportColumn("Raised", lambda c: day_label(c.raised_on)),
        ExportColumn("What is to change", lambda c: c.description),
        ExportColumn("Why", lambda c: c.reason),
        ExportColumn("Impact on time", lambda c: c.time_impact),
        ExportColumn("Impact on cost", lambda c: c.cost_impact),
        ExportColumn("Change in cost (£)", lambda c: c.cost_change),
        ExportColumn("Impact on benefits", lambda c: c.benefits_impact),
        ExportColumn("Impact on scope", lambda c: c.scope_impact),
        ExportColumn("Options", lambda c: c.options),
        ExportColumn("Recommendation", lambda c: c.recommendation),
        ExportColumn("Milestones it moves", _moves_text),
        ExportColumn("Tolerance it changes", tolerance_words),
        ExportColumn("Status", lambda c: c.get_status_display()),
        ExportColumn("Decided by", lambda c: c.decided_by_label),
        ExportColumn("Decided on", lambda c: day_label(c.decided_on) if c.decided_on else ""),
        ExportColumn("Outcome", lambda c: c.outcome),
    ],
    default_sort="reference",
)


@login_required
@require_safe
def change_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    filterset = ChangeFilterSet(
        request.GET,
        programme=programme,
        queryset=ChangeRequest.objects.filter(programme=programme),
    )
    return render_list(
        request,
        programme,
        CHANGES,
        filterset,
        lambda: list(
            filterset.qs.select_related("raised_by", "area", "workstream", "board_meeting")
            .prefetch_related(
                Prefetch(
                    "milestone_moves",
                    queryset=ChangeMilestone.objects.select_related("milestone"),
                )
            )
            .order_by("sort_key")
        ),
        as_of=timezone.localdate(),
        context={"can_raise": may_raise_changes(request.user, programme)},
    )


# ----- A change request -----


def _change(request, change_id: int, action: Action = Action.VIEW) -> ChangeRequest:
    """The change from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        ChangeRequest.objects.select_related(
            "programme__organisation",
            "area",
            "workstream__area",
            "raised_by",
            "board_meeting",
            "recorded_by__person",
        ),
        pk=change_id,
    )


def _context(change: ChangeRequest, **extra) -> dict:
    return {
        "change": change,
        "programme": change.programme,
        "workstream": change.workstream,
        "header_organisation": change.programme.organisation,
        **extra,
    }


@dataclass
class MoveRow:
    """A milestone the change moves: its baseline before and the one asked for; once
    approved, the re-baselining made (None: it was there already, or not approved yet)."""

    move: ChangeMilestone

    @property
    def milestone(self) -> Milestone:
        return self.move.milestone

    @property
    def old_label(self) -> str:
        made = self.move.baseline_change
        if made is not None:
            return made.previous_label or "None"
        return self.milestone.baseline_label or "None"

    @property
    def new_label(self) -> str:
        return self.move.new_label


def _history(change: ChangeRequest, moves: list[ChangeMilestone]):
    names = {move.milestone_id: f"{move.milestone.reference}" for move in moves}
    removed = (
        ChangeMilestone.history.filter(change_id=change.pk)
        .exclude(milestone_id__in=names)
        .values_list("milestone_id", flat=True)
    )
    names |= dict(Milestone.history.filter(id__in=removed).values_list("id", "reference"))
    return describe_history(
        [
            HistorySource(ChangeRequest.history.filter(id=change.pk), lambda r: "Change request"),
            HistorySource(
                ChangeMilestone.history.filter(change_id=change.pk),
                lambda r: f"Milestone {names.get(r.milestone_id, 'since removed')}",
                lambda r: (
                    f"Moved by this change to {format_plan_date(r.new_date, r.new_precision)}"
                ),
            ),
        ]
    )


@login_required
@require_safe
def change_detail(request, change_id: int):
    change = _change(request, change_id)
    moves = moves_of(change)
    comments = comment_thread(
        change, user=request.user, post_url=reverse("change_comment", args=[change.pk])
    )
    return render(
        request,
        "reporting/changes/detail.html",
        _context(
            change,
            rows=[MoveRow(move) for move in moves],
            tolerance=tolerance_words(change),
            state=state_words(change),
            can_edit=change.status in EDITABLE and may(request.user, Action.EDIT_PLAN, change),
            can_decide=change.is_awaiting_decision
            and may(request.user, Action.MANAGE_PROGRAMME, change),
            history=with_comments(_history(change, moves), comments.comments),
            comments=comments,
        ),
    )


def _form_page(request, form: ChangeRequestForm, programme, change=None, status=200):
    return render(
        request,
        "reporting/changes/form.html",
        {
            "form": form,
            "change": change,
            "programme": programme,
            "workstream": change.workstream if change else None,
            "header_organisation": programme.organisation,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def change_add(request, programme_id: int):
    """Raise a change: as a draft, or submitted for a decision at once."""
    programme = programme_for(request, programme_id)
    if not may_raise_changes(request.user, programme):
        raise PermissionDenied("Your role does not allow this")
    person = getattr(request.user, "person", None)
    form = ChangeRequestForm(
        posted(request),
        programme=programme,
        user=request.user,
        initial={
            "reference": next_reference(programme),
            "raised_by": person.pk if person is not None else None,
            "raised_on": timezone.localdate(),
        },
    )
    submit = "submit" in request.POST
    change = save_form(
        form,
        lambda data: raise_change(
            programme, by=request.user, details=form.details(), submit=submit
        ),
        noun="change request",
    )
    if change is not None:
        messages.success(
            request,
            f"Change {change.reference} "
            + ("submitted for a decision" if submit else "saved as a draft"),
        )
        return redirect("change_detail", change.pk)
    return _form_page(request, form, programme, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def change_edit(request, change_id: int):
    """Change a change not yet decided; a draft may be submitted from here."""
    change = _change(request, change_id, Action.EDIT_PLAN)
    if change.status not in EDITABLE:
        messages.error(
            request,
            f"Change {change.reference} is {change.get_status_display().lower()}: it can no "
            "longer be changed",
        )
        return redirect("change_detail", change.pk)
    form = ChangeRequestForm(
        posted(request),
        programme=change.programme,
        user=request.user,
        change=change,
        moves=moves_of(change),
    )
    submit = "submit" in request.POST
    if save_form(
        form,
        lambda data: edit_change(
            change,
            by=request.user,
            version=data["version"],
            details=form.details(),
            submit=submit,
        ),
        noun="change request",
    ):
        messages.success(
            request,
            f"Change {change.reference} " + ("submitted for a decision" if submit else "saved"),
        )
        return redirect("change_detail", change.pk)
    status = 409 if form.conflict else 400 if form.errors else 200
    return _form_page(request, form, change.programme, change, status=status)


def _confirm(request, change: ChangeRequest, *, status: int = 200, **context):
    """The question before deciding or withdrawing (reporting/confirm.html, with the change
    log in the breadcrumbs)."""
    return render(
        request,
        "reporting/changes/confirm.html",
        _context(change, caption=f"{change.reference} {change.title}", **context),
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def change_decide(request, change_id: int):
    """The programme office records the decision: approve, reject or defer, by the board at
    a meeting or by the office within tolerance. Shown first: what approving would do."""
    change = _change(request, change_id, Action.MANAGE_PROGRAMME)
    if not change.is_awaiting_decision and request.method != "POST":
        messages.error(
            request,
            f"Change {change.reference} is {change.get_status_display().lower()}: "
            + (
                "it is submitted before it is decided"
                if change.status == ChangeStatus.DRAFT
                else "it is not awaiting a decision"
            ),
        )
        return redirect("change_detail", change.pk)
    form = DecideChangeForm(posted(request), change=change)
    decided = save_form(
        form,
        lambda data: decide_change(
            change, by=request.user, version=data["version"], decision=form.decision()
        ),
        noun="change request",
        doing="reading it",
        outcome="It has not been decided: read it again below, and record the decision if it "
        "still stands.",
    )
    if decided is not None:
        words = decided.get_status_display().lower()
        moved = sum(1 for move in moves_of(decided) if move.baseline_change_id)
        messages.success(
            request,
            f"Change {decided.reference} {words}"
            + (f": {moved} milestone{'s' if moved != 1 else ''} re-baselined" if moved else "")
            + (
                f"; {tolerance_words(decided)[:1].lower()}{tolerance_words(decided)[1:]}"
                if decided.status == ChangeStatus.APPROVED and decided.changes_tolerance
                else ""
            ),
        )
        return redirect("change_detail", decided.pk)
    moves = moves_of(change)
    area = change.area or (change.workstream.area if change.workstream_id else None)
    return _confirm(
        request,
        change,
        heading="Record the decision",
        explanation=[
            "Record what the board decided at its meeting, or the programme office's own "
            "decision on a change within tolerance.",
        ],
        details_template="reporting/changes/includes/to_decide.html",
        rows=[MoveRow(move) for move in moves],
        tolerance=tolerance_words(change),
        tolerance_before=tolerance_now(
            change, change.programme, area if change.tolerance_level == "area" else None
        )
        if change.changes_tolerance
        else None,
        board_only=office_decision_problems(change, moves, allocated=allocated_budget(change)),
        form=form,
        action_url=reverse("change_decide", args=[change.pk]),
        button="Record the decision",
        cancel_url=reverse("change_detail", args=[change.pk]),
        status=409 if form.conflict else 400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def change_withdraw(request, change_id: int):
    """Withdraw a change not yet decided, saying why."""
    change = _change(request, change_id, Action.EDIT_PLAN)
    if change.status not in EDITABLE and request.method != "POST":
        messages.error(
            request,
            f"Change {change.reference} is {change.get_status_display().lower()}: it can no "
            "longer be withdrawn",
        )
        return redirect("change_detail", change.pk)
    form = WithdrawChangeForm(posted(request), change=change)
    if save_form(
        form,
        lambda data: withdraw_change(
            change, by=request.user, version=data["version"], reason=data["outcome"]
        ),
        noun="change request",
        doing="reading it",
        outcome="It has not been withdrawn: read it again, and withdraw it if you still mean to.",
    ):
        messages.success(request, f"Change {change.reference} withdrawn")
        return redirect("change_detail", change.pk)
    return _confirm(
        request,
        change,
        heading="Withdraw the change?",
        explanation=[
            "A withdrawn change stays in the change log with the reason, and is no longer put "
            "to the board. It cannot be reopened: raise a new change instead.",
        ],
        form=form,
        action_url=reverse("change_withdraw", args=[change.pk]),
        button="Withdraw the change",
        warning=True,
        cancel_url=reverse("change_detail", args=[change.pk]),
        status=409 if form.conflict else 400 if form.errors else 200,
    )
