"""What the highlight and exception reports say, gathered as plain data (DOMAIN.md section 5).

Gathering (here), rendering HTML (templates/reports/) and turning it into PDF
(reporting/pdf.py) are three separate steps; the Celery task only runs them in order. A
report for a period that has ended reads the programme as it stood at the period's end, so
it says the same however the data changes later; an open period's report is a DRAFT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.utils import timezone

from programmes.choices import PeriodStatus
from programmes.comments import comments_by_topic
from programmes.dates import PlanDate, add_months, month_start
from programmes.models import Programme, ReportingPeriod
from programmes.rules import SEVERITY, RagResult
from reporting.changes import ChangeSummary, changes_in_period
from reporting.dashboard import Dashboard, build_dashboard
from reporting.exceptions import Breach, detect_exceptions
from reporting.report_gantt import ReportGantt, gantt_pictures
from reporting.state import ProgrammeData, load_programme_data
from reporting.timeline import ZOOMS, Gantt, gantt, timeline_of
from reporting.trend import MilestoneTrend, TrendLine, key_decisions_trend
from risks.models import Issue, IssueStatus
from risks.rules import decision_is_overdue
from workstreams.assessment import MilestoneRating, WorkstreamRating
from workstreams.rules import was_completed_in_month


@dataclass
class Escalation:
    workstream: object
    rag: str
    escalations: str
    decisions_needed: str


@dataclass
class ReportBasis:
    """What both reports share: the programme, the period, and when and by whom."""

    programme: Programme
    period: ReportingPeriod
    is_draft: bool
    as_of: date
    generated_at: datetime
    author: str
    version: int = 1
    # What the report run's record says when the report was made (the cover says it): who
    # approved this version and when, and the newer version that replaced it, if any.
    # `status_known` is False where the report was gathered without looking.
    status_known: bool = False
    approved_by: str = ""
    approved_at: datetime | None = None
    superseded_by_version: int | None = None

    @property
    def title(self) -> str:
        return f"{self.programme.name}: {self.kind_label}, {self.period.label}"

    kind_label = "Report"


@dataclass
class HighlightReport(ReportBasis):
    kind_label = "Highlight report"
    dashboard: Dashboard | None = None
    completed: list[MilestoneRating] = field(default_factory=list)
    due_next: list[MilestoneRating] = field(default_factory=list)
    overdue_and_slipped: list[Breach] = field(default_factory=list)
    open_issues: list[Issue] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    exception_count: int = 0
    exceptions: list[Breach] = field(default_factory=list)
    # Change requests awaiting a decision, and decided in the period (issue 14, part 5).
    changes: ChangeSummary | None = None
    # The cover and the summary only, without the annexes (`make bench` times it alone).
    summary_only: bool = False
    # The timeline's Gantt chart around the period, as the timeline page draws it (annex C).
    timeline: Gantt | None = None

    @property
    def overall(self) -> RagResult:
        return self.dashboard.rating.result

    @property
    def next_month(self) -> date:
        return add_months(self.period.month, 1)

    @property
    def previous_period(self) -> ReportingPeriod | None:
        """The period whose ratings the grid compares with ("last period")."""
        return self.dashboard.data.previous_period

    @property
    def workstreams_by_id(self) -> dict[int, object]:
        """Each workstream as it stood at the report's date, to name a milestone's or a
        measure's workstream without reading today's row."""
        return {w.workstream.pk: w.workstream for w in self.dashboard.rating.workstreams}

    @property
    def completed_rows(self) -> list[dict]:
        workstreams = self.workstreams_by_id
        return [
            {"rating": m, "workstream": workstreams.get(m.milestone.workstream_id)}
            for m in self.completed
        ]

    @property
    def due_next_rows(self) -> list[dict]:
        workstreams = self.workstreams_by_id
        return [
            {"rating": m, "workstream": workstreams.get(m.milestone.workstream_id)}
            for m in self.due_next
        ]

    @property
    def overdue_and_slipped_rows(self) -> list[dict]:
        """Each overdue or slipped milestone with its breach (what makes it so, in words)."""
        ratings = {
            f"milestone:{m.milestone.pk}": m
            for w in self.dashboard.rating.workstreams
            for m in w.milestones
        }
        return [
            {"rating": ratings.get(breach.key), "breach": breach}
            for breach in self.overdue_and_slipped
        ]

    @property
    def decisions_needed(self) -> list[dict]:
        """Decisions pending, each saying whether the date it was needed by has passed."""
        return [
            {
                "decision": decision,
                "is_overdue": decision_is_overdue(
                    decision.status,
                    PlanDate.from_fields(decision.needed_by, decision.needed_by_precision),
                    self.as_of,
                ),
            }
            for decision in self.dashboard.decisions_pending
        ]

    @cached_property
    def timeline_pictures(self) -> ReportGantt | None:
        """Annex B's chart, each area a picture (reporting/report_gantt.py)."""
        return gantt_pictures(self.timeline)

    @cached_property
    def key_decisions_trend(self) -> MilestoneTrend:
        """The key decisions' forecast dates at each period's end (annex E, issue 15, part
        4): one query, and only for the key decisions, so a large programme's report stays fast."""
        return key_decisions_trend(self.dashboard)

    @cached_property
    def key_decisions_chart(self) -> TrendChart:
        """The trend's chart in the report: at most as many lines as the chart tells apart by
        colour and dash (TREND_LINES), those whose date moved first."""
        return trend_chart(self.key_decisions_trend)

    @property
    def key_decisions_not_logged(self) -> list:
        """Key-decision milestones due soon that no pending decision in the log stands for
        (those are listed once, as decisions)."""
        logged = {d.milestone_id for d in self.dashboard.decisions_pending if d.milestone_id}
        return [m for m in self.dashboard.key_decisions_due if m.pk not in logged]

    @property
    def measure_rows(self) -> list[dict]:
        workstreams = self.workstreams_by_id
        return [
            {"line": line, "workstream": workstreams.get(line.rating.measure.workstream_id)}
            for line in self.dashboard.measures
        ]

    @property
    def budget_variances(self) -> list[tuple]:
        """(year, note) for each budget line more than 5% from its allocation, by year."""
        return [(year, note) for year in self.dashboard.budget for note in year.variances]

    @property
    def budget_total(self) -> dict | None:
        """All financial years added up, when there is more than one to add."""
        years = self.dashboard.budget
        if len(years) < 2:
            return None
        funded = [year.funding for year in years if year.funding is not None]
        return {
            "funding": sum(funded) if funded else None,
            "allocated": sum(year.allocated for year in years),
            "spent": sum(year.spent for year in years),
            "forecast": sum(year.forecast for year in years),
            "variance": sum(year.variance for year in years),
        }

    # ----- The summary: at most two pages, so each list is cut and the rest counted -----

    @property
    def overall_reasons(self) -> dict:
        return _cut(self.overall.reason_texts, 5)

    @property
    def moved(self) -> dict:
        """Workstreams whose rating moved since the last period, worse first."""
        rows = [row for area in self.dashboard.grid for row in area.rows if row.movement in MOVED]
        rows.sort(key=lambda row: MOVED.index(row.movement))
        return _cut(rows, 6)

    @property
    def completed_cut(self) -> dict:
        return _cut(self.completed_rows, 5)

    @property
    def slipped_cut(self) -> dict:
        return _cut(self.overdue_and_slipped_rows, 5)

    @property
    def decisions_cut(self) -> dict:
        return _cut(self.decisions_needed, 5)

    @property
    def exception_lines(self) -> dict:
        """Each exception in one line with the state of its narrative."""
        return _cut(
            [{"breach": breach, "state": _narrative_state(breach)} for breach in self.exceptions],
            8,
        )

    @property
    def changes_headline(self) -> str:
        return self.changes.headline(self.period.label) if self.changes is not None else ""

    @property
    def top_five_risks(self) -> list:
        return self.dashboard.top_risks[:5]

    @property
    def due_next_cut(self) -> dict:
        return _cut(self.due_next_rows, 6)

    @property
    def escalations_cut(self) -> dict:
        return _cut(self.escalations, 5)

    @property
    def budget_headline(self) -> dict | None:
        """Every financial year added up (or the one year), with the worst year's rating and
        how many variances are not explained yet."""
        years = self.dashboard.budget
        if not years:
            return None
        totals = self.budget_total or {
            "funding": years[0].funding,
            "allocated": years[0].allocated,
            "spent": years[0].spent,
            "forecast": years[0].forecast,
            "variance": years[0].variance,
        }
        worst = max(years, key=lambda year: SEVERITY.get(year.result.rag, -1))
        return {
            **totals,
            "years": len(years),
            "worst": worst,
            "unexplained": sum(year.lines_needing_explanation for year in years),
        }

    # ----- The annexes -----

    @cached_property
    def updated_this_period(self) -> set[int]:
        """The ids of the workstreams whose lead sent an update for this period: annex A
        gives their words, and says of the others that there was none."""
        return {
            w.workstream.pk
            for w in self.dashboard.rating.workstreams
            if w.latest_update is not None and w.latest_update.period_id == self.period.pk
        }

    @property
    def all_risks(self) -> list:
        return self.dashboard.risk_lines or self.dashboard.top_risks


