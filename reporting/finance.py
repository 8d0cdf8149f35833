"""A programme's money (issue 16; DOMAIN.md sections 3 and 7, "Money"): its budget by financial
year, by workstream and by line, each rated against the cost tolerance of where it sits, and
its whole-life cost baseline against its forecast.

`rate_money` is the one place the budget is rated: a programme's financial year with the
programme's cost tolerance (as the dashboard always has), and each workstream (over the
programme's life) and each budget line with its area's (`Programme.tolerances_for`), by the
budget rule `workstreams.rules.budget_rag`. The finance page, the exceptions
(`reporting.exceptions`) and the government return (`reporting.returns`) all call it. Plain
data, no HTML, no queries: `load_finance` reads what the page needs in a fixed number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from programmes.dates import FinancialYear
from programmes.models import Funding, Programme, ProgrammeArea
from programmes.permissions import Action, may
from programmes.rules import RagResult, roll_up, whole_life_cost_needs_narrative
from workstreams.models import BudgetLine, Workstream
from workstreams.rules import (
    budget_rag,
    needs_variance_explanation,
    variance_percent,
)


@dataclass
class Money:
    """Allocated, spent and forecast outturn, added up."""

    allocated: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    forecast: Decimal = Decimal(0)

    def add(self, line: BudgetLine) -> None:
        self.allocated += line.allocated
        self.spent += line.spent
        self.forecast += line.forecast

    @property
    def variance(self) -> Decimal:
        """Forecast outturn less the allocation: above nought is an overspend."""
        return self.forecast - self.allocated

    @property
    def variance_percent(self) -> Decimal | None:
        return variance_percent(allocated=self.allocated, forecast=self.forecast)

    @property
    def needs_explanation(self) -> bool:
        return needs_variance_explanation(allocated=self.allocated, forecast=self.forecast)

    def rated(self, tolerance: Decimal) -> RagResult:
        return budget_rag(
            allocated=self.allocated, forecast=self.forecast, cost_tolerance_percent=tolerance
        )


@dataclass
class LineMoney:
    """A budget line, rated with its area's cost tolerance."""

    line: BudgetLine
    workstream: Workstream
    money: Money
    tolerance: Decimal
    result: RagResult
    may_edit: bool = False

    @property
    def label(self) -> str:
        return (
            f"budget line {self.line.description} {self.line.financial_year_label} "
            f"(workstream {self.workstream.reference})"
        )

    @property
    def explanation(self) -> str:
        return self.line.variance_explanation.strip()

    @property
    def lacks_explanation(self) -> bool:
        """More than 5% either way from its allocation and nothing written to explain it."""
        return self.money.needs_explanation and not self.explanation


@dataclass
class WorkstreamMoney:
    """A workstream's budget over the programme's life, rated with its area's cost tolerance."""

    workstream: Workstream
    money: Money
    tolerance: Decimal
    result: RagResult
    lines: list[LineMoney] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"the budget of workstream {self.workstream.reference}"

    @property
    def lines_lacking_explanation(self) -> int:
        return sum(item.lacks_explanation for item in self.lines)


@dataclass
class YearMoney:
    """The programme's budget in a financial year, rated with the programme's cost tolerance,
    beside the funding for the year (a grant allocation) where there is any."""

    financial_year: FinancialYear
    money: Money
    tolerance: Decimal
    result: RagResult
    funding: Decimal | None = None
    lines: list[LineMoney] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"the budget for {self.financial_year}"

    @property
    def balance(self) -> Decimal | None:
        """Funding less the allocation: carried forward when above nought (East Sussex)."""
        return None if self.funding is None else self.funding - self.money.allocated

    @property
    def explanations(self) -> list[LineMoney]:
        """The year's lines more than 5% from their allocation, whose explanations say why."""
        return [item for item in self.lines if item.money.needs_explanation]


@dataclass
class MoneyRating:
    years: list[YearMoney]
    workstreams: list[WorkstreamMoney]
    total: Money

    @property
    def lines(self) -> list[LineMoney]:
        return [item for workstream in self.workstreams for item in workstream.lines]

    @property
    def result(self) -> RagResult:
        """The worst of every year, workstream and line, with the reasons of those that made
        it so ("Red because: budget line Venues 2026/27 (workstream 1.1) is forecast ...")."""
        items = [(item.label, item.result) for item in self.years]
        items += [(item.label, item.result) for item in self.workstreams if item.lines]
        items += [(item.label, item.result) for item in self.lines]
        return roll_up(items)

    @property
    def lines_lacking_explanation(self) -> int:
        return sum(item.lacks_explanation for item in self.lines)

    def year(self, financial_year: FinancialYear) -> YearMoney | None:
        return next((y for y in self.years if y.financial_year == financial_year), None)


