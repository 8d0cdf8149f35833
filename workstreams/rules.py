"""Milestone, measure, budget and workstream RAG (DOMAIN.md section 3). Pure functions.

Each returns a `RagResult` whose reasons say what made the rating, so that every screen and
report can show "Red because: milestone 3.6.2 is 47 days late".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal

from programmes.choices import Rag
from programmes.dates import FinancialYear, day_label, month_end
from programmes.rules import RagResult, Reason, is_overdue, roll_up

HIGHER_IS_BETTER = "higher"
LOWER_IS_BETTER = "lower"
VARIANCE_EXPLANATION_PERCENT = Decimal(5)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def milestone_rag(
    *,
    as_of: date,
    baseline: date | None,
    forecast: date | None = None,
    actual: date | None = None,
    start: date | None = None,
    at_risk: bool = False,
    has_progress: bool = False,
    time_tolerance_days: int = 30,
) -> RagResult:
    """A milestone's RAG as of a date (DOMAIN.md section 3, "Milestone RAG").

    Complete if completed on or before the date. Red if its due date (forecast if set, else
    baseline) is before the date and it is not complete, or if its forecast is later than
    baseline + time tolerance. Amber if its forecast is later than baseline within tolerance,
    or its owner flagged it at risk. Not started if it starts after the date and nothing has
    been reported; Green otherwise. Month-precision dates arrive as the month's last day.
    """
    if actual is not None and actual <= as_of:
        return RagResult(Rag.COMPLETE, (Reason(f"was completed on {day_label(actual)}"),))
    due = forecast or baseline
    red: list[Reason] = []
    amber: list[Reason] = []
    if is_overdue(due, done=False, as_of=as_of):  # complete ones returned above
        red.append(Reason(f"is {_days((as_of - due).days)} late"))
    if forecast is not None and baseline is not None and forecast > baseline:
        slip = (forecast - baseline).days
        if forecast > baseline + timedelta(days=time_tolerance_days):
            red.append(
                Reason(
                    f"is forecast {_days(slip)} after its baseline "
                    f"(tolerance {_days(time_tolerance_days)})"
                )
            )
        else:
            amber.append(Reason(f"is forecast {_days(slip)} after its baseline"))
    if at_risk:
        amber.append(Reason("is flagged at risk by its owner"))
    if red:
        return RagResult(Rag.RED, tuple(red))
    if amber:
        return RagResult(Rag.AMBER, tuple(amber))
    if start is not None and start > as_of and not has_progress:
        return RagResult(Rag.NOT_STARTED, (Reason(f"starts on {day_label(start)}"),))
    if due is None:
        return RagResult(Rag.NO_DATA, (Reason("has no due date"),))
    return RagResult(Rag.GREEN)


def is_complete_by(actual: date | None, as_of: date) -> bool:
    """Complete as the milestone rule counts it: completed on or before the date."""
    return actual is not None and actual <= as_of


def milestone_is_overdue(due: date | None, actual: date | None, as_of: date) -> bool:
    """A milestone due (forecast if set, else baseline) before the date and not complete by
    it: the one definition of overdue, `programmes.rules.is_overdue`."""
    return is_overdue(due, done=is_complete_by(actual, as_of), as_of=as_of)


def is_due_in_month(due: date | None, actual: date | None, as_of: date) -> bool:
    """Due in the month of the date and not complete (whether or not already overdue)."""
    return (
        due is not None
        and (due.year, due.month) == (as_of.year, as_of.month)
        and not is_complete_by(actual, as_of)
    )


def was_completed_in_month(actual: date | None, as_of: date) -> bool:
    """Completed in the month of the date, by the date: the reporting period is a month."""
    return is_complete_by(actual, as_of) and (actual.year, actual.month) == (
        as_of.year,
        as_of.month,
    )


def has_slipped_beyond_tolerance(
    baseline: date | None,
    forecast: date | None,
    actual: date | None,
    as_of: date,
    tolerance_days: int,
) -> bool:
    """Still open and forecast later than baseline + the time tolerance: a breach the board
    hears about (DOMAIN.md sections 3 and 5)."""
    return (
        baseline is not None
        and forecast is not None
        and not is_complete_by(actual, as_of)
        and forecast > baseline + timedelta(days=tolerance_days)
    )


def _number(value: Decimal) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def measure_rag(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    direction: str = HIGHER_IS_BETTER,
    tolerance_percent: Decimal = Decimal(5),
) -> RagResult:
    """A measure's RAG for a period (DOMAIN.md section 3, "Measure RAG").

    Green if the actual meets the target in the measure's direction; Amber if it misses by no
    more than the tolerance (a percentage of the target); Red otherwise; No data without a
    reading or a target.
    """
    if actual is None:
        return RagResult(Rag.NO_DATA, (Reason("has no reading for the period"),))
    if target is None:
        return RagResult(Rag.NO_DATA, (Reason("has no target for the period"),))
    actual, target = Decimal(actual), Decimal(target)
    shortfall = target - actual if direction == HIGHER_IS_BETTER else actual - target
    if shortfall <= 0:
        return RagResult(Rag.GREEN, (Reason(f"met its target of {_number(target)}"),))
    allowed = abs(target) * Decimal(tolerance_percent) / 100
    if target:
        missed = f"by {_number((shortfall / abs(target) * 100).quantize(Decimal('0.1')))}%"
    else:
        missed = f"by {_number(shortfall)}"
    if shortfall <= allowed:
        return RagResult(
            Rag.AMBER,
            (
                Reason(
                    f"missed its target of {_number(target)} {missed} "
                    f"(within {_number(Decimal(tolerance_percent))}% tolerance)"
                ),
            ),
        )
    return RagResult(Rag.RED, (Reason(f"missed its target of {_number(target)} {missed}"),))


@dataclass(frozen=True)
class Target:
    """A measure's target: for a financial year, or to be reached by a date."""

    value: Decimal
    financial_year: int | None = None
    due: date | None = None


