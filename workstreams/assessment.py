"""Rate a whole programme as of a date: every milestone, measure, workstream and area, with
the reasons, in a fixed number of queries whatever the programme's size.

Loading (`load_state`) and rating (`assess`) are separate so that the same rating code runs
on today's data and, later, on the data as it stood at the end of a reporting period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from programmes.choices import Rag
from programmes.dates import month_start
from programmes.models import Programme, ProgrammeArea, ReportingPeriod
from programmes.rules import RagResult, Reason, roll_up
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
class ProgrammeState:
    """Everything needed to rate a programme, as plain loaded rows."""

    programme: Programme
    areas: list[ProgrammeArea]
    workstreams: list[Workstream]
    milestones: list[Milestone]
    milestones_with_notes: set[int]
    measures: list[Measure]
    targets: list[MeasureTarget]
    readings: list[MeasureReading]
    updates: list[StatusUpdate]


def load_state(
    programme: Programme, as_of: date, workstream: Workstream | None = None
) -> ProgrammeState:
    """Today's data for a programme (or one of its workstreams), with readings and updates up
    to `as_of`. Eight queries, whatever the size."""
    scope = {"workstream": workstream} if workstream else {"workstream__programme": programme}
    workstreams = Workstream.objects.filter(programme=programme).select_related("lead")
    if workstream is not None:
        workstreams = workstreams.filter(pk=workstream.pk)
    areas = ProgrammeArea.objects.filter(programme=programme).select_related(
        "sponsor", "project_manager"
    )
    milestones = Milestone.objects.filter(**scope).select_related("owner").order_by("sort_key")
    if workstream is not None:
        areas = areas.filter(pk=workstream.area_id)
        # One workstream's page shows each milestone's dependencies both ways.
        references = Milestone.objects.only("id", "reference", "sort_key")
        milestones = milestones.prefetch_related(
            Prefetch("depends_on", references), Prefetch("dependents", references)
        )
    return ProgrammeState(
        programme=programme,
        areas=list(areas),
        workstreams=list(workstreams.order_by("sort_key")),
        milestones=list(milestones),
        milestones_with_notes=set(
            ProgressNote.objects.filter(
                **{f"milestone__{key}": value for key, value in scope.items()},
                noted_on__lte=as_of,
            ).values_list("milestone_id", flat=True)
        ),
        measures=list(Measure.objects.filter(**scope).select_related("owner").order_by("sort_key")),
        targets=list(
            MeasureTarget.objects.filter(**{f"measure__{k}": v for k, v in scope.items()})
        ),
        readings=list(
            MeasureReading.objects.filter(
                **{f"measure__{k}": v for k, v in scope.items()}, period__lte=as_of
            ).order_by("period")
        ),
        updates=list(
            StatusUpdate.objects.filter(
                **scope, state=UpdateState.SUBMITTED, period__month__lte=as_of
            )
            .select_related("period")
            .order_by("-period__month")
        ),
    )


@dataclass
class MilestoneRating:
    milestone: Milestone
    result: RagResult


@dataclass
class MeasureRating:
    measure: Measure
    result: RagResult
    latest: MeasureReading | None
    target: Decimal | None
    readings: list[MeasureReading]
    targets: list[MeasureTarget] = field(default_factory=list)

    @property
    def upcoming_target(self) -> MeasureTarget | None:
        """When no target applies yet, the next one ahead ("100 by Mar 2027")."""
        if self.target is not None:
            return None
        after = self.latest.period if self.latest else None
        ahead = [
            t
            for t in self.targets
            if t.due_date is not None and (after is None or t.due_date > after)
        ]
        return min(ahead, key=lambda t: t.due_date) if ahead else None


@dataclass
class WorkstreamRating:
    workstream: Workstream
    milestones: list[MilestoneRating]
    measures: list[MeasureRating]
    suggested: RagResult
    latest_update: StatusUpdate | None
    previous_update: StatusUpdate | None

    @property
    def reported(self) -> Rag | None:
        return Rag(self.latest_update.rag) if self.latest_update else None

    @property
    def rating(self) -> RagResult:
        """What the workstream counts as: the lead's report, else the suggestion."""
        if self.latest_update is None:
            return self.suggested
        rag = Rag(self.latest_update.rag)
        period = self.latest_update.period.short_label
        return RagResult(rag, (Reason(f"is reported {rag.label} by its lead for {period}"),))

    @property
    def differs(self) -> bool:
        """The lead's rating and the system's suggestion disagree (show both)."""
        return (
            self.reported is not None
            and self.suggested.rag not in (Rag.NO_DATA, Rag.NOT_STARTED)
            and self.reported != self.suggested.rag
        )


@dataclass
class AreaRating:
    area: ProgrammeArea
    workstreams: list[WorkstreamRating]
    result: RagResult


