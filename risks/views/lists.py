"""The risk register, the decision log, the issues log and the action log of a programme, as
lists that filter, sort, page and download (DOMAIN.md sections 3, 6 and 7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape  # as Django's escape() and the templates' (no lazy wrapper)

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from programmes.as_at import AsAt, chosen_as_at
from programmes.caching import keep, keep_closed, known_changes
from programmes.choices import Rag
from programmes.dates import day_label, month_end, month_start
from programmes.exports import ExportColumn
from programmes.lists import (
    Column,
    Listing,
    cell_labels,
    link_pattern,
    plan_date_key,
    programme_for,
    rag_rank,
    render_list,
    row_start,
    text_key,
)
from programmes.models import Person, Programme, ProgrammeArea, ReportingPeriod
from programmes.movement import as_movement
from programmes.permissions import Action, may, may_somewhere
from programmes.snapshots import Snapshot, end_of_day
from programmes.templatetags.movement import movement as movement_tag
from programmes.templatetags.plan import rag_tag
from risks.filtersets import ActionFilterSet, DecisionFilterSet, IssueFilterSet, RiskFilterSet
from risks.heat_map import HeatCell, HeatMap
from risks.models import ActionItem, ActionNote, Decision, Issue, Risk, RiskStatus
from risks.rules import Movement, risk_movement, risk_score, score_if_rated
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

# What the register shows of each risk, read as values rather than instances (issue 17): its
# scope's and owner's names joined in, as they are now (also as at a past period's end).
RISK_FIELDS = (
    "id",
    "reference",
    "sort_key",
    "title",
    "escalated",
    "workstream_id",
    "workstream__reference",
    "workstream__sort_key",
    "area_id",
    "area__reference",
    "area__sort_key",
    "owner__name",
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "status",
    "review_date",
    "proximity",
)
RISK_STATUS_LABELS = dict(RiskStatus.choices)


@dataclass(frozen=True)
class RiskTable:
    """What every row of one page's table shares: the link's pattern (one reverse() for all
    the rows), the day overdue reviews are told by, and whether inherent scores show."""

    url_pattern: str
    today: date
    show_inherent: bool
    days: dict = field(default_factory=dict)  # each review date's words, said once
    # Each column's heading by key, which a cell repeats for a phone (the list's
    # `data-label`: there the table's rows are blocks, its headings above them).
    labels: dict = field(default_factory=dict)

    def day(self, value: date | None) -> str:
        """`{{ value|date:"j M Y" }}`."""
        if value not in self.days:
            self.days[value] = date_filter(value, "j M Y")
        return self.days[value]

    @classmethod
    def for_page(cls, today: date, listing: Listing) -> RiskTable:
        """The page's table, its cells labelled with the listing's headings."""
        labels = cell_labels(listing)
        return cls(link_pattern("risk_detail"), today, "inherent" in labels, labels=labels)


@dataclass(slots=True)
class RiskRow:
    """One risk of the register, as the page, its sorting, its filters and its downloads
    read it."""

    pk: int
    reference: str
    sort_key: str
    title: str
    escalated: bool
    scope_label: str
    scope_order: tuple
    owner_name: str | None
    inherent_likelihood: int | None
    inherent_impact: int | None
    current_likelihood: int
    current_impact: int
    status: str
    review_date: date | None
    proximity: date | None
    band: Rag
    inherent_band: Rag | None
    movement: str
    previous_score: int | None
    table: RiskTable

    @property
    def current_score(self) -> int:
        return risk_score(self.current_likelihood, self.current_impact)

    @property
    def inherent_score(self) -> int | None:
        return score_if_rated(self.inherent_likelihood, self.inherent_impact)

    @property
    def movement_label(self) -> str:
        """ "Worse", "Better", "Same" or "New", as every page says a movement
        (`programmes.movement`): a score that went up is Worse."""
        return as_movement(self.movement).label

    @property
    def status_label(self) -> str:
        return RISK_STATUS_LABELS.get(self.status, self.status)

    @property
    def html(self) -> str:
        """The row of the table, written here rather than cell by cell in the template (issue
        17): the same markup the template wrote, every value escaped."""
        table = self.table
        escalated = (
            ' <strong class="govuk-tag govuk-tag--purple app-rag--small">Escalated</strong>'
            if self.escalated
            else ""
        )
        inherent = ""
        if table.show_inherent:
            score = self.inherent_score
            inherent = (
                '<td class="govuk-table__cell govuk-table__cell--numeric app-nowrap" '
                f'data-label="{table.labels["inherent"]}">'
                + (
                    f"{self.inherent_likelihood} x {self.inherent_impact} = {score}<br>"
                    f"{rag_tag(self.inherent_band, small=True)}"
                    if score is not None
                    else '<span class="app-muted">Not scored</span>'
                )
                + "</td>"
            )
        current = self.current_score
        was = (
            f'<br><span class="govuk-body-s app-muted">was {self.previous_score}</span>'
            if self.previous_score is not None and self.previous_score != current
            else ""
        )
        review = self.review_date
        overdue = (
            ' <strong class="govuk-tag govuk-tag--pink app-rag--small">Overdue</strong>'
            if review and review < table.today
            else ""
        )
        label = table.labels
        return mark_safe(  # noqa: S308 (every value escaped)
            row_start(self.reference, table.url_pattern.format(self.pk), self.title, escalated)
            + f'<td class="govuk-table__cell app-nowrap" data-label="{label["scope"]}">'
            f"{escape(self.scope_label)}</td>"
            f'<td class="govuk-table__cell" data-label="{label["owner"]}">'
            f"{escape(self.owner_name or 'Not named')}</td>"
            f"{inherent}"
            '<td class="govuk-table__cell govuk-table__cell--numeric app-nowrap" '
            f'data-label="{label["score"]}">'
            f"{self.current_likelihood} x {self.current_impact} = {current}</td>"
            f'<td class="govuk-table__cell" data-label="{label["band"]}">'
            f"{rag_tag(self.band, small=True)}</td>"
            f'<td class="govuk-table__cell app-nowrap" data-label="{label["movement"]}">'
            f"{movement_tag(self.movement)}{was}</td>"
            f'<td class="govuk-table__cell" data-label="{label["status"]}">'
            f"{escape(self.status_label)}</td>"
            f'<td class="govuk-table__cell app-nowrap" data-label="{label["review"]}">'
            f"{table.day(review)}{overdue}</td>"
            "</tr>"
        )


def _scope(values: dict) -> tuple[str, tuple]:
    """The risk's scope as the register says it and sorts it (`Risk.scope_label`)."""
    # As at a past period, the workstream or area may have been deleted since.
    if values["workstream_id"]:
        reference = values["workstream__reference"]
        label = f"Workstream {reference}" if reference else "A workstream since deleted"
        return label, (2, values["workstream__sort_key"] or "")
    if values["area_id"]:
        reference = values["area__reference"]
        label = f"Area {reference}" if reference else "An area since deleted"
        return label, (1, values["area__sort_key"] or "")
    return "Programme", (0, "")


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
            Column("inherent", "Inherent score", lambda r: r.inherent_score, numeric=True)
        ]
        inherent_exports = [
            ExportColumn("Inherent likelihood", lambda r: r.inherent_likelihood),
            ExportColumn("Inherent impact", lambda r: r.inherent_impact),
            ExportColumn("Inherent score", lambda r: r.inherent_score),
            ExportColumn("Inherent band", lambda r: _band_word(r.inherent_band)),
        ]
    return Listing(
        name="risks",
        singular="risk",
        plural="risks",
        template="lists/risks.html",
        columns=[
            Column("reference", "Ref", lambda r: r.sort_key, css="app-table__reference"),
            Column("title", "Risk", lambda r: text_key(r.title)),
            Column("scope", "Scope", lambda r: r.scope_order),
            Column("owner", "Owner", lambda r: text_key(r.owner_name)),
            *inherent_columns,
            Column("score", "Current score", lambda r: r.current_score, numeric=True),
            Column("band", "Band", lambda r: rag_rank(r.band)),
            Column("movement", "Since last period", lambda r: MOVEMENT_ORDER[r.movement]),
            Column("status", "Status", lambda r: r.status_label),
            Column("review", "Review date", lambda r: r.review_date),
        ],
        export_columns=[
            ExportColumn("Reference", lambda r: r.reference),
            ExportColumn("Risk", lambda r: r.title),
            ExportColumn("Scope", lambda r: r.scope_label),
            ExportColumn("Owner", lambda r: r.owner_name or ""),
            *inherent_exports,
            ExportColumn("Current likelihood", lambda r: r.current_likelihood),
            ExportColumn("Current impact", lambda r: r.current_impact),
            ExportColumn("Current score", lambda r: r.current_score),
            ExportColumn("Band", lambda r: _band_word(r.band)),
            ExportColumn("Since last period", lambda r: r.movement_label),
            ExportColumn("Score last period", lambda r: r.previous_score),
            ExportColumn("Status", lambda r: r.status_label),
            ExportColumn("Proximity", lambda r: day_label(r.proximity) if r.proximity else ""),
            ExportColumn(
                "Review date", lambda r: day_label(r.review_date) if r.review_date else ""
            ),
        ],
        default_sort="-score",
    )