def target_for_month(targets: Iterable[Target], month: date) -> Decimal | None:
    """The target that applies to a reading for a month.

    A financial-year target applies to every month of that year (Cheshire East: 2011/12). A
    dated target ("75% by June 09") applies from its month onwards until a later one does;
    before the first, there is no target. A financial-year target wins over a dated one.
    """
    targets = list(targets)
    year = FinancialYear.containing(month).start_year
    for target in targets:
        if target.financial_year == year:
            return target.value
    period_end = month_end(month)
    in_force = [t for t in targets if t.due is not None and t.due <= period_end]
    if not in_force:
        return None
    return max(in_force, key=lambda t: t.due).value


def budget_rag(
    *, allocated: Decimal, forecast: Decimal, cost_tolerance_percent: Decimal = Decimal(10)
) -> RagResult:
    """Budget RAG (DOMAIN.md section 3): forecast outturn over allocation by more than the cost
    tolerance is Red, over at all is Amber, otherwise Green. The same rule rates a programme's
    financial year, a workstream's budget and each budget line (issue 16), each with the
    tolerance of where it sits (`is_over_cost_tolerance`)."""
    allocated, forecast = Decimal(allocated), Decimal(forecast)
    over = forecast - allocated
    if over <= 0:
        return RagResult(Rag.GREEN)
    if allocated > 0:
        percent = variance_percent(allocated=allocated, forecast=forecast)
        description = f"is forecast £{_number(over)} ({_number(percent)}%) over its allocation"
    else:
        description = f"is forecast £{_number(over)} over a nil allocation"
    if is_over_cost_tolerance(
        allocated=allocated, forecast=forecast, cost_tolerance_percent=cost_tolerance_percent
    ):
        tolerance = f" (tolerance {_number(Decimal(cost_tolerance_percent))}%)"
        return RagResult(Rag.RED, (Reason(description + tolerance),))
    return RagResult(Rag.AMBER, (Reason(description),))


