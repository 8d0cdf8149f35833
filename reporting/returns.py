"""The government return (issue 16, part 3): a programme in the shape of the published
Government Major Projects Portfolio data (the IPA's annual report data), one row per
programme, for one financial year:

- the delivery confidence assessment, with its commentary: the board's own overall rating
  and commentary where it sets one, else the rating rolled up from the workstreams
  (`workstreams.assessment.assess`) with the reasons that made it;
- the schedule: baseline start and end (the programme's dates), forecast start and end
  (`workstreams.rules.forecast_end`: the planned end, or the latest milestone when later),
  with the programme office's narrative;
- the financial year's baseline (allocated) and forecast outturn in £m, the variance in
  percent (`workstreams.rules.variance_percent`), and a narrative when the variance is more
  than 5% either way (`needs_variance_explanation`): the explanations written on the year's
  budget lines;
- the whole-life cost, baseline and forecast in £m with its narrative; where the programme
  office has not set it, the budget lines' totals over the programme's life, and the
  narrative says so;
- benefits, baseline and forecast whole-life benefits in £m with a narrative, from the
  benefits register (`workstreams.benefits.benefits_of`): the benefits counted in pounds,
  cashable and non-cashable, not dis-benefits (`workstreams.rules.whole_life_benefit`: the
  baseline planned over every year, the forecast realised so far and planned for the rest,
  an abandoned benefit's nothing more); the narrative says how many, what was realised to
  date against plan, and which are Red or Amber with why.

Money in the published data is in millions of pounds to two decimal places; variances are
percentages to one decimal place. Gathering the row is a plain function of the programme's
data (`reporting.state.load_programme_data`); the view writes it out with
`programmes.exports`.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from programmes.choices import Rag
from programmes.dates import FinancialYear
from programmes.exports import Cell, ExportColumn
from reporting.finance import MoneyRating, rate_money, whole_life_cost_of
from reporting.state import ProgrammeData
from workstreams.assessment import assess
from workstreams.benefits import BenefitRow, benefits_of
from workstreams.models import BenefitStatus, MeasureUnit
from workstreams.rules import (
    BenefitFigures,
    forecast_end,
    is_complete_by,
    needs_variance_explanation,
    whole_life_benefit,
)

MILLION = Decimal(1_000_000)
NO_BENEFITS = "No benefits in pounds are in the programme's benefits register."
NO_VARIANCE_EXPLANATION = "Not explained yet: no budget line of the year has an explanation."


def in_millions(amount: Decimal | None) -> Decimal | None:
    """Pounds as £m to two decimal places, halves rounded up: £843,000 is 0.84."""
    if amount is None:
        return None
    return (Decimal(amount) / MILLION).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def day_text(day: date | None) -> str:
    """A date as the published data writes it: 31/03/2011."""
    return f"{day:%d/%m/%Y}" if day else ""


# The columns, named after the published data's (shortened where it explains itself at length).
RETURN_HEADINGS = (
    "Project name",
    "Department",
    "Description / aims",
    "Delivery confidence assessment",
    "Commentary on the delivery confidence assessment",
    "Baseline start date",
    "Baseline end date",
    "Forecast start date",
    "Forecast end date",
    "Narrative on schedule",
    "Financial year",
    "Financial year baseline (£m)",
    "Financial year forecast (£m)",
    "Financial year variance (%)",
    "Narrative on financial year variance (if more than 5%)",
    "Baseline whole life cost (£m)",
    "Forecast whole life cost (£m)",
    "Narrative on whole life cost",
    "Baseline benefits (£m)",
    "Forecast benefits (£m)",
    "Narrative on benefits",
)


def _column(heading: str) -> ExportColumn:
    return ExportColumn(heading, lambda row, heading=heading: row[heading])


RETURN_COLUMNS = tuple(_column(heading) for heading in RETURN_HEADINGS)


def return_years(money: MoneyRating, today: date) -> list[FinancialYear]:
    """The financial years a return can be made for: those with a budget, and this one."""
    years = {item.financial_year for item in money.years}
    years.add(FinancialYear.containing(today))
    return sorted(years, key=lambda year: year.start_year)


def _variance_narrative(money: MoneyRating, year: FinancialYear) -> str:
    """The explanations of the year's lines more than 5% from their allocation, each named
    ("1.1 Venues: Two venues cost more"), when the year itself is more than 5% out."""
    rated = money.year(year)
    if rated is None or not rated.money.needs_explanation:
        return ""
    written = [
        f"{item.workstream.reference} {item.line.description}: {item.explanation}"
        for item in rated.explanations
        if item.explanation
    ]
    return " ".join(written) if written else NO_VARIANCE_EXPLANATION


def _in_pounds(row: BenefitRow) -> bool:
    """A benefit the return counts in money: in pounds, not qualitative, not a dis-benefit
    (abandoned ones count in the baseline, and their forecast stops where they stopped)."""
    benefit = row.benefit
    return (
        benefit.unit == MeasureUnit.POUNDS
        and not benefit.is_qualitative
        and not benefit.is_disbenefit
    )


def benefits_figures(rows: list[BenefitRow], as_of: date) -> tuple[Decimal, Decimal, str]:
    """The whole-life benefits in pounds, baseline and forecast, and the narrative."""
    counted = [row for row in rows if _in_pounds(row)]
    if not counted:
        return Decimal(0), Decimal(0), NO_BENEFITS
    baseline = forecast = Decimal(0)
    for row in counted:
        planned, expected = whole_life_benefit(
            [BenefitFigures(y.financial_year, y.planned, y.realised) for y in row.years],
            as_of,
            abandoned=row.benefit.status == BenefitStatus.ABANDONED,
        )
        baseline += planned
        forecast += expected
    planned_to_date = sum((row.planned_to_date or 0 for row in counted), Decimal(0))
    realised_to_date = sum((row.realised_to_date or 0 for row in counted), Decimal(0))
    words = [
        f"{len(counted)} benefit{'s' if len(counted) != 1 else ''} in pounds: "
        f"£{realised_to_date:,.0f} realised to date against £{planned_to_date:,.0f} planned."
    ]
    for row in counted:
        if row.result.rag in (Rag.RED, Rag.AMBER):
            words.append(f"{row.reference} {row.title}: {row.result.explanation('it')}.")
    return baseline, forecast, " ".join(words)


def government_return(data: ProgrammeData, year: FinancialYear) -> dict[str, Cell]:
    """The programme's row of the return for a financial year, by column heading."""
    programme = data.programme
    state = data.rating_state
    rating = assess(state, data.as_of)
    if programme.overall_rag:
        confidence = Rag(programme.overall_rag).label
        commentary = programme.overall_commentary.strip()
    else:
        confidence = rating.result.label
        commentary = programme.overall_commentary.strip() or rating.result.explanation(
            "it", limit=5
        )
    if rating.result.rag == Rag.NO_DATA and not programme.overall_rag:
        confidence = ""

    dues = [
        milestone.actual_date
        if is_complete_by(milestone.actual_date, data.as_of)
        else (milestone.due.value if milestone.due else None)
        for milestone in state.milestones
    ]

    money = rate_money(programme, state.areas, state.workstreams, data.budget_lines)
    in_year = money.year(year)
    year_baseline = in_year.money.allocated if in_year else Decimal(0)
    year_forecast = in_year.money.forecast if in_year else Decimal(0)
    variance = in_year.money.variance_percent if in_year else None

    whole = whole_life_cost_of(programme)
    baseline, forecast, narrative = whole.baseline, whole.forecast, whole.narrative
    not_set = []
    if baseline is None:
        baseline = money.total.allocated
        not_set.append("baseline")
    if forecast is None:
        forecast = money.total.forecast
        not_set.append("forecast")
    if not_set:
        note = (
            f"The whole-life cost {' and '.join(not_set)} not set by the programme office: "
            "the total of the programme's budget lines."
        )
        narrative = f"{note} {narrative}".strip()

    benefits_baseline, benefits_forecast, benefits_narrative = benefits_figures(
        benefits_of(programme, as_of=data.as_of), data.as_of
    )

    return {
        "Project name": programme.name,
        "Department": programme.organisation.name,
        "Description / aims": programme.description,
        "Delivery confidence assessment": confidence,
        "Commentary on the delivery confidence assessment": commentary,
        "Baseline start date": day_text(programme.starts_on),
        "Baseline end date": day_text(programme.ends_on),
        "Forecast start date": day_text(programme.starts_on),
        "Forecast end date": day_text(forecast_end(programme.ends_on, dues)),
        "Narrative on schedule": programme.schedule_narrative.strip(),
        "Financial year": str(year),
        "Financial year baseline (£m)": in_millions(year_baseline),
        "Financial year forecast (£m)": in_millions(year_forecast),
        "Financial year variance (%)": variance,
        "Narrative on financial year variance (if more than 5%)": (
            _variance_narrative(money, year)
            if needs_variance_explanation(allocated=year_baseline, forecast=year_forecast)
            else ""
        ),
        "Baseline whole life cost (£m)": in_millions(baseline),
        "Forecast whole life cost (£m)": in_millions(forecast),
        "Narrative on whole life cost": narrative,
        "Baseline benefits (£m)": in_millions(benefits_baseline),
        "Forecast benefits (£m)": in_millions(benefits_forecast),
        "Narrative on benefits": benefits_narrative,
    }
