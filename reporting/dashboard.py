"""The programme dashboard (DOMAIN.md section 6), computed from a programme's data as at a
date: the RAG grid with movement, milestone summary, decisions pending, the risk heat map,
top risks, measures against target and the budget by financial year.

Plain data, no HTML: the dashboard page and the highlight report both render it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from programmes.charts import as_data_uri, sparkline
from programmes.choices import Rag
from programmes.dates import FinancialYear
from programmes.models import ReportingPeriod
from programmes.movement import Movement
from programmes.rules import SEVERITY, RagResult, to_three_point
from reporting.state import ProgrammeData
from risks.heat_map import HeatMap, heat_map
from risks.models import BoardMeeting, Decision, DecisionStatus, Risk, RiskStatus
from risks.rules import Movement as ScoreMovement
from risks.rules import risk_movement
from workstreams.assessment import (
    RECENT_READINGS,
    MeasureRating,
    ProgrammeRating,
    WorkstreamRating,
    assess,
)
from workstreams.benefits import BenefitsSummary, benefits_summary
from workstreams.models import MilestoneKind
from workstreams.rules import (
    Target,
    budget_rag,
    is_due_in_month,
    needs_variance_explanation,
    target_for_month,
    was_completed_in_month,
)

WORSE, BETTER, SAME, NEW = Movement.WORSE, Movement.BETTER, Movement.SAME, Movement.NEW
MOVEMENT_WORDS = {move: move.label for move in Movement}


def rating_movement(previous: Rag | None, current: Rag) -> Movement:
    """How a rating moved since the last period: worse, better, the same, or new, by the one
    severity order (`programmes.rules.SEVERITY`); into Complete is better."""
    if previous is None or previous not in SEVERITY or current not in SEVERITY:
        if previous is None:
            return NEW
        return SAME if previous == current else (BETTER if current == Rag.COMPLETE else WORSE)
    if SEVERITY[current] > SEVERITY[previous]:
        return WORSE
    if SEVERITY[current] < SEVERITY[previous]:
        return BETTER
    return SAME


NOT_REPORTED = "not_reported"
# The five counts the board reads, which add up to the workstreams shown (issue 15, part 5).
STATUSES = (
    (Rag.RED.value, "Red"),
    (Rag.AMBER.value, "Amber"),
    (Rag.GREEN.value, "Green"),
    (Rag.COMPLETE.value, "Complete"),
    (NOT_REPORTED, "Not reported"),
)


def workstream_status(rating: WorkstreamRating) -> str:
    """Which of the five counts a workstream falls in, from the one rating it counts as
    (`WorkstreamRating.rating`, five-point ratings as the nearest of Red, Amber and Green):
    Not reported when neither its lead nor its plan gives a rating (DOMAIN.md section 3)."""
    rag = to_three_point(rating.rating.rag)
    if rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE):
        return rag.value
    return NOT_REPORTED


@dataclass(frozen=True)
class DashboardFilters:
    """Which workstreams the dashboard shows: of an area, a lead, an area's sponsor, a status
    (one of `STATUSES`); None shows all."""

    area_id: int | None = None
    lead_id: int | None = None
    sponsor_id: int | None = None
    status: str | None = None

    @property
    def is_active(self) -> bool:
        return any(v is not None and v != "" for v in vars(self).values())

    def keeps(self, area, rating: WorkstreamRating) -> bool:
        workstream = rating.workstream
        return (
            (self.area_id is None or area.pk == self.area_id)
            and (self.lead_id is None or workstream.lead_id == self.lead_id)
            and (self.sponsor_id is None or area.sponsor_id == self.sponsor_id)
            and (not self.status or workstream_status(rating) == self.status)
        )


@dataclass
class GridRow:
    rating: WorkstreamRating
    previous: Rag | None
    movement: str

    @property
    def movement_word(self) -> str:
        return MOVEMENT_WORDS[self.movement]

    @property
    def milestones_total(self) -> int:
        return len(self.rating.milestones)

    @property
    def milestones_complete(self) -> int:
        """Milestones complete as at the dashboard's date, by the milestone rule."""
        return sum(item.result.rag == Rag.COMPLETE for item in self.rating.milestones)