@dataclass
class ProgrammeRating:
    programme: Programme
    as_of: date
    areas: list[AreaRating]
    result: RagResult
    workstreams: list[WorkstreamRating] = field(default_factory=list)

    def workstream(self, workstream_id: int) -> WorkstreamRating:
        return next(w for w in self.workstreams if w.workstream.pk == workstream_id)


def rate_milestone(milestone, *, as_of: date, tolerance_days: int, has_notes: bool) -> RagResult:
    """The milestone rule fed from a milestone row (live or historical)."""
    baseline, forecast, start = milestone.baseline, milestone.forecast, milestone.start
    return milestone_rag(
        as_of=as_of,
        baseline=baseline.value if baseline else None,
        forecast=forecast.value if forecast else None,
        actual=milestone.actual_date,
        start=start.value if start else None,
        at_risk=milestone.at_risk,
        has_progress=has_notes or milestone.status != MilestoneStatus.NOT_STARTED,
        time_tolerance_days=tolerance_days,
    )


def assess(state: ProgrammeState, as_of: date) -> ProgrammeRating:
    """Rate every item of the programme as of a date (DOMAIN.md section 3)."""
    programme = state.programme
    areas_by_id = {area.pk: area for area in state.areas}
    tolerances = {area.pk: area.tolerances_within(programme) for area in state.areas}

    milestones_by_workstream = defaultdict(list)
    for milestone in state.milestones:
        milestones_by_workstream[milestone.workstream_id].append(milestone)
    targets_by_measure = defaultdict(list)
    target_rows_by_measure = defaultdict(list)
    for target in state.targets:
        targets_by_measure[target.measure_id].append(
            Target(target.value, target.financial_year, target.due_date)
        )
        target_rows_by_measure[target.measure_id].append(target)
    readings_by_measure = defaultdict(list)
    for reading in state.readings:
        readings_by_measure[reading.measure_id].append(reading)
    measures_by_workstream = defaultdict(list)
    for measure in state.measures:
        measures_by_workstream[measure.workstream_id].append(measure)
    updates_by_workstream = defaultdict(list)
    for update in state.updates:  # newest period first
        updates_by_workstream[update.workstream_id].append(update)

    ratings_by_area = defaultdict(list)
    all_ratings = []
    for workstream in state.workstreams:
        tolerance = tolerances[workstream.area_id]
        milestone_ratings = [
            MilestoneRating(
                milestone,
                rate_milestone(
                    milestone,
                    as_of=as_of,
                    tolerance_days=tolerance.time_days,
                    has_notes=milestone.pk in state.milestones_with_notes,
                ),
            )
            for milestone in milestones_by_workstream[workstream.pk]
        ]
        measure_ratings = []
        for measure in measures_by_workstream[workstream.pk]:
            readings = readings_by_measure[measure.pk]
            latest = readings[-1] if readings else None
            target = (
                target_for_month(targets_by_measure[measure.pk], latest.period) if latest else None
            )
            measure_ratings.append(
                MeasureRating(
                    measure,
                    measure_rag(
                        actual=latest.value if latest else None,
                        target=target,
                        direction=measure.direction,
                        tolerance_percent=(
                            measure.tolerance_percent
                            if measure.tolerance_percent is not None
                            else tolerance.benefit_percent
                        ),
                    ),
                    latest,
                    target,
                    readings,
                    target_rows_by_measure[measure.pk],
                )
            )
        updates = updates_by_workstream[workstream.pk]
        rating = WorkstreamRating(
            workstream=workstream,
            milestones=milestone_ratings,
            measures=measure_ratings,
            suggested=workstream_suggested_rag(
                [(m.milestone.reference, m.result) for m in milestone_ratings],
                [(m.measure.reference, m.result) for m in measure_ratings],
            ),
            latest_update=updates[0] if updates else None,
            previous_update=updates[1] if len(updates) > 1 else None,
        )
        ratings_by_area[workstream.area_id].append(rating)
        all_ratings.append(rating)

    area_ratings = [
        AreaRating(
            area,
            ratings_by_area[area.pk],
            roll_up(
                [
                    (f"workstream {w.workstream.reference}", w.rating)
                    for w in ratings_by_area[area.pk]
                ],
                detailed=False,
            ),
        )
        for area in sorted(areas_by_id.values(), key=lambda a: a.sort_key)
    ]
    result = roll_up(
        [(f"workstream {w.workstream.reference}", w.rating) for w in all_ratings], detailed=False
    )
    return ProgrammeRating(programme, as_of, area_ratings, result, all_ratings)


def assess_programme(programme: Programme, as_of: date) -> ProgrammeRating:
    return assess(load_state(programme, as_of), as_of)


def assess_workstream(workstream: Workstream, as_of: date) -> WorkstreamRating:
    state = load_state(workstream.programme, as_of, workstream=workstream)
    return assess(state, as_of).workstreams[0]


def current_period(programme: Programme, as_of: date) -> ReportingPeriod | None:
    """The programme's reporting period for the month of `as_of`, if it has one."""
    return ReportingPeriod.objects.filter(programme=programme, month=month_start(as_of)).first()
