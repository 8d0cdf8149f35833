"""Milestone trend analysis (issue 15, part 4): each milestone's forecast date as it was
reported at the end of each reporting period, read from the recorded history
(django-simple-history: a milestone's latest record at or before each period's end), so that
a slip shows as a rising line. The date is the one the milestone rule rates by: its forecast,
else its baseline (DOMAIN.md section 3).

One query for any number of milestones: their history records up to now, walked in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from programmes.charts import as_data_uri, forecast_trend
from programmes.choices import Rag
from programmes.dates import PlanDate, month_label
from programmes.models import ReportingPeriod
from programmes.snapshots import end_of_day
from workstreams.models import Milestone, MilestoneKind

PERIODS = 12


@dataclass
class TrendLine:
    """One milestone: its due date (forecast, else baseline) at each point, None where it was
    not in the plan yet."""

    milestone: Milestone
    dates: list[PlanDate | None] = field(default_factory=list)

    @property
    def has_slipped(self) -> bool:
        known = [d.value for d in self.dates if d is not None]
        return bool(known) and known[-1] > known[0]

    @property
    def slip_days(self) -> int:
        known = [d.value for d in self.dates if d is not None]
        return (known[-1] - known[0]).days if known else 0


@dataclass
class MilestoneTrend:
    labels: list[str]
    moments: list[date]
    lines: list[TrendLine]

    @property
    def has_points(self) -> bool:
        return any(d is not None for line in self.lines for d in line.dates)

    @property
    def slipped(self) -> list[TrendLine]:
        return [line for line in self.lines if line.has_slipped]

    @property
    def summary(self) -> str:
        """The chart in words, for its text alternative."""
        if not self.lines:
            return "No milestones."
        slipped = self.slipped
        if not slipped:
            return f"None of the {len(self.lines)} milestones' forecast dates moved later."
        moved = ", ".join(
            f"{line.milestone.reference} by {line.slip_days} days" for line in slipped
        )
        return f"Forecast dates moved later: {moved}."

    def chart(self, *, width: int = 640, height: int = 320) -> str:
        series = [
            (line.milestone.reference, [d.value if d else None for d in line.dates])
            for line in self.lines
        ]
        return as_data_uri(forecast_trend(self.labels, series, width=width, height=height))


def trend_points(
    periods: Sequence[ReportingPeriod], *, today: date | None = None
) -> tuple[list[str], list[date]]:
    """The x axis: the ends of the last twelve periods that have ended, oldest first, then
    now."""
    now = timezone.localdate()
    today = today or now
    ended = sorted((p for p in periods if p.ends_on < today), key=lambda p: p.month)[-PERIODS:]
    last = "Now" if today >= now else f"{today:%-d %b %Y}"
    return [month_label(p.month) for p in ended] + [last], [p.ends_on for p in ended] + [today]


def milestone_trend(
    milestones: Sequence[Milestone],
    periods: Sequence[ReportingPeriod],
    *,
    today: date | None = None,
) -> MilestoneTrend:
    """Each milestone's due date as recorded at the end of each period that has ended (the
    latest record at or before the end), and now."""
    labels, moments = trend_points(periods, today=today)
    cut_offs = [end_of_day(moment) for moment in moments]
    by_milestone: dict[int, list] = {m.pk: [] for m in milestones}
    if by_milestone:
        records = (
            Milestone.history.filter(id__in=list(by_milestone), history_date__lte=cut_offs[-1])
            .order_by("id", "history_date", "history_id")
            .values_list(
                "id",
                "history_date",
                "history_type",
                "forecast_date",
                "forecast_precision",
                "baseline_date",
                "baseline_precision",
            )
        )
        for record in records:
            by_milestone[record[0]].append(record)
    lines = []
    for milestone in milestones:
        records = by_milestone[milestone.pk]
        dates, index, current = [], 0, None
        for cut_off in cut_offs:
            while index < len(records) and records[index][1] <= cut_off:
                _, _, kind, forecast, forecast_precision, baseline, baseline_precision = records[
                    index
                ]
                if kind == "-":
                    current = None
                elif forecast is not None:
                    current = PlanDate.from_fields(forecast, forecast_precision)
                else:
                    current = PlanDate.from_fields(baseline, baseline_precision)
                index += 1
            dates.append(current)
        lines.append(TrendLine(milestone, dates))
    return MilestoneTrend(labels, moments, lines)


def key_decisions_trend(dashboard) -> MilestoneTrend:
    """The trend of the programme's key decisions not yet complete as at the dashboard's date
    (a `reporting.dashboard.Dashboard`), for the dashboard and the highlight report's annex."""
    rating = dashboard.rating
    decisions = [
        item.milestone
        for item in rating.milestones
        if item.milestone.kind == MilestoneKind.KEY_DECISION and item.result.rag != Rag.COMPLETE
    ]
    return milestone_trend(decisions, dashboard.data.periods, today=dashboard.as_of)
