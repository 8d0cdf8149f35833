"""Writes to a programme's whole-life cost and schedule narrative (issue 16; DOMAIN.md section
7, "Money"): the programme office sets the whole-life cost the programme was approved at
(the baseline), what it is now forecast to cost, the narrative a difference needs, and the
narrative on the schedule that the government's major projects data asks for.

One transaction, the acting user keyword-only and checked, refused by field with a
ValidationError, saved through the model so that the history records who changed what; a
save based on a stale copy raises `programmes.models.StaleEdit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from programmes.models import Programme
from programmes.permissions import Action, require
from programmes.rules import whole_life_cost_needs_narrative

FIELDS = (
    "whole_life_cost_baseline",
    "whole_life_cost_forecast",
    "whole_life_cost_narrative",
    "schedule_narrative",
)


@dataclass
class WholeLifeCostDetails:
    baseline: Decimal | None
    forecast: Decimal | None
    narrative: str = ""
    schedule_narrative: str = ""


def whole_life_cost_problems(details: WholeLifeCostDetails) -> dict[str, str]:
    """Money is not negative, and a forecast that differs from the baseline needs a narrative
    (`programmes.rules.whole_life_cost_needs_narrative`)."""
    problems = {}
    for name, amount in (
        ("whole_life_cost_baseline", details.baseline),
        ("whole_life_cost_forecast", details.forecast),
    ):
        if amount is not None and amount < 0:
            problems[name] = "The whole-life cost cannot be less than £0"
    differs = whole_life_cost_needs_narrative(baseline=details.baseline, forecast=details.forecast)
    if not problems and differs and not details.narrative.strip():
        problems["whole_life_cost_narrative"] = (
            f"The forecast is £{abs(details.forecast - details.baseline):,.2f} "
            f"{'above' if details.forecast > details.baseline else 'below'} the baseline: "
            "explain the difference"
        )
    return problems


@transaction.atomic
def update_whole_life_cost(
    programme: Programme, *, by, version: int, details: WholeLifeCostDetails
) -> Programme:
    require(by, Action.MANAGE_PROGRAMME, programme)
    problems = whole_life_cost_problems(details)
    if problems:
        raise ValidationError(problems)
    programme.whole_life_cost_baseline = details.baseline
    programme.whole_life_cost_forecast = details.forecast
    programme.whole_life_cost_narrative = details.narrative.strip()
    programme.schedule_narrative = details.schedule_narrative.strip()
    programme.version = version
    programme._history_user = by
    programme.save(update_fields=[*FIELDS, "version"])
    return programme