def is_over_cost_tolerance(
    *, allocated: Decimal, forecast: Decimal, cost_tolerance_percent: Decimal
) -> bool:
    """Forecast outturn over the allocation by more than the cost tolerance (a percentage of
    the allocation); anything over a nil allocation is beyond it (DOMAIN.md section 3, "Budget
    RAG"). Exactly at the tolerance is within it. The one test for a programme-year, a
    workstream and a budget line alike (DOMAIN.md section 7, "Money")."""
    allocated, forecast = Decimal(allocated), Decimal(forecast)
    over = forecast - allocated
    if over <= 0:
        return False
    if allocated <= 0:
        return True
    return over > allocated * Decimal(cost_tolerance_percent) / 100


def variance_percent(*, allocated: Decimal, forecast: Decimal) -> Decimal | None:
    """The forecast's variance from the allocation as a percentage of the allocation, to one
    decimal place away from nought (so that a variance beyond a tolerance or the 5% never
    reads as at it: 10.01% is 10.1%), positive when over (the government's major projects
    data: "Variance (%)"); None where nothing was allocated, as no percentage of nought
    means anything."""
    allocated, forecast = Decimal(allocated), Decimal(forecast)
    if allocated == 0:
        return None
    return ((forecast - allocated) / abs(allocated) * 100).quantize(
        Decimal("0.1"), rounding=ROUND_UP
    )


def forecast_end(planned_end: date, milestone_dues: Iterable[date | None]) -> date:
    """When a programme is forecast to finish: its planned end, or the latest date a milestone
    of it is due (forecast if set, else baseline) when that is later (issue 16, the schedule
    of the government's major projects data)."""
    return max([planned_end, *(due for due in milestone_dues if due is not None)])


def needs_variance_explanation(*, allocated: Decimal, forecast: Decimal) -> bool:
    """A variance of more than 5% either way needs a written explanation (DOMAIN.md section 3,
    as the government's major projects data asks)."""
    allocated, forecast = Decimal(allocated), Decimal(forecast)
    if allocated == 0:
        return forecast != 0
    return abs(forecast - allocated) > abs(allocated) * VARIANCE_EXPLANATION_PERCENT / 100


def workstream_suggested_rag(
    milestones: Iterable[tuple[str, RagResult]], measures: Iterable[tuple[str, RagResult]]
) -> RagResult:
    """The RAG the system suggests for a workstream: worst of its milestones and measures
    (DOMAIN.md section 3: any Red -> Red; any Amber -> Amber; else Green). Items are
    (reference, result) pairs."""
    labelled = [(f"milestone {ref}", result) for ref, result in milestones]
    labelled += [(f"measure {ref}", result) for ref, result in measures]
    return roll_up(labelled)


# ----- Benefits (issue 16, part 1; DOMAIN.md section 7, "Benefits") -----


@dataclass(frozen=True)
class BenefitFigures:
    """One financial year of a benefit's profile: planned and realised (None: not planned
    that year, or nothing recorded yet)."""

    financial_year: int
    planned: Decimal | None = None
    realised: Decimal | None = None


def benefit_years_to_date(years: Iterable[BenefitFigures], as_of: date) -> list[BenefitFigures]:
    """The years a benefit is judged on as of a date: every financial year that has ended,
    and the current one once its realised amount is recorded (a year half gone with nothing
    recorded yet is not a shortfall; a year recorded early counts)."""
    current = FinancialYear.containing(as_of).start_year
    return sorted(
        (
            year
            for year in years
            if year.financial_year < current
            or (year.financial_year == current and year.realised is not None)
        ),
        key=lambda year: year.financial_year,
    )


