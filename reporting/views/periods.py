"""Reporting periods and their exceptions: the programme's months, closed and reopened by the
programme office; each period's breaches of tolerance with the narratives written for the
board, and the sponsor's approval of them (DOMAIN.md sections 4 and 5)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from programmes.choices import PeriodStatus
from programmes.dates import month_start
from programmes.forms import ChangeForm, add_errors, posted, save_form
from programmes.lists import programme_for
from programmes.models import ReportingPeriod
from programmes.permissions import Action, get_for, may, may_somewhere, require
from reporting.approvals import send_back_narrative
from reporting.exceptions import Breach
from reporting.forms import NarrativeForm, ReopenForm, SendBackForm
from reporting.models import BreachKind
from reporting.narratives import (
    PeriodExceptions,
    approve_narrative,
    exceptions_for_period,
    may_approve,
    may_write,
    placed_at,
    write_narrative,
)
from reporting.services import close_period, reopen_period
from reporting.views.comments import attach_exception_threads
from workstreams.models import UpdateState, Workstream

GROUP_HEADINGS = {
    BreachKind.WORKSTREAM: "Red workstreams",
    BreachKind.MILESTONE: "Milestones overdue or beyond time tolerance",
    BreachKind.DEPENDENCY: "Dependencies at risk: forecast after a dependent's due date",
    BreachKind.MEASURE: "Red measures",
    BreachKind.BUDGET: "Budgets over cost tolerance",
    BreachKind.RISK: "Risks at or above the board's threshold, or newly Red",
    BreachKind.SCOPE: "Scope exceptions, raised by hand",
    BreachKind.QUALITY: "Quality exceptions, raised by hand",
}
STATUS_LABELS = {
    "none": "No narrative",
    "incomplete": "Narrative incomplete",
    "awaiting_approval": "Awaiting approval",
    "sent_back": "Sent back",
    "approved": "Approved",
}
# Where each kind of breached thing has its own page.
DETAIL_PAGES = {
    BreachKind.WORKSTREAM: "workstream_detail",
    BreachKind.MILESTONE: "milestone_detail",
    BreachKind.DEPENDENCY: "milestone_detail",
    "workstream-dependency": "workstream_detail",
    BreachKind.MEASURE: "measure_detail",
    BreachKind.RISK: "risk_detail",
    BreachKind.SCOPE: "raised_exception_detail",
    BreachKind.QUALITY: "raised_exception_detail",
}


def _period(request, period_id: int, action: Action = Action.VIEW) -> ReportingPeriod:
    """The period from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        ReportingPeriod.objects.select_related("programme__organisation", "closed_by__person"),
        pk=period_id,
    )


def _has_ended(period: ReportingPeriod) -> bool:
    return period.month < month_start(timezone.localdate())


# ----- The periods page -----


@dataclass
class PeriodRow:
    period: ReportingPeriod
    updates_in: int
    has_ended: bool
    exceptions: PeriodExceptions | None  # None: not checked on this page
    can_close: bool
    can_reopen: bool


