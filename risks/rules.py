"""Risk score and movement (DOMAIN.md section 3, "Risk score"), and when a decision is
overdue. Pure functions. A risk's band and whether it goes to the board are decided with the
other tolerances in `programmes.rules` (`Programme.risk_band`, `Risk.goes_to_board`)."""

from __future__ import annotations

from datetime import date

from django.db import models

from programmes.dates import PlanDate, month_start
from programmes.rules import is_overdue

SCALE = range(1, 6)


class Movement(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"
    SAME = "same", "Same"
    NEW = "new", "New"


def risk_score(likelihood: int, impact: int) -> int:
    """Score = likelihood (1-5) x impact (1-5)."""
    if likelihood not in SCALE or impact not in SCALE:
        raise ValueError("Likelihood and impact must each be a whole number from 1 to 5")
    return likelihood * impact


def risk_movement(previous_score: int | None, current_score: int) -> Movement:
    """Movement since the last period: New if the risk was not on the register then."""
    if previous_score is None:
        return Movement.NEW
    if current_score > previous_score:
        return Movement.UP
    if current_score < previous_score:
        return Movement.DOWN
    return Movement.SAME


# ----- Decisions (DOMAIN.md section 1: key decisions, with the date they are needed) -----

MADE, DEFERRED = "made", "deferred"


def decision_is_overdue(status: str, needed_by: PlanDate | None, today: date) -> bool:
    """A decision not yet made whose date needed has passed (a month: after its last day),
    by the one definition of overdue (`programmes.rules.is_overdue`)."""
    return is_overdue(needed_by.value if needed_by else None, done=status == MADE, as_of=today)


def falls_by(plan_date: PlanDate, day: date) -> bool:
    """Whether a date in the plan may fall on or before a day. A day does if it is on or
    before it; a month does if it starts on or before it, so that a decision needed "Apr 2026"
    is in time for a meeting on 14 April (DOMAIN.md section 1: dates are often months)."""
    if plan_date.is_month:
        return month_start(plan_date.value) <= day
    return plan_date.value <= day


def decision_problems(
    *,
    status: str,
    outcome: str,
    made_on: date | None,
    needed_by: PlanDate | None,
    today: date,
    previous_status: str | None = None,
    previous_needed_by: PlanDate | None = None,
) -> dict[str, str]:
    """What makes a decision's record unacceptable, field by field.

    A decision marked made needs the date it was made (not in the future) and its outcome;
    only a made decision has a date made. A decision being deferred needs a new, later date
    needed, or a note in the outcome saying why.
    """
    problems = {}
    outcome = (outcome or "").strip()
    if made_on is not None and made_on > today:
        problems["made_on"] = "The date the decision was made must be today or in the past"
    if status == MADE:
        if made_on is None:
            problems["made_on"] = "Enter the date the decision was made"
        if not outcome:
            problems["outcome"] = "Enter the outcome: what was decided"
    elif made_on is not None:
        problems["status"] = "Choose Made, or remove the date the decision was made"
    if status == DEFERRED and previous_status != DEFERRED:
        moved = needed_by is not None and (
            previous_needed_by is None or needed_by.value > previous_needed_by.value
        )
        if not moved and not outcome:
            problems["needed_by"] = (
                "Give the new date the decision is needed by, or say in the outcome why it "
                "was deferred"
            )
    return problems


# ----- The action log (DOMAIN.md section 7) -----

OPEN = "open"


def action_is_overdue(status: str, due_date: date | None, today: date) -> bool:
    """An action still open whose due date has passed, by the one definition of overdue
    (`programmes.rules.is_overdue`); one done or dropped is never overdue."""
    return is_overdue(due_date, done=status != OPEN, as_of=today)