@dataclass
class GridArea:
    area: object
    result: RagResult
    rows: list[GridRow]


@dataclass
class MilestoneCounts:
    due_this_month: int = 0
    overdue: int = 0
    completed_this_period: int = 0
    slipped: int = 0


@dataclass
class RiskLine:
    risk: Risk
    score: int
    band: Rag
    previous_score: int | None
    movement: ScoreMovement


@dataclass
class MeasureLine:
    rating: MeasureRating
    summary: str
    # The last 12 readings and the target of each one's month, for the sparkline.
    values: list = field(default_factory=list)
    goals: list = field(default_factory=list)

    @cached_property
    def chart(self) -> str:
        """The sparkline, drawn only where it is shown (the dashboard page; the reports say
        the trend in words), as drawing fifty of them takes pygal a fifth of a second."""
        return as_data_uri(sparkline(self.values, self.goals)) if self.values else ""


@dataclass
class VarianceNote:
    """A budget line more than 5% from its allocation, with what was written to explain it
    ("" if nothing yet): the board reads these beside the year's figures."""

    workstream: object | None
    description: str
    variance: Decimal
    explanation: str

    @property
    def amount_words(self) -> str:
        """ "£1,200 over the allocation", "£300 under the allocation"."""
        side = "over" if self.variance > 0 else "under"
        return f"£{abs(self.variance):,.0f} {side} the allocation"


@dataclass
class BudgetYear:
    financial_year: FinancialYear
    allocated: Decimal
    spent: Decimal
    forecast: Decimal
    funding: Decimal | None
    result: RagResult
    lines_needing_explanation: int
    variances: list[VarianceNote] = field(default_factory=list)

    @property
    def variance(self) -> Decimal:
        return self.forecast - self.allocated

    @property
    def balance(self) -> Decimal | None:
        return None if self.funding is None else self.funding - self.allocated


# A RAG grid showing more workstreams than this starts with its areas folded: each area's
# name, rating and count first, its reasons and workstreams a click away. Harrow's grid of 61
# workstreams, open, made the dashboard 17,000 pixels long on a desktop and 29,000 on a phone.
GRID_OPEN_UP_TO = 15
# More measures than this and the dashboard lists those off target (Red or Amber) first, the
# others folded beneath them: Harrow's 46 measures ran to 8,000 pixels on a phone.
MEASURES_OPEN_UP_TO = 10


@dataclass
class Dashboard:
    data: ProgrammeData
    rating: ProgrammeRating
    filters: DashboardFilters
    previous_overall: RagResult | None
    overall_movement: str
    grid: list[GridArea]
    counts: MilestoneCounts
    decisions_pending: list[Decision]
    key_decisions_due: list
    heat_current: HeatMap
    heat_inherent: HeatMap
    top_risks: list[RiskLine]
    measures: list[MeasureLine]
    budget: list[BudgetYear]
    next_meeting: BoardMeeting | None
    rag_counts: dict[str, int] = field(default_factory=dict)
    risk_lines: list[RiskLine] = field(default_factory=list)  # every open risk, worst first
    # The five counts of the workstreams shown (after the filters), which add up to `shown`.
    status_counts: list[tuple[str, str, int]] = field(default_factory=list)
    shown: int = 0
    total: int = 0

    @property
    def as_of(self) -> date:
        return self.data.as_of

    @property
    def period(self) -> ReportingPeriod | None:
        return self.data.period

    @property
    def areas_open(self) -> bool:
        """Whether the grid's areas start open: a few workstreams (a small programme, or the
        filters chose a few), or a single area."""
        return self.shown <= GRID_OPEN_UP_TO or len(self.grid) == 1

    @property
    def measures_folded(self) -> bool:
        """Whether the measures off target are listed first and the others folded."""
        return len(self.measures) > MEASURES_OPEN_UP_TO

    @cached_property
    def _measures_split(self) -> tuple[list[MeasureLine], list[MeasureLine]]:
        off, others = [], []
        for line in self.measures:
            off_target = to_three_point(line.rating.result.rag) in (Rag.RED, Rag.AMBER)
            (off if off_target else others).append(line)
        return off, others

    @property
    def measures_off_target(self) -> list[MeasureLine]:
        """The measures rated Red or Amber, in the plan's order."""
        return self._measures_split[0]

    @property
    def measures_others(self) -> list[MeasureLine]:
        """The measures on target, or with no target or reading to rate this period."""
        return self._measures_split[1]

    @property
    def overall_movement_word(self) -> str:
        return MOVEMENT_WORDS[self.overall_movement]

    @cached_property
    def benefits(self) -> BenefitsSummary:
        """The programme's benefits, rated, with pounds planned and realised by financial year
        (issue 16): two queries more, read when a page or report shows them."""
        return benefits_summary(
            self.data.programme, as_of=self.data.as_of, snapshot=self.data.snapshot
        )

    @property
    def rag_summary(self) -> list[tuple[Rag, int]]:
        """Workstreams by rating (five-point ratings counted as Amber)."""
        return [
            (rag, self.rag_counts.get(rag.value, 0))
            for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE)
        ]


