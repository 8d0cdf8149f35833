"""The timeline: milestones and key decisions by month, grouped by area and workstream, like
the Transforming Lives plan (seeds/000). Where a forecast differs from the baseline both are
shown: the milestone at its forecast month, and a marker at the baseline month it moved from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from programmes.choices import Rag
from programmes.dates import add_months, month_label, month_start, months_between
from programmes.rules import RagResult
from reporting.state import ProgrammeData
from workstreams.assessment import ProgrammeRating, assess

DEFAULT_MONTHS = 12
MAX_MONTHS = 36


@dataclass
class TimelineItem:
    milestone: object
    result: RagResult
    moved_from: str = ""  # the baseline month, when the item sits at its forecast
    is_baseline_marker: bool = False  # where it was due before it moved

    @property
    def is_key_decision(self) -> bool:
        return self.milestone.kind == "key_decision"


@dataclass
class TimelineRow:
    workstream: object
    cells: list[list[TimelineItem]]
    earlier: int = 0
    later: int = 0


@dataclass
class TimelineArea:
    area: object
    rows: list[TimelineRow]


@dataclass
class Timeline:
    months: list[date]
    current_month: date
    areas: list[TimelineArea]
    undated: list[TimelineItem] = field(default_factory=list)
    shown: int = 0

    @property
    def current_index(self) -> int | None:
        return self.months.index(self.current_month) if self.current_month in self.months else None

    @property
    def month_labels(self) -> list[tuple[date, str, bool]]:
        return [(m, month_label(m), m == self.current_month) for m in self.months]


@dataclass(frozen=True)
class TimelineFilters:
    area_id: int | None = None
    workstream_id: int | None = None
    kind: str = ""
    rag: str = ""

    def keeps(self, workstream, milestone, result: RagResult) -> bool:
        if self.area_id and workstream.area_id != self.area_id:
            return False
        if self.workstream_id and workstream.pk != self.workstream_id:
            return False
        if self.kind and milestone.kind != self.kind:
            return False
        return not (self.rag and result.rag != self.rag)


def default_start(data: ProgrammeData) -> date:
    """Three months before the date shown, within the programme."""
    start = add_months(month_start(data.as_of), -3)
    return max(start, month_start(data.programme.starts_on))


def build_timeline(
    data: ProgrammeData,
    *,
    start: date | None = None,
    months: int = DEFAULT_MONTHS,
    filters: TimelineFilters | None = None,
    rating: ProgrammeRating | None = None,
) -> Timeline:
    filters = filters or TimelineFilters()
    rating = rating or assess(data.rating_state, data.as_of)
    months = max(3, min(months, MAX_MONTHS))
    first = month_start(start or default_start(data))
    window = [add_months(first, index) for index in range(months)]
    timeline = Timeline(window, month_start(data.as_of), [])

    def column(day: date) -> int:
        return months_between(first, day)

    for area_rating in rating.areas:
        rows = []
        for workstream_rating in area_rating.workstreams:
            workstream = workstream_rating.workstream
            row = TimelineRow(workstream, [[] for _ in window])
            kept = 0
            for item in workstream_rating.milestones:
                milestone, result = item.milestone, item.result
                if not filters.keeps(workstream, milestone, result):
                    continue
                kept += 1
                complete = result.rag == Rag.COMPLETE
                when = (
                    milestone.actual_date
                    if complete
                    else (milestone.due.value if milestone.due else None)
                )
                if when is None:
                    timeline.undated.append(TimelineItem(milestone, result))
                    continue
                baseline, forecast = milestone.baseline, milestone.forecast
                moved = (
                    not complete
                    and baseline is not None
                    and forecast is not None
                    and month_start(baseline.value) != month_start(forecast.value)
                )
                index = column(when)
                if 0 <= index < len(window):
                    row.cells[index].append(
                        TimelineItem(milestone, result, moved_from=str(baseline) if moved else "")
                    )
                    timeline.shown += 1
                elif index < 0:
                    row.earlier += 1
                else:
                    row.later += 1
                if moved:
                    marker = column(baseline.value)
                    if 0 <= marker < len(window):
                        row.cells[marker].append(
                            TimelineItem(milestone, result, is_baseline_marker=True)
                        )
            wanted = not filters.workstream_id or workstream.pk == filters.workstream_id
            if wanted and (kept or not (filters.kind or filters.rag)):
                rows.append(row)
        if rows and (not filters.area_id or area_rating.area.pk == filters.area_id):
            timeline.areas.append(TimelineArea(area_rating.area, rows))
    return timeline