MOVED = ("worse", "better")

# As many lines as a trend chart tells apart, in black and white too: each its own colour and
# dash (programmes.charts.TREND_COLOURS and TREND_DASHES) up to the seventh.
TREND_LINES = 7


def _has_moved(line: TrendLine) -> bool:
    return len({day.value for day in line.dates if day is not None}) > 1


def _span_days(line: TrendLine) -> int:
    known = [day.value for day in line.dates if day is not None]
    return (max(known) - min(known)).days if known else 0


def _last_date(line: TrendLine) -> date:
    known = [day.value for day in line.dates if day is not None]
    return known[-1] if known else date.max


@dataclass
class TrendChart:
    """The lines a report's trend chart draws, and what it says of those it leaves out."""

    src: str
    drawn: int
    total: int
    moved_drawn: int
    moved_left: int  # moved, but not drawn: the summary names every slip

    @property
    def steady_drawn(self) -> int:
        return self.drawn - self.moved_drawn

    @property
    def steady_left(self) -> int:
        return self.total - self.drawn - self.moved_left


def trend_chart(trend: MilestoneTrend, *, most: int = TREND_LINES) -> TrendChart:
    """The chart of at most `most` of the trend's lines: those whose date moved (the furthest
    first), then the soonest due of those that did not; drawn in the trend's own order. A
    chart of 35 lines repeats its colours and dashes, and none of them can be told apart."""
    moved = sorted((line for line in trend.lines if _has_moved(line)), key=_span_days, reverse=True)
    steady = sorted((line for line in trend.lines if not _has_moved(line)), key=_last_date)
    chosen = {id(line) for line in (moved + steady)[:most]}
    drawn = [line for line in trend.lines if id(line) in chosen]
    moved_drawn = sum(1 for line in drawn if _has_moved(line))
    return TrendChart(
        src=MilestoneTrend(trend.labels, trend.moments, drawn).chart(),
        drawn=len(drawn),
        total=len(trend.lines),
        moved_drawn=moved_drawn,
        moved_left=len(moved) - moved_drawn,
    )