def previous_scores(programme: Programme, as_of=None) -> dict[int, int]:
    """Each risk's current score at the end of the reporting period before the month of
    `as_of` (today unless shown as at), from the history (one query): movement since then is
    what the register shows."""
    as_of = as_of or timezone.localdate()
    before = month_start(as_of)

    def last_month() -> tuple[date | None]:
        return (
            ReportingPeriod.objects.filter(programme=programme, month__lt=before)
            .order_by("-month")
            .values_list("month", flat=True)
            .first(),
        )

    # Which period that is changes only with the programme's periods (issue 17: no query).
    (month,) = keep(
        f"risk-period-before-{before.isoformat()}",
        programme.pk,
        as_of,
        last_month,
        changes=known_changes(programme),
    )
    if month is None:
        return {}
    ends_on = month_end(month)
    then = Snapshot(end_of_day(ends_on))

    def scores() -> dict[int, int]:
        return {
            risk_id: likelihood * impact
            for risk_id, likelihood, impact in then.rows(
                Risk, programme_id=programme.pk
            ).values_list("id", "current_likelihood", "current_impact")
        }

    # The period has ended: the history read no longer changes, so it is kept (issue 17).
    return keep_closed(f"risk-scores-at-{then.at.isoformat()}", programme.pk, ends_on, scores)


