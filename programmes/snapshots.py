"""Reading the plan now, or as it stood at a moment in the past, from the history
django-simple-history records (DOMAIN.md section 4: "frozen as at the period end").

Both ways give model instances, so the rating and the pages do not care which they got.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.base import DEFERRED
from django.db.models.query import BaseIterable
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
        rows = records.filter(~Exists(later), **filters).as_instances()
        rows._iterable_class = AsItStood
        return rows


class AsItStood(BaseIterable):
    """Each history record read straight into an instance of the model it records, with the
    query's annotations set on it: what django-simple-history's `as_instances()` gives, made
    without a historical instance first (it made two objects a row, the second through the
    keyword-argument constructor: two thirds of the time a large programme took to load as
    at a period's end). The history's own columns (who, when) are not kept."""

    def __iter__(self):
        queryset = self.queryset
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        select, klass_info = compiler.select, compiler.klass_info
        annotations = list(compiler.annotation_col_map.items())
        model = queryset.model.instance_type
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        position = {
            column[0].target.attname: start + n for n, column in enumerate(select[start:end])
        }
        columns = [position.get(field.attname) for field in model._meta.concrete_fields]
        fetch_mode = queryset._fetch_mode
        peers = []
        for row in compiler.results_iter(results):
            instance = model.from_db(
                db,
                (),
                [DEFERRED if column is None else row[column] for column in columns],
                fetch_mode=fetch_mode,
            )
            if fetch_mode.track_peers:
                peers.append(weakref.ref(instance))
                instance._state.peers = peers
            for name, column in annotations:
                setattr(instance, name, row[column])
            yield instance