def _milestone_counts(rating: ProgrammeRating, data: ProgrammeData) -> MilestoneCounts:
    """The board's milestone summary, with the same definitions as the milestone list's
    filters it links to (workstreams.rules), overdue and slipped as the assessment found."""
    counts = MilestoneCounts()
    as_of = data.as_of
    for item in rating.milestones:
        milestone = item.milestone
        actual = milestone.actual_date
        due = milestone.due.value if milestone.due else None
        counts.due_this_month += is_due_in_month(due, actual, as_of)
        counts.overdue += item.is_overdue
        counts.completed_this_period += was_completed_in_month(actual, as_of)
        counts.slipped += item.has_slipped
    return counts


def _measures(rating: ProgrammeRating) -> list[MeasureLine]:
    lines = []
    for workstream in rating.workstreams:
        for item in workstream.measures:
            targets = [Target(t.value, t.financial_year, t.due_date) for t in item.targets]
            recent = item.readings[-RECENT_READINGS:]
            values = [r.value for r in recent]
            goals = [target_for_month(targets, r.period) for r in recent]
            if recent:
                summary = (
                    f"{recent[0].period:%b %Y} {recent[0].value.normalize():f} to "
                    f"{recent[-1].period:%b %Y} {recent[-1].value.normalize():f}"
                )
            else:
                summary = "No readings yet"
            lines.append(MeasureLine(item, summary, values, goals))
    return lines


def _budget(data: ProgrammeData) -> list[BudgetYear]:
    """The budget by financial year, each year with the lines more than 5% from their
    allocation and their explanations (the workstreams named from those already loaded)."""
    workstreams = {workstream.pk: workstream for workstream in data.rating_state.workstreams}
    totals = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0), 0])
    variances = defaultdict(list)
    for line in data.budget_lines:
        total = totals[line.financial_year]
        total[0] += line.allocated
        total[1] += line.spent
        total[2] += line.forecast
        if needs_variance_explanation(allocated=line.allocated, forecast=line.forecast):
            explanation = line.variance_explanation.strip()
            total[3] += not explanation
            variances[line.financial_year].append(
                VarianceNote(
                    workstreams.get(line.workstream_id),
                    line.description,
                    line.forecast - line.allocated,
                    explanation,
                )
            )
    for notes in variances.values():
        notes.sort(key=lambda note: (getattr(note.workstream, "sort_key", ""), note.description))
    funding = defaultdict(Decimal)
    for grant in data.funding:
        funding[grant.financial_year] += grant.amount
    years = sorted(set(totals) | set(funding))
    return [
        BudgetYear(
            financial_year=FinancialYear(year),
            allocated=totals[year][0],
            spent=totals[year][1],
            forecast=totals[year][2],
            funding=funding.get(year),
            result=budget_rag(
                allocated=totals[year][0],
                forecast=totals[year][2],
                cost_tolerance_percent=data.programme.tolerances.cost_percent,
            ),
            lines_needing_explanation=totals[year][3],
            variances=variances.get(year, []),
        )
        for year in years
    ]


