"""The risk register, the decision log, the issues log and the action log of a programme, as
lists that filter, sort, page and download (DOMAIN.md sections 3, 6 and 7)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes.as_at import AsAt, chosen_as_at
from programmes.caching import keep_closed
from programmes.choices import Rag
from programmes.dates import day_label, month_start
from programmes.exports import ExportColumn
from programmes.lists import (
    Column,
    Listing,
    plan_date_key,
    programme_for,
    rag_rank,
    render_list,
    text_key,
)
from programmes.models import Person, Programme, ProgrammeArea, ReportingPeriod
from programmes.permissions import Action, may, may_somewhere
from programmes.snapshots import Snapshot, end_of_day
from risks.filtersets import ActionFilterSet, DecisionFilterSet, IssueFilterSet, RiskFilterSet
from risks.heat_map import heat_map
from risks.models import ActionItem, ActionNote, Decision, Issue, Risk, RiskStatus
from risks.rules import Movement, risk_movement
from risks.services.governance import may_add_decision
from workstreams.models import Milestone, Workstream

MOVEMENT_ORDER = {Movement.UP: 0, Movement.NEW: 1, Movement.SAME: 2, Movement.DOWN: 3}


def may_raise_risks(user, programme: Programme) -> bool:
    """Anyone who may manage risks somewhere in the programme may raise one there."""
    return may_somewhere(user, Action.MANAGE_RISKS, programme)


def _register(model, programme: Programme, as_at: AsAt):
    """A register's rows for its filters: now, or each as it was recorded at the as-at
    moment (the filters then test what was recorded, such as the status then)."""
    return as_at.snapshot.rows(model, programme_id=programme.pk)


def attach(rows: list, name: str, queryset) -> None:
    """Set a foreign key on each row from one query: historical rows cannot be
    select_related. The related object is as it is now (a person's or workstream's name)."""
    ids = {getattr(row, f"{name}_id") for row in rows} - {None}
    found = queryset.in_bulk(ids) if ids else {}
    for row in rows:
        setattr(row, name, found.get(getattr(row, f"{name}_id")))


def _with_scope(rows: list, programme: Programme, as_at: AsAt, *names: str) -> list:
    """Rows with what the page shows of each: loaded with them now, attached as at."""
    if not as_at.is_historical:
        return list(rows.select_related(*names))
    rows = list(rows)
    related = {
        "owner": Person.objects.all(),
        "area": ProgrammeArea.objects.filter(programme=programme),
        "workstream": Workstream.objects.filter(programme=programme),
        "risk": Risk.objects.filter(programme=programme),
        "milestone": Milestone.objects.filter(workstream__programme=programme),
    }
    for name in names:
        attach(rows, name, related[name])
    return rows


# ----- Risk register -----


@dataclass
class RiskRow:
    risk: Risk
    band: Rag
    inherent_band: Rag | None
    movement: str = Movement.NEW
    previous_score: int | None = None

    @property
    def movement_label(self) -> str:
        return Movement(self.movement).label

    @property
    def scope_order(self) -> tuple:
        risk = self.risk
        if risk.workstream_id:
            return (2, risk.workstream.sort_key)
        if risk.area_id:
            return (1, risk.area.sort_key)
        return (0, "")


def _score_text(likelihood, impact, score) -> str:
    return f"{likelihood} x {impact} = {score}" if score is not None else ""


def _band_word(band) -> str:
    return Rag(band).label if band else ""


def _risk_listing(show_inherent: bool) -> Listing:
    """The register's columns; with inherent scores filtered on, those scores show too, so
    that every row visibly matches the filters."""
    inherent_columns, inherent_exports = [], []
    if show_inherent:
        inherent_columns = [
            Column("inherent", "Inherent score", lambda r: r.risk.inherent_score, numeric=True)
        ]
        inherent_exports = [
            ExportColumn("Inherent likelihood", lambda r: r.risk.inherent_likelihood),
            ExportColumn("Inherent impact", lambda r: r.risk.inherent_impact),
            ExportColumn("Inherent score", lambda r: r.risk.inherent_score),
            ExportColumn("Inherent band", lambda r: _band_word(r.inherent_band)),
        ]
    return Listing(
        name="risks",
        singular="risk",
        plural="risks",
        template="lists/risks.html",
        columns=[
            Column("reference", "Ref", lambda r: r.risk.sort_key, css="app-table__reference"),
            Column("title", "Risk", lambda r: text_key(r.risk.title)),
            Column("scope", "Scope", lambda r: r.scope_order),
            Column("owner", "Owner", lambda r: text_key(r.risk.owner and r.risk.owner.name)),
            *inherent_columns,
            Column("score", "Current score", lambda r: r.risk.current_score, numeric=True),
            Column("band", "Band", lambda r: rag_rank(r.band)),
            Column("movement", "Since last period", lambda r: MOVEMENT_ORDER[r.movement]),
            Column("status", "Status", lambda r: r.risk.get_status_display()),
            Column("review", "Review date", lambda r: r.risk.review_date),
        ],
        export_columns=[
            ExportColumn("Reference", lambda r: r.risk.reference),
            ExportColumn("Risk", lambda r: r.risk.title),
            ExportColumn("Scope", lambda r: r.risk.scope_label),
            ExportColumn("Owner", lambda r: r.risk.owner.name if r.risk.owner else ""),
            *inherent_exports,
            ExportColumn("Current likelihood", lambda r: r.risk.current_likelihood),
            ExportColumn("Current impact", lambda r: r.risk.current_impact),
            ExportColumn("Current score", lambda r: r.risk.current_score),
            ExportColumn("Band", lambda r: _band_word(r.band)),
            ExportColumn("Since last period", lambda r: r.movement_label),
            ExportColumn("Score last period", lambda r: r.previous_score),
            ExportColumn("Status", lambda r: r.risk.get_status_display()),
            ExportColumn(
                "Proximity", lambda r: day_label(r.risk.proximity) if r.risk.proximity else ""
            ),
            ExportColumn(
                "Review date", lambda r: day_label(r.risk.review_date) if r.risk.review_date else ""
            ),
        ],
        default_sort="-score",
    )


def previous_scores(programme: Programme, as_of=None) -> dict[int, int]:
    """Each risk's current score at the end of the reporting period before the month of
    `as_of` (today unless shown as at), from the history (one query): movement since then is
    what the register shows."""
    as_of = as_of or timezone.localdate()
    period = (
        ReportingPeriod.objects.filter(programme=programme, month__lt=month_start(as_of))
        .order_by("-month")
        .first()
    )
    if period is None:
        return {}
    then = Snapshot(end_of_day(period.ends_on))

    def scores() -> dict[int, int]:
        return {
            risk_id: likelihood * impact
            for risk_id, likelihood, impact in then.rows(
                Risk, programme_id=programme.pk
            ).values_list("id", "current_likelihood", "current_impact")
        }

    # The period has ended: the history read no longer changes, so it is kept (issue 17).
    return keep_closed(
        f"risk-scores-at-{then.at.isoformat()}", programme.pk, period.ends_on, scores
    )


def _risk_rows(programme: Programme, filterset: RiskFilterSet, as_at: AsAt):
    def load() -> list[RiskRow]:
        risks = _with_scope(filterset.qs, programme, as_at, "owner", "area", "workstream")
        before = previous_scores(programme, as_at.as_of)
        return [
            RiskRow(
                risk,
                risk.band_of(risk.current_score, programme),
                risk.band_of(risk.inherent_score, programme),
                risk_movement(before.get(risk.pk), risk.current_score),
                before.get(risk.pk),
            )
            for risk in risks
        ]

    return load


@login_required
@require_safe
def risk_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_at = chosen_as_at(request, programme)
    filterset = RiskFilterSet(
        request.GET, programme=programme, queryset=_register(Risk, programme, as_at)
    )
    show_inherent = filterset.uses_inherent_scores
    scores = "inherent" if show_inherent else "current"
    open_risks = list(_register(Risk, programme, as_at).filter(status=RiskStatus.OPEN))
    return render_list(
        request,
        programme,
        _risk_listing(show_inherent),
        filterset,
        _risk_rows(programme, filterset, as_at),
        as_of=as_at.as_of,
        as_at=as_at,
        context={
            "show_inherent": show_inherent,
            "heat": heat_map(open_risks, programme, scores),
            "can_raise": may_raise_risks(request.user, programme),
        },
    )


# ----- Decision log -----


def _needed_by_key(decision: Decision):
    return plan_date_key(decision.needed_by, decision.needed_by_precision)


def _milestone_text(decision: Decision) -> str:
    milestone = decision.milestone
    return f"{milestone.reference} {milestone.title}" if milestone else ""


DECISIONS = Listing(
    name="decisions",
    singular="decision",
    plural="decisions",
    template="lists/decisions.html",
    columns=[
        Column("reference", "Ref", lambda d: d.sort_key, css="app-table__reference"),
        Column("title", "Decision", lambda d: text_key(d.title)),
        Column("forum", "Forum", lambda d: text_key(d.forum)),
        Column("needed", "Needed by", _needed_by_key),
        Column("status", "Status", lambda d: d.get_status_display()),
        Column("outcome", "Outcome"),
        Column("made", "Made on", lambda d: d.made_on),
        Column("milestone", "Milestone", lambda d: d.milestone.sort_key if d.milestone else None),
    ],
    export_columns=[
        ExportColumn("Reference", lambda d: d.reference),
        ExportColumn("Decision", lambda d: d.title),
        ExportColumn("Forum", lambda d: d.forum),
        ExportColumn("Needed by", lambda d: d.needed_by_label),
        ExportColumn("Status", lambda d: d.get_status_display()),
        ExportColumn("Outcome", lambda d: d.outcome),
        ExportColumn("Made on", lambda d: day_label(d.made_on) if d.made_on else ""),
        ExportColumn("Milestone", _milestone_text),
    ],
    default_sort="reference",
)


@login_required
@require_safe
def decision_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_at = chosen_as_at(request, programme)
    filterset = DecisionFilterSet(
        request.GET, programme=programme, queryset=_register(Decision, programme, as_at)
    )
    return render_list(
        request,
        programme,
        DECISIONS,
        filterset,
        lambda: _with_scope(filterset.qs, programme, as_at, "milestone"),
        as_of=as_at.as_of,
        as_at=as_at,
        context={"can_add_decision": may_add_decision(request.user, programme)},
    )


# ----- Issues log -----

ISSUES = Listing(
    name="issues",
    singular="issue",
    plural="issues",
    template="lists/issues.html",
    columns=[
        Column("reference", "Ref", lambda i: i.sort_key, css="app-table__reference"),
        Column("title", "Issue", lambda i: text_key(i.title)),
        Column("severity", "Severity", lambda i: SEVERITY_ORDER[i.severity]),
        Column("priority", "Priority", lambda i: PRIORITY_ORDER[i.priority]),
        Column("owner", "Owner", lambda i: text_key(i.owner and i.owner.name)),
        Column("status", "Status", lambda i: i.get_status_display()),
        Column("raised", "Raised", lambda i: i.raised_on),
    ],
    export_columns=[
        ExportColumn("Reference", lambda i: i.reference),
        ExportColumn("Issue", lambda i: i.title),
        ExportColumn("Scope", lambda i: i.scope_label),
        ExportColumn("Severity", lambda i: i.get_severity_display()),
        ExportColumn("Priority", lambda i: i.get_priority_display()),
        ExportColumn("Owner", lambda i: i.owner.name if i.owner else ""),
        ExportColumn("Status", lambda i: i.get_status_display()),
        ExportColumn("Raised", lambda i: day_label(i.raised_on)),
        ExportColumn("Resolution", lambda i: i.resolution),
        ExportColumn("Resolved", lambda i: day_label(i.resolved_on) if i.resolved_on else ""),
        ExportColumn("From risk", lambda i: i.risk.reference if i.risk else ""),
    ],
    default_sort="severity",
)
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@login_required
@require_safe
def issue_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_at = chosen_as_at(request, programme)
    filterset = IssueFilterSet(
        request.GET, programme=programme, queryset=_register(Issue, programme, as_at)
    )
    return render_list(
        request,
        programme,
        ISSUES,
        filterset,
        lambda: _with_scope(filterset.qs, programme, as_at, "owner", "area", "workstream", "risk"),
        as_of=as_at.as_of,
        as_at=as_at,
        context={"can_raise": may_raise_risks(request.user, programme)},
    )


# ----- Action log -----


@dataclass
class ActionRow:
    action: ActionItem
    is_overdue: bool
    latest_note: ActionNote | None

    @property
    def status_label(self) -> str:
        label = self.action.get_status_display()
        return f"{label}, overdue" if self.is_overdue else label


def _meeting_text(action: ActionItem) -> str:
    meeting = action.meeting
    if meeting is None:
        return ""
    text = f"{meeting.title}, {day_label(meeting.held_on)}"
    return f"{text}: {action.agenda_item.title}" if action.agenda_item else text


def _note_text(row: ActionRow) -> str:
    note = row.latest_note
    if note is None:
        return ""
    return f"{day_label(timezone.localtime(note.written_at).date())}: {note.body}"


# Open first (the overdue ones at the top), then done, then dropped.
ACTION_STATUS_ORDER = {"open": 0, "done": 1, "dropped": 2}

ACTIONS = Listing(
    name="actions",
    singular="action",
    plural="actions",
    template="lists/actions.html",
    columns=[
        Column("reference", "Ref", lambda r: r.action.number, css="app-table__reference"),
        Column("description", "Action", lambda r: text_key(r.action.description)),
        Column("owner", "Owner", lambda r: text_key(r.action.owner.name)),
        Column("due", "Due", lambda r: r.action.due_date),
        Column(
            "status", "Status", lambda r: (ACTION_STATUS_ORDER[r.action.status], not r.is_overdue)
        ),
        Column(
            "meeting",
            "Arising from",
            lambda r: r.action.meeting.held_on if r.action.meeting else None,
        ),
        Column("update", "Latest update"),
    ],
    export_columns=[
        ExportColumn("Reference", lambda r: r.action.reference),
        ExportColumn("Action", lambda r: r.action.description),
        ExportColumn("Owner", lambda r: r.action.owner.name),
        ExportColumn("Due", lambda r: day_label(r.action.due_date)),
        ExportColumn("Status", lambda r: r.action.get_status_display()),
        ExportColumn("Overdue", lambda r: "Yes" if r.is_overdue else "No"),
        ExportColumn(
            "Closed on", lambda r: day_label(r.action.closed_on) if r.action.closed_on else ""
        ),
        ExportColumn("Arising from", lambda r: _meeting_text(r.action)),
        ExportColumn("Latest update", _note_text),
    ],
    default_sort="due",
)


def _action_rows(filterset: ActionFilterSet):
    def load() -> list[ActionRow]:
        today = timezone.localdate()
        actions = filterset.qs.select_related("owner", "meeting", "agenda_item").prefetch_related(
            Prefetch(
                "notes", queryset=ActionNote.objects.order_by("written_at", "pk"), to_attr="ordered"
            )
        )
        return [
            ActionRow(
                action, action.is_overdue(today), action.ordered[-1] if action.ordered else None
            )
            for action in actions
        ]

    return load


@login_required
@require_safe
def action_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    # The action log's notes keep no history: asked for as at, it says it shows today.
    as_at = chosen_as_at(request, programme)
    filterset = ActionFilterSet(
        request.GET, programme=programme, queryset=ActionItem.objects.filter(programme=programme)
    )
    return render_list(
        request,
        programme,
        ACTIONS,
        filterset,
        _action_rows(filterset),
        as_of=timezone.localdate(),
        as_at=as_at,
        as_at_unavailable="The action log" if as_at.is_historical else "",
        context={"can_add_action": may(request.user, Action.MANAGE_PROGRAMME, programme)},
    )