@login_required
@require_safe
def period_list(request, programme_id: int):
    """The programme's periods, newest first. Exceptions are found only for the newest open
    period and the newest closed one: each costs a full read of the programme."""
    programme = programme_for(request, programme_id)
    periods = list(
        ReportingPeriod.objects.visible_to(request.user)
        .filter(programme=programme)
        .select_related("closed_by__person")
        .annotate(
            updates_in=Count(
                "status_updates", filter=Q(status_updates__state=UpdateState.SUBMITTED)
            )
        )
        .order_by("-month")
    )
    this_month = month_start(timezone.localdate())
    reopened = {}  # each period's last reopening, with its reason
    for record in (
        ReportingPeriod.history.filter(programme_id=programme.pk, status=PeriodStatus.OPEN)
        .exclude(history_change_reason__isnull=True)
        .exclude(history_change_reason="")
        .select_related("history_user__person")
        .order_by("history_date")
    ):
        reopened[record.id] = record
    for period in periods:
        period.programme = programme
        period.reopened = reopened.get(period.pk)
    checked = [
        next((p for p in periods if not p.is_closed and p.month <= this_month), None),
        next((p for p in periods if p.is_closed), None),
    ]
    found = {period.pk: exceptions_for_period(period) for period in checked if period}
    can_manage = may(request.user, Action.MANAGE_PROGRAMME, programme)
    rows = [
        PeriodRow(
            period=period,
            updates_in=period.updates_in,
            has_ended=period.month < this_month,
            exceptions=found.get(period.pk),
            can_close=can_manage and not period.is_closed and period.month < this_month,
            can_reopen=can_manage and period.is_closed,
        )
        for period in periods
    ]
    return render(
        request,
        "reporting/periods.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "rows": rows,
            "workstream_count": Workstream.objects.filter(programme=programme).count(),
            "can_manage": can_manage,
        },
    )


