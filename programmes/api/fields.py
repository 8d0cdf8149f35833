"""Serializer fields every app's API shares: dates as plans write them, months, and a
computed RAG that explains itself (DOMAIN.md sections 1 and 3)."""

from __future__ import annotations

from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programmes.choices import DatePrecision, Rag
from programmes.dates import PlanDate, PlanDateError, month_start, parse_plan_date
from programmes.rules import RagResult

# As on the pages' date inputs: a plan's dates are this side of 1900 and 2200.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def month_text(day: date) -> str:
    """ "2025-09": a month as the API writes it."""
    return f"{day.year:04d}-{day.month:02d}"


def plan_date_text(plan_date: PlanDate) -> str:
    """A month-precision date as "2025-09", a day as "2025-09-15"."""
    if plan_date.is_month:
        return month_text(plan_date.value)
    return plan_date.value.isoformat()


def _read_plan_date(field: serializers.Field, data) -> PlanDate:
    if not isinstance(data, str):
        field.fail("invalid")
    try:
        plan_date = parse_plan_date(data)
    except PlanDateError:
        field.fail("invalid")
    if not EARLIEST_YEAR <= plan_date.value.year <= LATEST_YEAR:
        field.fail("year")
    return plan_date


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
PLAN_DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": PLAN_DATE_PATTERN,
        "example": "2026-09",
        "description": (
            "A day (2026-09-15) or only a month (2026-09), which is due by its last day. "
            "Also read as people write them: 15/09/2026, Sept 2026, 09/2026."
        ),
    }
)
class PlanDateField(serializers.Field):
    """A date in a plan, to the day or only the month (DOMAIN.md section 1: "Dates in plans
    are often months"). Read as `parse_plan_date` reads what people type; written back with
    its precision, as "2026-09" or "2026-09-15"."""

    default_error_messages = {
        "invalid": "Give a date as 2026-09-15, or only the month as 2026-09",
        "year": f"Give a year from {EARLIEST_YEAR} to {LATEST_YEAR}",
    }

    def to_internal_value(self, data) -> PlanDate:
        return _read_plan_date(self, data)

    def to_representation(self, value: PlanDate) -> str:
        return plan_date_text(value)


@extend_schema_field(
    {
        "type": "string",
        "pattern": MONTH_PATTERN,
        "example": "2026-10",
        "description": "A month, as 2026-10 (its first day, 2026-10-01, is read too).",
    }
)
class MonthField(serializers.Field):
    """A month, such as the month a reading or a reporting period is for. Stored as its
    first day."""

    default_error_messages = {
        "invalid": "Give the month as 2026-10",
        "year": f"Give a year from {EARLIEST_YEAR} to {LATEST_YEAR}",
    }

    def to_internal_value(self, data) -> date:
        plan_date = _read_plan_date(self, data)
        if plan_date.precision == DatePrecision.DAY and plan_date.value.day != 1:
            self.fail("invalid")
        return month_start(plan_date.value)

    def to_representation(self, value: date) -> str:
        return month_text(value)


class DayField(serializers.DateField):
    """A date to the day (ISO 8601, 2026-10-03), in the years the pages accept."""

    default_error_messages = {"year": f"Give a year from {EARLIEST_YEAR} to {LATEST_YEAR}"}

    def to_internal_value(self, value) -> date:
        day = super().to_internal_value(value)
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            self.fail("year")
        return day


class RagSerializer(serializers.Serializer):
    """A computed rating with its reasons (DOMAIN.md section 3: every RAG explains itself)."""

    rating = serializers.ChoiceField(choices=Rag.choices)
    label = serializers.CharField()
    explanation = serializers.CharField(help_text='"Red because: it is 47 days late"')
    reasons = serializers.ListField(child=serializers.CharField())


def rag_data(result: RagResult) -> dict:
    return {
        "rating": Rag(result.rag).value,
        "label": result.label,
        "explanation": result.explanation(),
        "reasons": [reason.text() for reason in result.reasons],
    }
