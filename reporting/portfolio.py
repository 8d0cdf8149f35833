"""The portfolio (DOMAIN.md section 6): every programme a user may see, with its overall RAG
and movement, its workstreams by rating, overdue milestones, Red risks, measures off target
and next board date.

Built for a council's whole portfolio (20 programmes, 20,000 milestones) in a fixed number of
queries: rows are read as plain tuples and rated with the same rules as every other page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce

from programmes.choices import Rag
from programmes.models import Programme, ProgrammeArea
from programmes.rules import RagResult, risk_band, roll_up, to_three_point
from programmes.snapshots import Snapshot
from reporting.dashboard import MOVEMENT_WORDS, rating_movement
from risks.models import BoardMeeting, Risk, RiskStatus
from workstreams.models import (
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    MilestoneStatus,
    ProgressNote,
    StatusUpdate,
    UpdateState,
    Workstream,
)
from workstreams.rules import (
    Target,
    measure_rag,
    milestone_rag,
    target_for_month,
    workstream_suggested_rag,
)


@dataclass
class PortfolioRow:
    programme: Programme
    overall: RagResult
    previous: Rag | None
    movement: str
    workstreams: dict[str, int] = field(default_factory=dict)
    overdue_milestones: int = 0
    red_risks: int = 0
    measures_off_target: int = 0
    next_board: date | None = None

    @property
    def movement_word(self) -> str:
        return MOVEMENT_WORDS[self.movement]

    @property
    def workstream_counts(self) -> list[tuple[Rag, int]]:
        return [
            (rag, self.workstreams.get(rag.value, 0)) for rag in (Rag.RED, Rag.AMBER, Rag.GREEN)
        ]


def build_portfolio(
    programmes: list[Programme], as_of: date, snapshot: Snapshot | None = None
) -> list[PortfolioRow]:
    snapshot = snapshot or Snapshot()
    rows = snapshot.rows
    ids = [p.pk for p in programmes]
    if not ids:
        return []
    by_id = {p.pk: p for p in programmes}

    tolerance_of_area = {
        area_id: (days if days is not None else by_id[programme_id].time_tolerance_days)
        for area_id, programme_id, days in ProgrammeArea.objects.filter(
            programme_id__in=ids
        ).values_list("id", "programme_id", "time_tolerance_days")
    }
    workstreams = list(
        rows(Workstream, programme_id__in=ids).values_list(
            "id", "programme_id", "area_id", "reference"
        )
    )
    tolerance = {ws_id: tolerance_of_area.get(area_id, 30) for ws_id, _, area_id, _ in workstreams}

    reported = defaultdict(list)  # workstream -> [latest rag, previous rag]
    for workstream_id, rag in (
        rows(StatusUpdate, workstream__programme_id__in=ids)
        .filter(state=UpdateState.SUBMITTED, period__month__lte=as_of)
        .order_by("workstream_id", "-period__month")
        .values_list("workstream_id", "rag")
    ):
        if len(reported[workstream_id]) < 2:
            reported[workstream_id].append(Rag(rag))

    # Overdue milestones are counted by the database; milestones are rated one by one only
    # for workstreams whose lead has not reported, whose rating the plan must suggest.
    overdue_by_programme = dict(
        rows(Milestone, workstream__programme_id__in=ids)
        .annotate(due_on=Coalesce("forecast_date", "baseline_date"))
        .filter(due_on__lt=as_of)
        .exclude(actual_date__lte=as_of)
        .values("workstream__programme_id")
        .annotate(count=Count("id"))
        .values_list("workstream__programme_id", "count")
    )
    unreported = [ws_id for ws_id, *_ in workstreams if ws_id not in reported]
    milestone_results = defaultdict(list)
    if unreported:
        noted = set(
            rows(ProgressNote, milestone__workstream_id__in=unreported)
            .filter(noted_on__lte=as_of)
            .values_list("milestone_id", flat=True)
        )
        for (
            milestone_id,
            workstream_id,
            reference,
            baseline,
            forecast,
            actual,
            start,
            at_risk,
            status,
        ) in rows(Milestone, workstream_id__in=unreported).values_list(
            "id",
            "workstream_id",
            "reference",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "start_date",
            "at_risk",
            "status",
        ):
            # Month-precision dates are stored as the month's last day: the deadline.
            milestone_results[workstream_id].append(
                (
                    reference,
                    milestone_rag(
                        as_of=as_of,
                        baseline=baseline,
                        forecast=forecast,
                        actual=actual,
                        start=start,
                        at_risk=at_risk,
                        has_progress=milestone_id in noted or status != MilestoneStatus.NOT_STARTED,
                        time_tolerance_days=tolerance.get(workstream_id, 30),
                    ),
                )
            )

    targets = defaultdict(list)
    for measure_id, year, due, value in rows(
        MeasureTarget, measure__workstream__programme_id__in=ids
    ).values_list("measure_id", "financial_year", "due_date", "value"):
        targets[measure_id].append(Target(value, year, due))
    latest = MeasureReading.objects.filter(measure=OuterRef("pk"), period__lte=as_of).order_by(
        "-period"
    )
    if snapshot.is_historical:
        latest = (
            rows(MeasureReading)
            .filter(measure_id=OuterRef("pk"), period__lte=as_of)
            .order_by("-period")
        )
    measure_results = defaultdict(list)
    off_target = defaultdict(int)
    benefit = {p.pk: p.benefit_tolerance_percent for p in programmes}
    measure_rows = (
        Measure.objects.filter(workstream__programme_id__in=ids)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
        )
        .values_list(
            "id",
            "workstream_id",
            "workstream__programme_id",
            "reference",
            "direction",
            "tolerance_percent",
            "latest_value",
            "latest_period",
        )
    )
    for (
        measure_id,
        workstream_id,
        programme_id,
        reference,
        direction,
        own_tolerance,
        value,
        period,
    ) in measure_rows:
        target = target_for_month(targets[measure_id], period) if period else None
        result = measure_rag(
            actual=Decimal(value) if value is not None else None,
            target=target,
            direction=direction,
            tolerance_percent=own_tolerance if own_tolerance is not None else benefit[programme_id],
        )
        measure_results[workstream_id].append((reference, result))
        if result.rag in (Rag.RED, Rag.AMBER):
            off_target[programme_id] += 1

    red_risks = defaultdict(int)
    for programme_id, likelihood, impact in (
        rows(Risk, programme_id__in=ids)
        .filter(status=RiskStatus.OPEN)
        .values_list("programme_id", "current_likelihood", "current_impact")
    ):
        programme = by_id[programme_id]
        band = risk_band(
            likelihood * impact,
            amber_from=programme.risk_amber_from,
            red_from=programme.risk_red_from,
        )
        if band == Rag.RED:
            red_risks[programme_id] += 1

    next_board = dict(
        BoardMeeting.objects.filter(programme_id__in=ids, held_on__gte=as_of)
        .values("programme_id")
        .annotate(first=Min("held_on"))
        .values_list("programme_id", "first")
    )

    items = defaultdict(list)
    previous_items = defaultdict(list)
    counts = defaultdict(lambda: defaultdict(int))
    for workstream_id, programme_id, _area_id, reference in workstreams:
        ratings = reported.get(workstream_id, [])
        if ratings:
            result = RagResult(ratings[0])
        else:
            result = workstream_suggested_rag(
                milestone_results[workstream_id], measure_results[workstream_id]
            )
        items[programme_id].append((f"workstream {reference}", result))
        if len(ratings) > 1:
            previous_items[programme_id].append((f"workstream {reference}", RagResult(ratings[1])))
        counts[programme_id][to_three_point(result.rag).value] += 1

    portfolio = []
    for programme in programmes:
        overall = roll_up(items[programme.pk], detailed=False)
        previous = (
            roll_up(previous_items[programme.pk], detailed=False).rag
            if previous_items[programme.pk]
            else None
        )
        portfolio.append(
            PortfolioRow(
                programme=programme,
                overall=overall,
                previous=previous,
                movement=rating_movement(previous, overall.rag),
                workstreams=dict(counts[programme.pk]),
                overdue_milestones=overdue_by_programme.get(programme.pk, 0),
                red_risks=red_risks[programme.pk],
                measures_off_target=off_target[programme.pk],
                next_board=next_board.get(programme.pk),
            )
        )
    return portfolio