def build_dashboard(data: ProgrammeData, filters: DashboardFilters | None = None) -> Dashboard:
    """The dashboard of the programme as the data has it; with filters, the grid and the five
    counts are of the workstreams they keep (an area with none of them is left out)."""
    programme = data.programme
    rating = data.rating or assess(data.rating_state, data.as_of)
    filters = filters or DashboardFilters()

    grid = []
    statuses = defaultdict(int)
    for area_rating in rating.areas:
        rows = [
            GridRow(
                workstream,
                workstream.previous,
                rating_movement(workstream.previous, workstream.rating.rag),
            )
            for workstream in area_rating.workstreams
            if filters.keeps(area_rating.area, workstream)
        ]
        for row in rows:
            statuses[workstream_status(row.rating)] += 1
        if rows or not filters.is_active:
            grid.append(GridArea(area_rating.area, area_rating.result, rows))
    previous_overall = rating.previous_result
    overall_movement = rating_movement(
        previous_overall.rag if previous_overall else None, rating.result.rag
    )

    open_risks = [r for r in data.risks if r.status == RiskStatus.OPEN]
    lines = []
    for risk in open_risks:
        score = risk.current_likelihood * risk.current_impact
        previous = data.previous_risk_scores.get(risk.pk)
        lines.append(
            RiskLine(
                risk, score, programme.risk_band(score), previous, risk_movement(previous, score)
            )
        )
    lines.sort(key=lambda line: (-line.score, line.risk.sort_key))

    rag_counts = defaultdict(int)
    for workstream in rating.workstreams:
        rag_counts[to_three_point(workstream.rating.rag).value] += 1

    soon = data.as_of + timedelta(days=92)
    key_decisions_due = [
        item.milestone
        for workstream in rating.workstreams
        for item in workstream.milestones
        if item.milestone.kind == MilestoneKind.KEY_DECISION
        and item.result.rag != Rag.COMPLETE
        and item.milestone.due is not None
        and item.milestone.due.value <= soon
    ]
    key_decisions_due.sort(key=lambda m: m.due.value)

    return Dashboard(
        data=data,
        rating=rating,
        filters=filters,
        previous_overall=previous_overall,
        overall_movement=overall_movement,
        grid=grid,
        counts=_milestone_counts(rating, data),
        decisions_pending=[d for d in data.decisions if d.status == DecisionStatus.PENDING],
        key_decisions_due=key_decisions_due,
        heat_current=heat_map(open_risks, programme, "current"),
        heat_inherent=heat_map(open_risks, programme, "inherent"),
        top_risks=lines[:10],
        measures=_measures(rating),
        budget=_budget(data),
        next_meeting=next((m for m in data.meetings if m.held_on >= data.as_of), None),
        rag_counts=dict(rag_counts),
        risk_lines=lines,
        status_counts=[(value, label, statuses[value]) for value, label in STATUSES],
        shown=sum(statuses.values()),
        total=len(rating.workstreams),
    )


@dataclass
class FilterChoices:
    """What the dashboard's filters offer: the programme's areas, and the people who lead
    its workstreams or sponsor its areas, by name."""

    areas: list
    leads: list
    sponsors: list
    statuses: tuple = STATUSES


def filter_choices(data: ProgrammeData) -> FilterChoices:
    state = data.rating_state
    leads = {w.lead.pk: w.lead for w in state.workstreams if w.lead is not None}
    sponsors = {a.sponsor.pk: a.sponsor for a in state.areas if a.sponsor is not None}
    by_name = lambda people: sorted(people.values(), key=lambda person: person.name)  # noqa: E731
    return FilterChoices(list(state.areas), by_name(leads), by_name(sponsors))