def rate_money(
    programme: Programme,
    areas: Iterable[ProgrammeArea],
    workstreams: Iterable[Workstream],
    lines: Iterable[BudgetLine],
    funding: Iterable[Funding] = (),
    *,
    user=None,
) -> MoneyRating:
    """The budget rated by year (the programme's cost tolerance), by workstream and by line
    (its area's), from rows already loaded (live or as at a moment). With a user, each line
    says whether they may change its figures and explanation (`Action.UPDATE_BUDGET`)."""
    areas = {area.pk: area for area in areas}
    workstreams = {workstream.pk: workstream for workstream in workstreams}
    tolerance_of_area = {
        area_id: programme.tolerances_for(area).cost_percent for area_id, area in areas.items()
    }
    programme_tolerance = programme.tolerances.cost_percent
    by_workstream: dict[int, list[LineMoney]] = defaultdict(list)
    by_year: dict[int, list[LineMoney]] = defaultdict(list)
    total = Money()
    for line in lines:
        workstream = workstreams.get(line.workstream_id)
        if workstream is None:
            continue
        line.workstream = workstream  # the loaded one: no query to find its scope or name
        tolerance = tolerance_of_area.get(workstream.area_id, programme_tolerance)
        money = Money()
        money.add(line)
        total.add(line)
        item = LineMoney(
            line,
            workstream,
            money,
            tolerance,
            money.rated(tolerance),
            may_edit=user is not None and may(user, Action.UPDATE_BUDGET, line),
        )
        by_workstream[workstream.pk].append(item)
        by_year[line.financial_year].append(item)

    rated_workstreams = []
    for workstream in sorted(workstreams.values(), key=lambda w: w.sort_key):
        items = sorted(
            by_workstream.get(workstream.pk, []),
            key=lambda item: (item.line.financial_year, item.line.description, item.line.pk),
        )
        money = Money()
        for item in items:
            money.add(item.line)
        tolerance = tolerance_of_area.get(workstream.area_id, programme_tolerance)
        rated_workstreams.append(
            WorkstreamMoney(workstream, money, tolerance, money.rated(tolerance), items)
        )

    grants: dict[int, Decimal] = defaultdict(Decimal)
    for grant in funding:
        grants[grant.financial_year] += grant.amount
    rated_years = []
    for year in sorted(set(by_year) | set(grants)):
        items = sorted(
            by_year.get(year, []),
            key=lambda item: (item.workstream.sort_key, item.line.description, item.line.pk),
        )
        money = Money()
        for item in items:
            money.add(item.line)
        rated_years.append(
            YearMoney(
                FinancialYear(year),
                money,
                programme_tolerance,
                money.rated(programme_tolerance),
                grants.get(year),
                items,
            )
        )
    return MoneyRating(rated_years, rated_workstreams, total)


@dataclass
class WholeLifeCost:
    """The whole-life cost the programme was approved at and its forecast, with the narrative
    a difference needs (`programmes.rules.whole_life_cost_needs_narrative`)."""

    baseline: Decimal | None
    forecast: Decimal | None
    narrative: str

    @property
    def is_set(self) -> bool:
        return self.baseline is not None and self.forecast is not None

    @property
    def variance(self) -> Decimal | None:
        return self.forecast - self.baseline if self.is_set else None

    @property
    def variance_percent(self) -> Decimal | None:
        if not self.is_set:
            return None
        return variance_percent(allocated=self.baseline, forecast=self.forecast)

    @property
    def needs_narrative(self) -> bool:
        return whole_life_cost_needs_narrative(baseline=self.baseline, forecast=self.forecast)

    @property
    def lacks_narrative(self) -> bool:
        return self.needs_narrative and not self.narrative.strip()


def whole_life_cost_of(programme: Programme) -> WholeLifeCost:
    return WholeLifeCost(
        programme.whole_life_cost_baseline,
        programme.whole_life_cost_forecast,
        programme.whole_life_cost_narrative.strip(),
    )


@dataclass
class Finance:
    """What the finance page shows."""

    programme: Programme
    rating: MoneyRating
    whole_life_cost: WholeLifeCost


def load_finance(programme: Programme, *, user=None) -> Finance:
    """The programme's money now, rated: four queries (areas, workstreams, lines, funding)."""
    areas = list(ProgrammeArea.objects.filter(programme=programme))
    workstreams = list(Workstream.objects.filter(programme=programme).order_by("sort_key"))
    lines = list(
        BudgetLine.objects.filter(workstream__programme=programme).order_by(
            "financial_year", "description", "pk"
        )
    )
    funding = list(Funding.objects.filter(programme=programme))
    return Finance(
        programme,
        rate_money(programme, areas, workstreams, lines, funding, user=user),
        whole_life_cost_of(programme),
    )
