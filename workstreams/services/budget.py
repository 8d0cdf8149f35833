"""Writes to a workstream's budget lines (DOMAIN.md sections 1 and 3): the project manager and
the programme office add, change and remove lines; the workstream's lead keeps the spent and
forecast figures current, with the written explanation a variance of more than 5% needs.

Each write is one transaction, takes the acting user, checks their role, validates (refusing
with a ValidationError by field) and saves through the model, so that the history records
who changed what. A save based on a stale copy raises `programmes.models.StaleEdit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from programmes.dates import FinancialYear
from programmes.permissions import Action, require
from workstreams.models import BudgetLine, Workstream
from workstreams.rules import VARIANCE_EXPLANATION_PERCENT, needs_variance_explanation
from workstreams.services.measures import programme_years


@dataclass
class BudgetFigures:
    """What a lead keeps current: spent so far, the forecast outturn and, where it differs
    from the allocation by more than 5%, why."""

    spent: Decimal
    forecast: Decimal
    variance_explanation: str = ""


@dataclass
class BudgetLineDetails:
    """A whole line, as the project manager or the office sets it."""

    financial_year: int
    description: str
    allocated: Decimal
    spent: Decimal
    forecast: Decimal
    funding_source: str = ""
    variance_explanation: str = ""


def variance_words(allocated: Decimal, forecast: Decimal) -> str:
    """The variance as the explanation's prompt says it: "12.5% above the allocation"."""
    difference = forecast - allocated
    if allocated == 0:
        return f"£{abs(difference):,.2f} with nothing allocated"
    percent = (abs(difference) / abs(allocated) * 100).quantize(Decimal("0.1"))
    side = "above" if difference > 0 else "below"
    return f"{percent.normalize():f}% {side} the allocation"


def budget_problems(
    *,
    allocated: Decimal,
    spent: Decimal,
    forecast: Decimal,
    variance_explanation: str,
    financial_year: int | None = None,
    programme=None,
) -> dict[str, str]:
    """Money is not negative; a line's year is one the programme spans (when one is given:
    a line's year is checked when it is set); and a forecast more than 5% either way from
    the allocation needs a written explanation (DOMAIN.md section 3,
    `workstreams.rules.needs_variance_explanation`)."""
    problems = {}
    for name, amount in (("allocated", allocated), ("spent", spent), ("forecast", forecast)):
        if amount < 0:
            problems[name] = f"The {name} amount cannot be less than £0"
    if financial_year is not None and programme is not None:
        first, last = programme_years(programme)
        if not first <= FinancialYear(financial_year) <= last:
            problems["financial_year"] = (
                f"{FinancialYear(financial_year)} is outside the programme, which runs from "
                f"{first} to {last}"
            )
    if (
        "forecast" not in problems
        and needs_variance_explanation(allocated=allocated, forecast=forecast)
        and not variance_explanation.strip()
    ):
        problems["variance_explanation"] = (
            f"The forecast is {variance_words(allocated, forecast)}: explain the variance "
            f"(needed when it is more than {VARIANCE_EXPLANATION_PERCENT}% either way)"
        )
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _apply(line: BudgetLine, details: BudgetLineDetails) -> None:
    line.financial_year = details.financial_year
    line.description = details.description.strip()
    line.funding_source = details.funding_source.strip()
    line.allocated = details.allocated
    line.spent = details.spent
    line.forecast = details.forecast
    line.variance_explanation = details.variance_explanation.strip()


def _check(line: BudgetLine, details: BudgetLineDetails, *, year_set: bool) -> None:
    _refuse(
        budget_problems(
            allocated=details.allocated,
            spent=details.spent,
            forecast=details.forecast,
            variance_explanation=details.variance_explanation,
            financial_year=details.financial_year if year_set else None,
            programme=line.workstream.programme,
        )
    )


@transaction.atomic
def add_budget_line(workstream: Workstream, *, by, details: BudgetLineDetails) -> BudgetLine:
    require(by, Action.EDIT_PLAN, workstream)
    if workstream.is_closed:
        raise ValidationError("This workstream is closed: its budget only shows")
    line = BudgetLine(workstream=workstream)
    _check(line, details, year_set=True)
    _apply(line, details)
    line._history_user = by
    line.save()
    return line


@transaction.atomic
def edit_budget_line(
    line: BudgetLine, *, by, version: int, details: BudgetLineDetails
) -> BudgetLine:
    """Change every part of a line (the plan's: its year, allocation and source too)."""
    require(by, Action.EDIT_PLAN, line)
    _check(line, details, year_set=details.financial_year != line.financial_year)
    line.version = version
    _apply(line, details)
    line._history_user = by
    line.save()
    return line


@transaction.atomic
def update_budget_figures(
    line: BudgetLine, *, by, version: int, figures: BudgetFigures
) -> BudgetLine:
    """The lead's update: spent, forecast and the variance explanation, nothing else."""
    require(by, Action.UPDATE_BUDGET, line)
    _refuse(
        budget_problems(
            allocated=line.allocated,
            spent=figures.spent,
            forecast=figures.forecast,
            variance_explanation=figures.variance_explanation,
        )
    )
    line.version = version
    line.spent = figures.spent
    line.forecast = figures.forecast
    line.variance_explanation = figures.variance_explanation.strip()
    line._history_user = by
    line.save(update_fields=["spent", "forecast", "variance_explanation"])
    return line


@transaction.atomic
def remove_budget_line(line: BudgetLine, *, by, version: int) -> None:
    require(by, Action.EDIT_PLAN, line)
    # Claim the row at the version the user saw, so a removal never hides an unseen change.
    line.version = version
    line._history_user = by
    line.save(update_fields=["version"])
    line.delete()