def whole_life_benefit(
    years: Iterable[BenefitFigures], as_of: date, *, abandoned: bool = False
) -> tuple[Decimal, Decimal]:
    """A benefit's whole-life amount, baseline and forecast, as the government's major
    projects data asks (issue 16, part 3): the baseline is what its profile plans over every
    year; the forecast is what was realised in the years judged so far
    (`benefit_years_to_date`) and what is planned for the rest, or nothing more once it is
    abandoned."""
    years = list(years)
    baseline = sum((year.planned for year in years if year.planned is not None), Decimal(0))
    judged = {year.financial_year for year in benefit_years_to_date(years, as_of)}
    forecast = Decimal(0)
    for year in years:
        if year.financial_year in judged:
            forecast += year.realised or 0
        elif not abandoned:
            forecast += year.planned or 0
    return baseline, forecast


def benefit_amount(value: Decimal, unit: str = "pounds") -> str:
    """An amount as a benefit counts it: "£12,500", "12.5%", "30 days", "1,200"."""
    if unit == "pounds":
        sign = "-" if value < 0 else ""
        return f"{sign}£{_number(abs(Decimal(value)))}"
    if unit == "percent":
        return f"{_number(Decimal(value))}%"
    if unit == "days":
        return f"{_number(Decimal(value))} days"
    return _number(Decimal(value))


def benefit_rag(
    *,
    years: Iterable[BenefitFigures],
    as_of: date,
    tolerance_percent: Decimal = Decimal(5),
    qualitative: bool = False,
    disbenefit: bool = False,
    abandoned: bool = False,
    unit: str = "pounds",
) -> RagResult:
    """A benefit's RAG against its profile (DOMAIN.md section 7; issue 16): the amount
    realised to date against the amount planned to date (`benefit_years_to_date`). Green if
    realised meets planned; Amber if short by no more than the benefits tolerance (a
    percentage of the planned amount); Red beyond it. A dis-benefit is the other way round:
    coming to more than expected is worse. No rating, with the reason, for a qualitative
    benefit, an abandoned one, one with no profile, or one with nothing planned to date."""
    if abandoned:
        return RagResult(Rag.NO_DATA, (Reason("was abandoned, so it is not rated"),))
    if qualitative:
        return RagResult(
            Rag.NO_DATA, (Reason("is qualitative: it is described, not rated against amounts"),)
        )
    years = list(years)
    if not any(year.planned is not None for year in years):
        return RagResult(Rag.NO_DATA, (Reason("has no planned profile yet"),))
    to_date = benefit_years_to_date(years, as_of)
    if not any(year.planned is not None for year in to_date):
        first = min(year.financial_year for year in years if year.planned is not None)
        return RagResult(
            Rag.NO_DATA,
            (Reason(f"has nothing planned to date: its profile starts in {FinancialYear(first)}"),),
        )
    planned = sum((Decimal(y.planned) for y in to_date if y.planned is not None), Decimal(0))
    realised = sum((Decimal(y.realised) for y in to_date if y.realised is not None), Decimal(0))
    until = FinancialYear(to_date[-1].financial_year)
    tolerance = Decimal(tolerance_percent)
    if disbenefit:
        shortfall = realised - planned
        words = (
            f"came to {benefit_amount(realised, unit)} against {benefit_amount(planned, unit)} "
            f"expected to {until}"
        )
        side = "more than expected"
    else:
        shortfall = planned - realised
        words = (
            f"realised {benefit_amount(realised, unit)} of {benefit_amount(planned, unit)} "
            f"planned to {until}"
        )
        side = "short"
    if shortfall <= 0:
        return RagResult(Rag.GREEN, (Reason(words),))
    if planned:
        percent = (shortfall / abs(planned) * 100).quantize(Decimal("0.1"))
        by = f"{_number(percent)}% {side}"
    else:
        by = f"{benefit_amount(shortfall, unit)} {side}"
    if shortfall <= abs(planned) * tolerance / 100:
        return RagResult(
            Rag.AMBER, (Reason(f"{words}: {by} (within {_number(tolerance)}% tolerance)"),)
        )
    return RagResult(Rag.RED, (Reason(f"{words}: {by} (tolerance {_number(tolerance)}%)"),))