def _confirm(request, **context):
    """The question before an action (templates/reporting/confirm.html)."""
    status = context.pop("status", 200)
    return render(request, "reporting/confirm.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def period_close(request, period_id: int):
    """Asks first (what closing does, how many updates are still out), then closes."""
    period = _period(request, period_id, Action.MANAGE_PROGRAMME)
    if request.method == "POST":
        try:
            close_period(period, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{period.label} is closed. Its reports show the programme as it stood on "
                f"{period.ends_on:%-d %B %Y}, and its status updates are locked.",
            )
        return redirect("period_list", period.programme_id)
    if period.is_closed or not _has_ended(period):
        messages.error(
            request,
            f"{period.label} is closed already"
            if period.is_closed
            else f"{period.label} has not ended yet: it can be closed from its last day",
        )
        return redirect("period_list", period.programme_id)
    total = Workstream.objects.filter(programme=period.programme).count()
    submitted = period.status_updates.filter(state=UpdateState.SUBMITTED).count()
    missing = total - submitted
    return _confirm(
        request,
        programme=period.programme,
        header_organisation=period.programme.organisation,
        caption=period.programme.name,
        heading=f"Close {period.label}?",
        explanation=[
            f"{submitted} of {total} status updates are in."
            + (
                f" The {missing} not submitted will be locked out: their leads cannot submit "
                "them once the period is closed."
                if missing
                else ""
            ),
            f"The period's reports will show the programme as it stood on "
            f"{period.ends_on:%-d %B %Y}, and are no longer drafts: the programme office can "
            "then approve them for the board.",
            "You can reopen the period later, giving a reason.",
        ],
        action_url=reverse("period_close", args=[period.pk]),
        button=f"Close {period.label}",
        cancel_url=reverse("period_list", args=[period.programme_id]),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def period_reopen(request, period_id: int):
    """Asks why, then reopens: the reason is kept in the period's history and shown."""
    period = _period(request, period_id, Action.MANAGE_PROGRAMME)
    form = ReopenForm(posted(request))
    if form.is_valid():
        try:
            reopen_period(period, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"{period.label} is open again. Leads can correct its status updates, and its "
                "reports are drafts until it is closed.",
            )
            return redirect("period_list", period.programme_id)
    if not period.is_closed and request.method != "POST":
        messages.error(request, f"{period.label} is open already")
        return redirect("period_list", period.programme_id)
    return _confirm(
        request,
        programme=period.programme,
        header_organisation=period.programme.organisation,
        caption=period.programme.name,
        heading=f"Reopen {period.label}?",
        explanation=[
            "Leads will be able to correct the period's status updates again, and its reports "
            "become drafts until the period is closed again. Approved reports stay as they "
            "were sent; a corrected report is a new version.",
        ],
        form=form,
        action_url=reverse("period_reopen", args=[period.pk]),
        button=f"Reopen {period.label}",
        warning=True,
        cancel_url=reverse("period_list", args=[period.programme_id]),
        status=400 if form.errors else 200,
    )


# ----- A period's exceptions -----


@dataclass
class ExceptionLine:
    """One breach as the page shows it, with what the user may do about it."""

    breach: Breach
    can_write: bool
    can_approve: bool

    @property
    def anchor(self) -> str:
        return self.breach.key.replace(":", "-")

    @property
    def url_kind(self) -> str:
        return self.breach.key.split(":")[0]

    @property
    def url_id(self) -> str:
        return self.breach.key.split(":")[1]

    @property
    def detail_url(self) -> str:
        name = DETAIL_PAGES.get(self.url_kind) or DETAIL_PAGES.get(self.breach.kind)
        return reverse(name, args=[self.url_id]) if name else ""

    @property
    def status(self) -> str:
        """none, incomplete (no cause or recommendation yet), awaiting_approval or approved."""
        narrative = self.breach.narrative
        if narrative is None:
            return "none"
        if narrative.approved_at:
            return "approved"
        if narrative.sent_back_at:
            return "sent_back"
        return "awaiting_approval" if narrative.is_written else "incomplete"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class ExceptionGroup:
    kind: BreachKind
    heading: str
    lines: list[ExceptionLine]

    @property
    def anchor(self) -> str:
        return f"kind-{self.kind}"

    @property
    def count(self) -> int:
        return len(self.lines)


def _lines(request, found: PeriodExceptions) -> list[ExceptionLine]:
    return [
        ExceptionLine(
            breach,
            can_write=may_write(request.user, found.period, breach),
            can_approve=may_approve(request.user, found.period, breach),
        )
        for breach in found.breaches
    ]


def _groups(lines: list[ExceptionLine]) -> list[ExceptionGroup]:
    """The lines by kind of breach, in the order they were found (most serious kinds first)."""
    groups: dict[str, ExceptionGroup] = {}
    for line in lines:
        kind = line.breach.kind
        groups.setdefault(kind, ExceptionGroup(kind, GROUP_HEADINGS[kind], [])).lines.append(line)
    return list(groups.values())


def _render_exceptions(request, period, found, *, status=200, **context):
    """The exceptions page; with `editing`, the form for one exception's narrative. With
    ?mine=1, only the exceptions the user may write or approve."""
    lines = _lines(request, found)
    attach_exception_threads(request, period, lines)
    mine = [line for line in lines if line.can_write or line.can_approve]
    only_mine = request.GET.get("mine") == "1" and bool(mine)
    return render(
        request,
        "reporting/exceptions.html",
        {
            "programme": period.programme,
            "header_organisation": period.programme.organisation,
            "period": period,
            "found": found,
            "groups": _groups(mine if only_mine else lines),
            "mine_count": len(mine),
            "only_mine": only_mine,
            # The filter helps only someone who may act on some exceptions but not all.
            "offer_mine": 0 < len(mine) < len(lines),
            "has_ended": _has_ended(period),
            "can_raise_exception": may_somewhere(
                request.user, Action.WRITE_EXCEPTION, period.programme
            ),
        }
        | context,
        status=status,
    )


@login_required
@require_safe
def period_exceptions(request, period_id: int):
    period = _period(request, period_id)
    return _render_exceptions(request, period, exceptions_for_period(period))


def _breach(found: PeriodExceptions, kind: str, object_id: int) -> Breach:
    breach = found.find(f"{kind}:{object_id}")
    if breach is None:
        raise Http404("No such exception in this period")
    return breach


@login_required
def exception_narrative(request, period_id: int, kind: str, object_id: int):
    """Write or change the narrative for one exception."""
    period = _period(request, period_id)
    found = exceptions_for_period(period)
    breach = _breach(found, kind, object_id)
    require(request.user, Action.WRITE_EXCEPTION, placed_at(period, breach))
    line = ExceptionLine(breach, can_write=True, can_approve=False)
    form = NarrativeForm(posted(request), narrative=breach.narrative)
    if save_form(
        form,
        lambda data: write_narrative(
            period, breach, by=request.user, version=data["version"], fields=data
        ),
        noun="narrative",
    ):
        messages.success(request, f"Narrative saved for {breach.title}")
        url = reverse("period_exceptions", args=[period.pk])
        return redirect(f"{url}#{line.anchor}")
    stored = form.conflict.instance if form.conflict else None  # as someone else saved it
    return _render_exceptions(
        request,
        period,
        found,
        editing=line,
        form=form,
        stored=stored,
        status=409 if stored is not None else 400 if form.errors else 200,
    )


def _approval_page(request, period, found, breach, *, form=None, send_back_form=None, status=200):
    """The narrative as the sponsor reads it, with Approve, and Send back with a comment."""
    narrative = breach.narrative
    return _confirm(
        request,
        programme=period.programme,
        header_organisation=period.programme.organisation,
        caption=f"{period.programme.name}, {period.label}",
        heading="Approve this narrative for the board?",
        explanation=[
            f"{breach.title}. Approving it puts these words in the exception report as the "
            "area's approved account. If they change later, the approval is withdrawn.",
        ],
        details_template="reporting/includes/narrative_to_approve.html",
        narrative=narrative,
        breach=breach,
        form=form or ChangeForm(instance=narrative),
        action_url=reverse("exception_approve", args=[period.pk, *breach.key.split(":")]),
        button="Approve the narrative",
        cancel_url=f"{reverse('period_exceptions', args=[period.pk])}#{breach.key.replace(':', '-')}",
        send_back_url=reverse("exception_send_back", args=[period.pk, *breach.key.split(":")]),
        send_back_form=send_back_form or SendBackForm(),
        send_back_to="The project manager who wrote it is emailed your comment with a link.",
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exception_approve(request, period_id: int, kind: str, object_id: int):
    """The sponsor reads the narrative and approves it (as read: a version changed since is
    refused), or sends it back."""
    period = _period(request, period_id)
    found = exceptions_for_period(period)
    breach = _breach(found, kind, object_id)
    require(request.user, Action.APPROVE_EXCEPTION, placed_at(period, breach))
    anchor = ExceptionLine(breach, False, False).anchor
    unwritten = breach.narrative is None or not breach.narrative.is_written
    if unwritten and request.method != "POST":
        messages.error(
            request,
            "This exception cannot be approved yet: its narrative needs at least a cause and a "
            "recommendation. The project manager writes them first.",
        )
        return redirect(f"{reverse('period_exceptions', args=[period.pk])}#{anchor}")
    form = ChangeForm(posted(request), instance=breach.narrative)
    if save_form(
        form,
        lambda data: approve_narrative(period, breach, by=request.user, version=data["version"]),
        noun="narrative",
        doing="reading it",
        outcome="It has not been approved: read it again below, and approve it if you agree.",
    ):
        messages.success(request, f"Narrative approved for {breach.title}")
        return redirect(f"{reverse('period_exceptions', args=[period.pk])}#{anchor}")
    if form.conflict:  # show the narrative as it now reads
        breach = _breach(exceptions_for_period(period), kind, object_id)
    return _approval_page(
        request,
        period,
        found,
        breach,
        form=form,
        status=409 if form.conflict else 400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def exception_send_back(request, period_id: int, kind: str, object_id: int):
    """The sponsor sends the narrative back to its author with a comment."""
    period = _period(request, period_id)
    found = exceptions_for_period(period)
    breach = _breach(found, kind, object_id)
    require(request.user, Action.APPROVE_EXCEPTION, placed_at(period, breach))
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            send_back_narrative(
                period, breach, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Narrative sent back for {breach.title}: its author is told")
            anchor = ExceptionLine(breach, False, False).anchor
            return redirect(f"{reverse('period_exceptions', args=[period.pk])}#{anchor}")
    return _approval_page(request, period, found, breach, send_back_form=form, status=400)
