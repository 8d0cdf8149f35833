"""What makes an update to the plan acceptable, as plain checks shared by the forms (which
show each problem next to its field) and the services (which refuse to write without them).

Each function returns {field name: message}; empty means acceptable.
"""

from __future__ import annotations

from datetime import date

from programmes.choices import Rag
from programmes.dates import PlanDate, month_label, month_start
from programmes.rules import requires_reason
from workstreams.models import MilestoneStatus


def milestone_progress_problems(
    *,
    status: str,
    actual_date: date | None,
    forecast: PlanDate | None,
    start: PlanDate | None,
    today: date,
) -> dict[str, str]:
    problems = {}
    if actual_date is not None and actual_date > today:
        problems["actual_date"] = "The completion date must be today or in the past"
    elif status == MilestoneStatus.COMPLETE and actual_date is None:
        problems["actual_date"] = "Enter the date it was completed"
    elif actual_date is not None and status != MilestoneStatus.COMPLETE:
        problems["status"] = "Choose Complete, or remove the completion date"
    if forecast is not None and start is not None:
        start_day = month_start(start.value) if start.is_month else start.value
        if forecast.value < start_day:
            problems["forecast"] = f"The forecast must be on or after the start, {start}"
    return problems


def milestone_plan_problems(*, start: PlanDate | None, baseline: PlanDate | None) -> dict:
    if start is not None and baseline is not None and baseline.value < start.value:
        return {"baseline": f"The due date must be on or after the start, {start}"}
    return {}


def reading_problems(
    *, month: date, today: date, closed_months: set[date], programme_starts: date
) -> dict[str, str]:
    if month > month_start(today):
        return {"period": "You cannot enter a reading for a month that has not started"}
    if month < month_start(programme_starts):
        return {"period": "Choose a month within the programme"}
    if month in closed_months:
        return {
            "period": f"The reporting period for {month_label(month)} is closed: readings for "
            "it can no longer be entered. Ask the programme office if it must be corrected."
        }
    return {}


def status_update_problems(*, rag: str, reason: str, submitting: bool) -> dict[str, str]:
    if submitting and requires_reason(Rag(rag)) and not reason.strip():
        return {"reason": f"Give the reason for the {Rag(rag).label} rating"}
    return {}
