"""Writes to a workstream's measures and their targets (DOMAIN.md sections 1 and 3): add and
change a measure, and set its targets (per financial year, "2011/12", or to reach by a date,
"75% by June 09") together, all or nothing, under the measure's version.

Each write is one transaction, takes the acting user, checks their role, validates (refusing
with a ValidationError by field) and saves through the models, so that the history records
who changed what. A save based on a stale copy raises `programmes.models.StaleEdit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from programmes.choices import DatePrecision
from programmes.dates import FinancialYear, PlanDate, day_label, month_label, month_start
from programmes.permissions import Action, require
from workstreams.models import Measure, MeasureTarget, Workstream


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


# ----- Measures -----


@dataclass
class MeasureDetails:
    """What the plan says of a measure (the project manager's and the office's to change)."""

    reference: str
    title: str
    unit: str
    direction: str
    baseline_value: Decimal | None = None
    tolerance_percent: Decimal | None = None  # None: the area's, else the programme's
    owner_id: int | None = None


def measure_problems(
    workstream: Workstream, details: MeasureDetails, *, measure: Measure | None = None
) -> dict[str, str]:
    """A reference is the users' own but unique within its workstream (DOMAIN.md section 1);
    a tolerance is a percentage of the target."""
    problems = {}
    reference = details.reference.strip()
    clash = Measure.objects.filter(workstream=workstream, reference=reference)
    if measure is not None:
        clash = clash.exclude(pk=measure.pk)
    if reference and clash.exists():
        problems["reference"] = (
            f"This workstream already has a measure {reference}: choose another reference"
        )
    tolerance = details.tolerance_percent
    if tolerance is not None and not Decimal(0) <= tolerance <= Decimal(100):
        problems["tolerance_percent"] = "The tolerance must be between 0 and 100%"
    return problems


def _apply(measure: Measure, details: MeasureDetails) -> None:
    measure.reference = details.reference.strip()
    measure.title = details.title.strip()
    measure.unit = details.unit
    measure.direction = details.direction
    measure.baseline_value = details.baseline_value
    measure.tolerance_percent = details.tolerance_percent
    measure.owner_id = details.owner_id


@transaction.atomic
def add_measure(workstream: Workstream, *, by, details: MeasureDetails) -> Measure:
    require(by, Action.EDIT_PLAN, workstream)
    if workstream.is_closed:
        raise ValidationError("This workstream is closed: its plan only shows")
    _refuse(measure_problems(workstream, details))
    measure = Measure(workstream=workstream)
    _apply(measure, details)
    measure._history_user = by
    measure.full_clean(exclude=["version", "sort_key"])
    measure.save()
    return measure


@transaction.atomic
def edit_measure(measure: Measure, *, by, version: int, details: MeasureDetails) -> Measure:
    require(by, Action.EDIT_PLAN, measure)
    _refuse(measure_problems(measure.workstream, details, measure=measure))
    measure.version = version
    _apply(measure, details)
    measure._history_user = by
    measure.full_clean(exclude=["version", "sort_key"])
    measure.save()
    return measure


# ----- Targets -----


@dataclass(frozen=True)
class TargetInput:
    """One target as the user gives it: for a financial year, or to reach by a date."""

    value: Decimal
    financial_year: int | None = None
    due: PlanDate | None = None

    @property
    def label(self) -> str:
        if self.financial_year is not None:
            return str(FinancialYear(self.financial_year))
        return f"by {self.due}"


def target_field(index: int, name: str) -> str:
    """The name of a target's field on the targets page ("target-0-value"): the key of the
    ValidationError that refuses it, so the page shows the problem beside that field."""
    return f"target-{index}-{name}"


def programme_years(programme) -> tuple[FinancialYear, FinancialYear]:
    """The first and last financial years a programme spans (April to March, DOMAIN.md
    section 1)."""
    return (
        FinancialYear.containing(programme.starts_on),
        FinancialYear.containing(programme.ends_on),
    )


def target_problems(targets: Sequence[TargetInput], *, programme) -> dict[int, dict[str, str]]:
    """What is wrong with each target, by its place in the list: a financial year or a date
    outside the programme (a change that would break something says so), and a second target
    for the same financial year or the same month (the rating could not tell which applies)."""
    first, last = programme_years(programme)
    problems: dict[int, dict[str, str]] = {}
    years: dict[int, int] = {}
    months: dict[date, int] = {}
    for index, target in enumerate(targets):
        if target.financial_year is not None:
            year = FinancialYear(target.financial_year)
            if not first <= year <= last:
                problems[index] = {
                    "financial_year": f"{year} is outside the programme, which runs from "
                    f"{first} to {last}: choose a financial year in between"
                }
            elif target.financial_year in years:
                problems[index] = {
                    "financial_year": f"There is already a target for {year} "
                    f"(target {years[target.financial_year] + 1}): give each year one target"
                }
            else:
                years[target.financial_year] = index
        elif target.due is not None:
            due = target.due.value
            month = month_start(due)
            # A month is within the programme if any of its days is.
            earliest = month if target.due.is_month else due
            if due < programme.starts_on or earliest > programme.ends_on:
                problems[index] = {
                    "due": f"{target.due} is outside the programme, which runs from "
                    f"{day_label(programme.starts_on)} to {day_label(programme.ends_on)}"
                }
            elif month in months:
                problems[index] = {
                    "due": f"There is already a target for {month_label(month)} "
                    f"(target {months[month] + 1}): give each month one target"
                }
            else:
                months[month] = index
    return problems


def _key(financial_year: int | None, due: date | None) -> tuple:
    return ("year", financial_year) if financial_year is not None else ("date", due)


@transaction.atomic
def save_targets(
    measure: Measure, *, by, version: int, targets: Sequence[TargetInput]
) -> list[MeasureTarget] | None:
    """Make the measure's targets those given, all or nothing, under the version of the
    measure the user started from: a target whose period is kept is changed in place, the
    others removed or added, each in the history. Returns the targets as saved, or None when
    nothing changed (nothing is written then)."""
    require(by, Action.EDIT_PLAN, measure)
    problems = target_problems(targets, programme=measure.workstream.programme)
    _refuse(
        {
            target_field(index, name): message
            for index, fields in problems.items()
            for name, message in fields.items()
        }
    )
    stored = {
        _key(target.financial_year, target.due_date): target
        for target in MeasureTarget.objects.select_for_update().filter(measure=measure)
    }
    wanted = {
        _key(target.financial_year, target.due.value if target.due else None): target
        for target in targets
    }
    removed = [target for key, target in stored.items() if key not in wanted]
    changed, added = [], []
    for key, given in wanted.items():
        precision = given.due.precision if given.due else DatePrecision.MONTH
        target = stored.get(key)
        if target is None:
            added.append(
                MeasureTarget(
                    measure=measure,
                    financial_year=given.financial_year,
                    due_date=given.due.value if given.due else None,
                    due_precision=precision,
                    value=given.value,
                )
            )
        elif target.value != given.value or (given.due and target.due_precision != precision):
            target.value = given.value
            target.due_precision = precision
            changed.append(target)
    if not (removed or changed or added):
        return None
    # Claim the measure at the version the user saw, so that targets saved from a stale page
    # never overwrite a change they have not seen.
    measure.version = version
    measure._history_user = by
    measure.save(update_fields=["version"])
    # Removals first, so a period given up and taken again never meets itself twice.
    for target in removed:
        target._history_user = by
        target.delete()
    for target in (*changed, *added):
        target._history_user = by
        target.save()
    return list(MeasureTarget.objects.filter(measure=measure))