def _cut(items: list, limit: int) -> dict:
    """The first `limit` items, and how many more there are."""
    return {"shown": items[:limit], "more": max(len(items) - limit, 0), "count": len(items)}


def _narrative_state(breach: Breach) -> str:
    narrative = breach.narrative
    if narrative is None:
        return "No narrative yet"
    if not narrative.is_written:
        return "Narrative started, not finished"
    if narrative.approved_at is None:
        return "Narrative written, awaiting the sponsor's approval"
    return "Narrative approved by the sponsor"


def _run_status(programme: Programme, period: ReportingPeriod, kind: str, version: int) -> dict:
    """What the report runs' records say of this version: approved (by whom, when), and
    superseded by a newer version. One query."""
    from reporting.models import ReportRun

    runs = list(
        ReportRun.objects.filter(programme=programme, period=period, kind=kind)
        .select_related("approved_by__person")
        .only(
            "version",
            "approved_at",
            "approved_by__username",
            "approved_by__person__name",
        )
    )
    this = next((run for run in runs if run.version == version), None)
    newer = [run.version for run in runs if run.version > version]
    approved_by = ""
    if this is not None and this.approved_by is not None:
        person = getattr(this.approved_by, "person", None)
        approved_by = person.name if person is not None else this.approved_by.get_username()
    return {
        "status_known": True,
        "approved_by": approved_by,
        "approved_at": this.approved_at if this is not None else None,
        "superseded_by_version": max(newer) if newer else None,
    }


