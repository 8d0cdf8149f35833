"""Risk score and movement (DOMAIN.md section 3, "Risk score"), and when a decision is
overdue. Pure functions. A risk's band and whether it goes to the board are decided with the
other tolerances in `programmes.rules` (`Programme.risk_band`, `Risk.goes_to_board`)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models

from programmes.dates import PlanDate, add_months, month_start
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


def score_if_rated(likelihood: int | None, impact: int | None) -> int | None:
    """The score of a rating that may be left blank (inherent, target): None unless both its
    likelihood and its impact are given."""
    if likelihood is None or impact is None:
        return None
    return risk_score(likelihood, impact)


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


# ----- Stakeholders and the communications plan (issue 16, part 5) -----

# Interest and influence are 1 (low) to 5 (high); from this they count as high.
HIGH_FROM = 4


class Quadrant(models.TextChoices):
    """Where a stakeholder sits on the interest and influence grid, and what that asks."""

    MANAGE_CLOSELY = "manage_closely", "Manage closely"
    KEEP_SATISFIED = "keep_satisfied", "Keep satisfied"
    KEEP_INFORMED = "keep_informed", "Keep informed"
    MONITOR = "monitor", "Monitor"


def stakeholder_quadrant(interest: int, influence: int) -> Quadrant:
    """High influence and interest (each 4 or 5): manage closely; high influence alone: keep
    satisfied; high interest alone: keep informed; neither: monitor."""
    if interest not in SCALE or influence not in SCALE:
        raise ValueError("Interest and influence must each be a whole number from 1 to 5")
    high_interest, high_influence = interest >= HIGH_FROM, influence >= HIGH_FROM
    if high_influence and high_interest:
        return Quadrant.MANAGE_CLOSELY
    if high_influence:
        return Quadrant.KEEP_SATISFIED
    if high_interest:
        return Quadrant.KEEP_INFORMED
    return Quadrant.MONITOR


# How far each frequency moves a communication's next date: (days, months); None: as needed.
FREQUENCY_STEPS: dict[str, tuple[int, int] | None] = {
    "weekly": (7, 0),
    "fortnightly": (14, 0),
    "monthly": (0, 1),
    "two_monthly": (0, 2),
    "quarterly": (0, 3),
    "six_monthly": (0, 6),
    "yearly": (0, 12),
    "as_needed": None,
}


def next_communication_date(frequency: str, due: date | None, sent_on: date) -> date | None:
    """The date a communication is next due once it was sent on `sent_on`: the due date moved
    on by its frequency, as many times as it takes to pass the day it was sent (sent early,
    the next is one step on from the due date; sent late, the schedule keeps its rhythm and
    the next date is the first still to come). No due date: one step from the day sent. As
    needed: none (the owner sets the next date by hand)."""
    step = FREQUENCY_STEPS[frequency]
    if step is None:
        return None
    days, months = step
    start = due or sent_on
    count = 1
    while True:
        if months:
            moved = add_months(start, months * count)
        else:
            moved = start + timedelta(days=days * count)
        if moved > sent_on:
            return moved
        count += 1