def _risk_rows(programme: Programme, filterset: RiskFilterSet, as_at: AsAt, table: RiskTable):
    def load() -> list[RiskRow]:
        before = previous_scores(programme, as_at.as_of)
        bands: dict[int, Rag] = {}

        def band(score: int | None) -> Rag | None:
            if score is None:
                return None
            if score not in bands:
                bands[score] = programme.risk_band(score)
            return bands[score]

        rows = []
        for values in filterset.qs.values(*RISK_FIELDS):
            scope_label, scope_order = _scope(values)
            current = risk_score(values["current_likelihood"], values["current_impact"])
            inherent = score_if_rated(values["inherent_likelihood"], values["inherent_impact"])
            previous = before.get(values["id"])
            rows.append(
                RiskRow(
                    pk=values["id"],
                    reference=values["reference"],
                    sort_key=values["sort_key"],
                    title=values["title"],
                    escalated=values["escalated"],
                    scope_label=scope_label,
                    scope_order=scope_order,
                    owner_name=values["owner__name"],
                    inherent_likelihood=values["inherent_likelihood"],
                    inherent_impact=values["inherent_impact"],
                    current_likelihood=values["current_likelihood"],
                    current_impact=values["current_impact"],
                    status=values["status"],
                    review_date=values["review_date"],
                    proximity=values["proximity"],
                    band=band(current),
                    inherent_band=band(inherent),
                    movement=risk_movement(previous, current),
                    previous_score=previous,
                    table=table,
                )
            )
        return rows

    return load


def _risk_heat_map(programme: Programme, as_at: AsAt, scores: str) -> HeatMap:
    """The heat map of open risks, counted in the database (one query), kept until the
    programme next changes (as at a closed period's end, kept for good)."""
    likelihood, impact = f"{scores}_likelihood", f"{scores}_impact"

    def counts() -> dict[tuple[int, int], int]:
        return {
            (row_likelihood, row_impact): count
            for row_likelihood, row_impact, count in _register(Risk, programme, as_at)
            .filter(
                status=RiskStatus.OPEN,
                **{f"{likelihood}__isnull": False, f"{impact}__isnull": False},
            )
            .order_by()
            .values_list(likelihood, impact)
            .annotate(count=Count("*"))
        }

    name = f"risk-heat-map-{scores}"
    if as_at.is_historical:
        counted = keep_closed(name, programme.pk, as_at.as_of, counts)
    else:
        counted = keep(name, programme.pk, as_at.as_of, counts, changes=known_changes(programme))
    # As `risks.heat_map.heat_map` draws it from the risks themselves.
    rows = [
        [
            HeatCell(
                row_likelihood,
                row_impact,
                counted.get((row_likelihood, row_impact), 0),
                programme.risk_band(row_likelihood * row_impact),
            )
            for row_impact in range(1, 6)
        ]
        for row_likelihood in range(5, 0, -1)
    ]
    return HeatMap(scores, rows, sum(counted.values()))


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
    listing = _risk_listing(show_inherent)
    table = RiskTable.for_page(as_at.as_of, listing)
    # The heat map shows what is kept until the programme changes (or, as at a period that
    # has ended, for good): its fragment's key.
    changes = "closed" if as_at.is_historical else known_changes(programme)
    period = as_at.period.pk if as_at.is_historical else ""
    return render_list(
        request,
        programme,
        listing,
        filterset,
        _risk_rows(programme, filterset, as_at, table),
        as_of=as_at.as_of,
        as_at=as_at,
        context={
            "show_inherent": show_inherent,
            "heat": _risk_heat_map(programme, as_at, scores),
            "heat_fragment": f"{changes}:{as_at.as_of}:{period}:{scores}",
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