@dataclass
class ExceptionReport(ReportBasis):
    """Each exception once: first those whose narrative asks the board for a decision, then
    the rest by what is breached."""

    kind_label = "Exception report"
    breaches: list[Breach] = field(default_factory=list)

    @property
    def without_narrative(self) -> list[Breach]:
        return [breach for breach in self.breaches if not breach.has_narrative]

    @cached_property
    def decisions(self) -> list[Breach]:
        """The exceptions whose narrative sets out a decision for the board."""
        return [
            breach
            for breach in self.breaches
            if breach.narrative is not None and breach.narrative.decision_required.strip()
        ]

    @cached_property
    def kinds(self) -> list[dict]:
        """The exceptions grouped by what is breached, most serious kind first, with how many
        of each still have no narrative; `others` are those not already set out among the
        decisions."""
        asking = {breach.key for breach in self.decisions}
        groups: dict[str, dict] = {}
        for breach in self.breaches:
            group = groups.setdefault(
                breach.kind,
                {
                    "kind": breach.kind,
                    "label": breach.kind_label,
                    "breaches": [],
                    "others": [],
                    "count": 0,
                    "without_narrative": 0,
                },
            )
            group["breaches"].append(breach)
            if breach.key not in asking:
                group["others"].append(breach)
            group["count"] += 1
            group["without_narrative"] += not breach.has_narrative
        return list(groups.values())


def _basis(data: ProgrammeData, period: ReportingPeriod, author: str, version: int) -> dict:
    return {
        "programme": data.programme,
        "period": period,
        "is_draft": period.status != PeriodStatus.CLOSED,
        "as_of": data.as_of,
        "generated_at": timezone.now(),
        "author": author,
        "version": version,
    }


def _load(programme: Programme, period: ReportingPeriod) -> tuple[ProgrammeData, Dashboard]:
    data = load_programme_data(programme, period=period)
    data.period = period
    return data, build_dashboard(data)


def _milestones(workstreams: list[WorkstreamRating]):
    for workstream in workstreams:
        yield from workstream.milestones


def gather_highlight(
    programme: Programme, period: ReportingPeriod, *, author: str, version: int = 1
) -> HighlightReport:
    data, dashboard = _load(programme, period)
    as_of = data.as_of
    next_month = add_months(period.month, 1)
    milestones = list(_milestones(dashboard.rating.workstreams))
    completed = [
        m
        for m in milestones
        if was_completed_in_month(m.milestone.actual_date, as_of)
        and month_start(m.milestone.actual_date) == period.month
    ]
    due_next = [
        m
        for m in milestones
        if m.milestone.due is not None
        and month_start(m.milestone.due.value) == next_month
        and not (m.milestone.actual_date and m.milestone.actual_date <= as_of)
    ]
    breaches = detect_exceptions(data, dashboard)
    timeline = gantt(
        timeline_of(data, dashboard.rating),
        zoom=ZOOMS["quarter"],
        start=add_months(period.month, -3),
        units=5,
        links=False,
    )
    issues = [
        issue
        for issue in data.snapshot.rows(Issue, programme_id=programme.pk).order_by("sort_key")
        if issue.status == IssueStatus.OPEN
    ]
    escalations = [
        Escalation(
            w.workstream,
            w.latest_update.rag,
            w.latest_update.escalations,
            w.latest_update.decisions_needed,
        )
        for w in dashboard.rating.workstreams
        if w.latest_update is not None
        and w.latest_update.period_id == period.pk
        and (w.latest_update.escalations.strip() or w.latest_update.decisions_needed.strip())
    ]
    return HighlightReport(
        **_basis(data, period, author, version),
        dashboard=dashboard,
        completed=completed,
        due_next=due_next,
        overdue_and_slipped=[b for b in breaches if b.kind == "milestone"],
        open_issues=issues,
        escalations=escalations,
        exception_count=len(breaches),
        exceptions=breaches,
        changes=changes_in_period(data),
        timeline=timeline,
        **_run_status(programme, period, "highlight", version),
    )


def gather_exceptions(
    programme: Programme, period: ReportingPeriod, *, author: str, version: int = 1
) -> ExceptionReport:
    data, dashboard = _load(programme, period)
    breaches = detect_exceptions(data, dashboard)
    comments = comments_by_topic(period)  # shown under each exception's narrative
    for breach in breaches:
        breach.comments = comments.get(breach.key, [])
    return ExceptionReport(
        **_basis(data, period, author, version),
        breaches=breaches,
        **_run_status(programme, period, "exception", version),
    )


def has_exceptions(programme: Programme, period: ReportingPeriod) -> bool:
    data, dashboard = _load(programme, period)
    return bool(detect_exceptions(data, dashboard))
