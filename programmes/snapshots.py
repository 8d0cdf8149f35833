"""Reading the plan now, or as it stood at a moment in the past, from the history
django-simple-history records (DOMAIN.md section 4: "frozen as at the period end").

Both ways give model instances, so the rating and the pages do not care which they got.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone


def end_of_day(day: date) -> datetime:
    """The last moment of a day, in the council's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(
        microseconds=1
    )


@dataclass(frozen=True)
class Snapshot:
    """When to read: now (`at` is None) or as at a moment, from the recorded history."""

    at: datetime | None = None

    @property
    def is_historical(self) -> bool:
        return self.at is not None

    def rows(self, model, **filters) -> QuerySet:
        """The objects as they were: for each, its latest record at the moment (records
        saved in the same instant are told apart by their order), unless it was deleted."""
        if self.at is None:
            return model.objects.filter(**filters)
        records = model.history.filter(history_date__lte=self.at)
        later = records.filter(id=OuterRef("id")).filter(
            Q(history_date__gt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
        )
        return records.filter(~Exists(later), **filters).as_instances()
