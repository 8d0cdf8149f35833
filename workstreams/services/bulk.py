"""Many milestones updated in one go (a lead's workstream, a project manager's area): each row
through the single-milestone update (`progress.update_milestone_progress`, so the same rules,
role checks and history), all in one transaction: if any row is refused, nothing is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from programmes.dates import PlanDate
from programmes.models import StaleEdit
from workstreams.models import Milestone, MilestoneStatus
from workstreams.services.progress import update_milestone_progress


@dataclass
class MilestoneUpdate:
    """One row: the milestone, the version the user saw, and what they sent for it."""

    milestone: Milestone
    version: int
    status: str
    forecast: PlanDate | None
    actual_date: date | None
    at_risk: bool
    note: str = ""


class BulkUpdateRefused(Exception):
    """Nothing was saved: `problems` maps the id of each refused milestone to why (a
    ValidationError by field, or a StaleEdit when someone else changed it meanwhile)."""

    def __init__(self, problems: dict[int, ValidationError | StaleEdit]):
        super().__init__(f"{len(problems)} milestone(s) refused")
        self.problems = problems


def as_seen(update: MilestoneUpdate):
    """The milestone as the user saw it: as stored, or, if it has been saved since, its
    history's record of the version they started from (None if there is none)."""
    milestone = update.milestone
    if update.version == milestone.version:
        return milestone
    return (
        Milestone.history.filter(id=milestone.pk, version=update.version)
        .order_by("-history_date")
        .first()
    )


def is_unchanged(update: MilestoneUpdate) -> bool:
    """Whether the row sends back what the user saw: such a row is not saved (no empty
    history), even if someone else has changed the milestone since."""
    seen = as_seen(update)
    if seen is None:
        return False
    forecast = PlanDate.from_fields(seen.forecast_date, seen.forecast_precision)
    at_risk = update.at_risk and update.status != MilestoneStatus.COMPLETE
    return (
        update.status == seen.status
        and update.forecast == forecast
        and update.actual_date == seen.actual_date
        and at_risk == seen.at_risk
        and not update.note.strip()
    )


def update_milestones(
    updates: Sequence[MilestoneUpdate], *, by, today: date | None = None
) -> list[Milestone]:
    """Save every changed row, or none: each row is checked as the single update checks it,
    every refusal is collected (so the user sees them all at once), and any refusal rolls
    the whole lot back with BulkUpdateRefused. Returns the milestones saved."""
    problems: dict[int, ValidationError | StaleEdit] = {}
    saved = []
    with transaction.atomic():
        for update in updates:
            if is_unchanged(update):
                continue
            try:
                with transaction.atomic():
                    saved.append(
                        update_milestone_progress(
                            update.milestone,
                            by=by,
                            version=update.version,
                            status=update.status,
                            forecast=update.forecast,
                            actual_date=update.actual_date,
                            at_risk=update.at_risk,
                            note=update.note,
                            today=today,
                        )
                    )
            except (ValidationError, StaleEdit) as refusal:
                problems[update.milestone.pk] = refusal
        if problems:
            raise BulkUpdateRefused(problems)
    return saved
