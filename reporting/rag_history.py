"""The RAG of a programme and of each of its areas over its last twelve reporting periods
(issue 15, part 5), rated by the one path every page uses: each period as at its end, from the
recorded history (`workstreams.assessment.load_state` with a snapshot, then `assess`).

A period that has ended reads the same for ever (its as-at read only sees history recorded
before its end), so its ratings are kept in the shared cache once worked out: the dashboard
rates the eleven earlier periods only the first time it is shown after a period ends (eleven
as-at reads, a fixed number of queries each), and after that reads them all in one cache
lookup. The shown period itself is the rating the dashboard already has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from programmes.charts import as_data_uri, rag_strip
from programmes.choices import Rag
from programmes.dates import month_start
from programmes.models import ReportingPeriod
from programmes.rules import to_three_point
from programmes.snapshots import Snapshot, end_of_day
from reporting.state import ProgrammeData
from workstreams.assessment import ProgrammeRating, assess, load_state

PERIODS = 12
CACHE_SECONDS = 60 * 60 * 24 * 90


@dataclass
class HistoryLine:
    """One row of the chart: the programme or an area, its rating at each period's end
    (None where it had no rating: not in the plan yet)."""

    name: str
    ratings: list[Rag | None] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The chart in words, for its text alternative."""
        return "; ".join(
            f"{label} {rag.label if rag else 'not rated'}"
            for label, rag in zip(self.labels, self.ratings, strict=True)
        )

    @property
    def chart(self) -> str:
        return as_data_uri(rag_strip(list(zip(self.labels, self.ratings, strict=True))))


@dataclass
class RagHistory:
    labels: list[str]
    programme: HistoryLine
    areas: list[tuple[object, HistoryLine]]


def _key(programme_id: int, period: ReportingPeriod) -> str:
    return f"rag-history:v1:{programme_id}:{period.pk}:{period.ends_on:%Y%m%d}"


def _rated(rating: ProgrammeRating) -> dict:
    return {
        "programme": to_three_point(rating.result.rag).value,
        "areas": {area.area.pk: to_three_point(area.result.rag).value for area in rating.areas},
    }


def _rate_at_end(data: ProgrammeData, period: ReportingPeriod) -> dict:
    """The programme as at the end of a period that has ended, rated as its dashboard
    as at that period rates it (`reporting.state.load_programme_data`)."""
    as_of: date = period.ends_on
    state = load_state(data.programme, as_of, snapshot=Snapshot(end_of_day(as_of)))
    return _rated(assess(state, as_of))


def rag_history(data: ProgrammeData, rating: ProgrammeRating) -> RagHistory:
    """The last twelve periods up to the one shown (the month shown last), oldest first."""
    today = timezone.localdate()
    shown_month = data.period.month if data.period else month_start(data.as_of)
    periods = [p for p in data.periods if p.month <= shown_month]
    periods = sorted(periods[:PERIODS], key=lambda p: p.month)
    if data.period is None or not periods or periods[-1].pk != data.period.pk:
        periods = periods[-(PERIODS - 1) :] if periods else []
        current = None
    else:
        current = periods[-1]
    earlier = [p for p in periods if p is not current and p.ends_on < today]
    keys = {p.pk: _key(data.programme.pk, p) for p in earlier}
    found = cache.get_many(list(keys.values())) if keys else {}
    by_period = {}
    for period in earlier:
        value = found.get(keys[period.pk])
        if value is None:
            value = _rate_at_end(data, period)
            cache.set(keys[period.pk], value, timeout=CACHE_SECONDS)
        by_period[period.pk] = value
    columns = [(p.short_label, by_period.get(p.pk)) for p in periods if p is not current]
    columns.append((current.short_label if current else "Now", _rated(rating)))

    labels = [label for label, _ in columns]

    def rag(value):
        return Rag(value) if value else None

    programme = HistoryLine(
        "Programme", [rag(v["programme"]) if v else None for _, v in columns], labels
    )
    areas = []
    for area_rating in rating.areas:
        area = area_rating.area
        ratings = [rag(v["areas"].get(area.pk)) if v else None for _, v in columns]
        areas.append((area, HistoryLine(f"{area.reference} {area.name}", ratings, labels)))
    return RagHistory(labels, programme, areas)
