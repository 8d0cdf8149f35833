"""Where every rating is decided (DOMAIN.md section 3): search this docstring for the rating.

- Explaining a rating: `RagResult` and `Reason` (here): every computed rating carries the
  reasons that made it ("Red because: milestone 3.6.2 is 47 days late").
- Roll-up (workstream suggested, area, programme): `roll_up` (here), worst first by the one
  severity order `RATING_ORDER` / `severity_rank` (here); a workstream's suggestion is
  `workstreams.rules.workstream_suggested_rag`.
- Milestone RAG: `workstreams.rules.milestone_rag`. Measure RAG:
  `workstreams.rules.measure_rag`. Budget RAG: `workstreams.rules.budget_rag` (a programme-year,
  a workstream, a budget line: `reporting.finance.rate_money`; over the cost tolerance:
  `is_over_cost_tolerance`; variance %: `variance_percent`, both in workstreams.rules); a
  whole-life cost that needs a narrative: `whole_life_cost_needs_narrative` (here).
- Overdue (milestones, decisions, actions, My work): `is_overdue` (here); a milestone's is
  `workstreams.rules.milestone_is_overdue`, found by `assess` (`MilestoneRating.is_overdue`),
  as is slipping beyond the time tolerance (`has_slipped_beyond_tolerance`, `has_slipped`).
- Tolerances, measure over area over programme: `Tolerances` (here), resolved by
  `Programme.tolerances_for(area)` (which calls `ProgrammeArea.tolerances_within`) and, for
  a measure's own tolerance, `Tolerances.measure_percent` (whose: `measure_percent_set_by`).
- Risk score: `risks.rules.risk_score`. Risk band from the programme's thresholds:
  `risk_band` (here), always called as `Programme.risk_band(score)`.
- Goes to the board: `goes_to_board` (here), always called through
  `Tolerances.goes_to_board(score)` with the tolerances of the risk's area
  (`Risk.goes_to_board`).
- The RAG scale a programme rates on (three or five point): `ratings_on_scale` (here),
  called as `Programme.ratings` / `Programme.rating_choices`; five-point ratings counted as
  Red, Amber or Green: `to_three_point` (here).
- A whole programme, now or as at a moment (every page, report, list, API and generator):
  `workstreams.assessment.load_state` / `load_states` then `assess`; a workstream counts as
  its lead's report, else the suggestion (`WorkstreamRating.rating`).
- Dependencies that warn (an upstream milestone forecast past the due date of a milestone
  or workstream that depends on it): `dependency_delay_days` and
  `with_dependency_warnings` (here), found by `assess` (`MilestoneRating.threatened_by`,
  `threatens`; `ProgrammeRating.dependency_threats`).
- Movement since the last period: `reporting.dashboard.rating_movement` (ratings) and
  `risks.rules.risk_movement` (risk scores). Exceptions: `reporting.exceptions`.

Pure functions fed plain values; models and pages call them and never re-implement them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from programmes.choices import FIVE_POINT_RATINGS, THREE_POINT_RATINGS, Rag, RagScale

# The one order of ratings, worst first: the rated ones, then those settled either way
# (finished, not begun, nothing to rate), which never worsen a roll-up.
RATED = (Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN, Rag.GREEN)
SETTLED = (Rag.COMPLETE, Rag.NOT_STARTED, Rag.NO_DATA)
RATING_ORDER = (*RATED, *SETTLED)
# How bad a rated rating is, higher worse: the roll-up takes the highest.
SEVERITY = {rag: len(RATED) - index for index, rag in enumerate(RATED)}


def severity_rank(rag: Rag | str) -> int:
    """A rating's place in the one order of ratings, worst first (Red 0 ... Green 4, then
    Complete, Not started, No data): how every list sorts and every roll-up compares."""
    return RATING_ORDER.index(Rag(rag))


def ratings_on_scale(scale: str) -> tuple[Rag, ...]:
    """The ratings a programme gives on its scale, worst first: Red, Amber, Green, or the
    five-point delivery confidence scale (DOMAIN.md section 3: the programme chooses its
    scale, and every screen and report follows it)."""
    return FIVE_POINT_RATINGS if scale == RagScale.FIVE_POINT else THREE_POINT_RATINGS


def is_overdue(due: date | None, *, done: bool, as_of: date) -> bool:
    """Overdue: due before the date and not done by it. One definition for milestones (due
    is the forecast if set, else the baseline), decisions, actions and My work; a month in
    the plan arrives as its last day, so it is overdue only once the month is over."""
    return due is not None and due < as_of and not done


@dataclass(frozen=True)
class Reason:
    """Why a rating is what it is: a phrase about an item ("is 47 days late"), and which item.

    Rules about one item leave the subject out; the roll-up fills it in ("milestone 3.6.2").
    """

    predicate: str
    subject: str | None = None

    def text(self, default_subject: str = "it") -> str:
        return f"{self.subject or default_subject} {self.predicate}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class RagResult:
    """A rating with the reasons that made it (DOMAIN.md section 3: every RAG explains itself)."""

    rag: Rag
    reasons: tuple[Reason, ...] = ()

    def explanation(self, subject: str = "it", limit: int | None = None) -> str:
        """ "Red because: milestone 3.6.2 is 47 days late; measure NI 141 missed target by 12%".

        With a limit, only the first reasons are listed and the rest counted ("and 4 more").
        """
        if not self.reasons:
            return self.label
        shown = self.reasons if limit is None else self.reasons[:limit]
        text = f"{self.label} because: " + "; ".join(r.text(subject) for r in shown)
        hidden = len(self.reasons) - len(shown)
        if hidden:
            text += f"; and {hidden} more"
        return text

    @property
    def reason_texts(self) -> list[str]:
        return [reason.text() for reason in self.reasons]

    @property
    def label(self) -> str:
        return Rag(self.rag).label


def roll_up(items: Iterable[tuple[str, RagResult]], *, detailed: bool = True) -> RagResult:
    """The worst of the items' ratings, with the reasons of the items that made it so.

    Any Red makes Red, else any Amber/Red, Amber, Amber/Green in turn (DOMAIN.md section 3:
    "worst of"). Items that are Complete, Not started or without data do not worsen a rating:
    all Complete is Complete, all Not started is Not started, a mix of those is Green, and
    nothing to assess is No data. Each item is (label, result), the label naming it
    ("milestone 1.1.3"); `detailed` keeps the items' own reasons, otherwise each contributing
    item is named with its rating ("workstream 1.1 is Red").
    """
    items = list(items)
    rated = [(label, result) for label, result in items if result.rag in SEVERITY]
    if rated:
        worst = max(SEVERITY[result.rag] for _, result in rated)
        worst_rag = next(rag for rag, severity in SEVERITY.items() if severity == worst)
        if worst_rag == Rag.GREEN:
            return RagResult(Rag.GREEN)
        reasons = []
        for label, result in rated:
            if result.rag != worst_rag:
                continue
            if detailed and result.reasons:
                reasons.extend(
                    Reason(reason.predicate, reason.subject or label) for reason in result.reasons
                )
            else:
                reasons.append(Reason(f"is {result.label}", label))
        return RagResult(worst_rag, tuple(reasons))
    settled = {result.rag for _, result in items if result.rag != Rag.NO_DATA}
    if not settled:
        return RagResult(Rag.NO_DATA, (Reason("has nothing to assess yet"),))
    if settled == {Rag.COMPLETE}:
        return RagResult(Rag.COMPLETE)
    if settled == {Rag.NOT_STARTED}:
        return RagResult(Rag.NOT_STARTED)
    return RagResult(Rag.GREEN)


def dependency_delay_days(
    upstream_forecast: date | None,
    *,
    upstream_done: bool,
    downstream_due: date | None,
    downstream_done: bool,
) -> int | None:
    """How many days a milestone's forecast falls after the due date (forecast, else baseline)
    of a milestone or workstream that depends on it, when that threatens it (issue 15; DOMAIN.md
    section 3, "every computed RAG explains itself"): None when either is done, the upstream
    has no forecast (a plan whose baselines are out of order is the plan's to fix, not a
    slip), the downstream has no date, or the forecast is on or before the due date."""
    if upstream_done or downstream_done or upstream_forecast is None or downstream_due is None:
        return None
    days = (upstream_forecast - downstream_due).days
    return days if days > 0 else None


def with_dependency_warnings(result: RagResult, warnings: Iterable[str]) -> RagResult:
    """A rating with its dependency warnings: a milestone threatened by an upstream slip, or
    whose own date threatens one that depends on it, is at least Amber ("at risk"), never
    made Red by the dependency alone; if its own rules say Red (or Amber) it keeps that rating
    and the warnings join its reasons. Complete and undated items are never threatened."""
    reasons = tuple(Reason(text) for text in warnings)
    if not reasons or result.rag in (Rag.COMPLETE, Rag.NO_DATA):
        return result
    if result.rag in (Rag.GREEN, Rag.NOT_STARTED):
        return RagResult(Rag.AMBER, reasons)
    return RagResult(result.rag, result.reasons + reasons)


def to_three_point(rag: Rag) -> Rag:
    """A five-point delivery confidence rating as Red, Amber or Green, for counting
    workstreams by rating (Amber/Red and Amber/Green count as Amber)."""
    return {Rag.AMBER_RED: Rag.AMBER, Rag.AMBER_GREEN: Rag.AMBER}.get(rag, rag)


def whole_life_cost_needs_narrative(*, baseline: Decimal | None, forecast: Decimal | None) -> bool:
    """A whole-life cost forecast that differs from its baseline needs a written narrative
    (issue 16; DOMAIN.md section 7, "Money", as the government's major projects data asks):
    nothing to explain until both are set."""
    return baseline is not None and forecast is not None and Decimal(baseline) != Decimal(forecast)


def requires_reason(rag: Rag) -> bool:
    """A reported rating other than Green (or Complete) needs a reason (DOMAIN.md section 3)."""
    return rag in (Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN)


@dataclass(frozen=True)
class Tolerances:
    """The PRINCE2 tolerances the system can measure, set per programme and overridable per area.

    Defaults from DOMAIN.md section 3: time 30 days, cost 10%, benefits 5%, risk score 15.
    """

    time_days: int = 30
    cost_percent: Decimal = Decimal(10)
    benefit_percent: Decimal = Decimal(5)
    risk_score: int = 15
    set_by_area: frozenset[str] = frozenset()  # the names above that an area overrides

    def overridden_by(
        self,
        *,
        time_days: int | None = None,
        cost_percent: Decimal | None = None,
        benefit_percent: Decimal | None = None,
        risk_score: int | None = None,
    ) -> Tolerances:
        """The area's own tolerances where it sets them, the programme's elsewhere."""
        overrides = {
            "time_days": time_days,
            "cost_percent": cost_percent,
            "benefit_percent": benefit_percent,
            "risk_score": risk_score,
        }
        return Tolerances(
            **{
                name: getattr(self, name) if value is None else value
                for name, value in overrides.items()
            },
            set_by_area=frozenset(name for name, value in overrides.items() if value is not None),
        )

    def measure_percent(self, own_percent: Decimal | None) -> Decimal:
        """How far a measure may miss its target: its own tolerance if it sets one, else the
        benefits tolerance here (the area's, else the programme's)."""
        return self.benefit_percent if own_percent is None else own_percent

    def measure_percent_set_by(self, own_percent: Decimal | None) -> str:
        """Whose tolerance `measure_percent` gives, to say so beside it: the measure's own
        (""), the area's, or the programme's."""
        if own_percent is not None:
            return ""
        return "the area's" if "benefit_percent" in self.set_by_area else "the programme's"

    def goes_to_board(self, score: int) -> bool:
        """Whether a risk scoring this goes to the board under these tolerances."""
        return goes_to_board(score, risk_tolerance=self.risk_score)


def goes_to_board(score: int, *, risk_tolerance: int) -> bool:
    """A risk whose current score is at or above the risk tolerance goes to the board
    (DOMAIN.md section 3, "Tolerances"); the tolerance is the risk's area's, else the
    programme's (`Tolerances.goes_to_board`)."""
    return score >= risk_tolerance


# ----- Risk bands (DOMAIN.md section 3, "Risk score"): thresholds the programme sets -----

DEFAULT_AMBER_FROM = 5
DEFAULT_RED_FROM = 15


def risk_band(
    score: int, *, amber_from: int = DEFAULT_AMBER_FROM, red_from: int = DEFAULT_RED_FROM
) -> Rag:
    """The band of a risk score: Red from `red_from`, Amber from `amber_from`, Green below
    (DOMAIN.md section 3, "Risk score"). Pages call it as `Programme.risk_band(score)`, with
    the programme's thresholds.

    Defaults 1-4 Green, 5-12 Amber, 15-25 Red, so 4x3 = 12 is Amber as in the East Sussex
    log; a programme sets its own thresholds to express its appetite.
    """
    validate_bands(amber_from, red_from)
    if score >= red_from:
        return Rag.RED
    if score >= amber_from:
        return Rag.AMBER
    return Rag.GREEN


def validate_bands(amber_from: int, red_from: int) -> None:
    """Thresholds in order: Amber from above 1, below Red, and Red at 25 or below."""
    if not 2 <= amber_from < red_from <= 25:
        raise ValueError("Amber must start above 1 and below Red, and Red at 25 or below")
