"""Rate a whole programme as of a date: every milestone, measure, workstream and area, with
the reasons, in a fixed number of queries whatever the programme's size.

This is the one rating path (see `programmes.rules` for where each rule lives): the
portfolio, the dashboard, the timeline, the reports, the lists, the workstream page, the API
and the demo's and scale data's generators all load a programme's state here
(`load_state`, or `load_states` for many programmes at once), now or as at a moment, and rate
it with `assess`. Loading and rating are separate so that the same rating code runs on
today's data and on the data as it stood at the end of a reporting period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db.models import (
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Cast, RowNumber

from programmes.caching import keep, keep_closed, kept_in_process, known_changes
from programmes.choices import Rag
from programmes.dates import PlanDate, month_start
from programmes.models import Person, Programme, ProgrammeArea, ReportingPeriod
from programmes.rules import (
    RagResult,
    Reason,
    Tolerances,
    dependency_delay_days,
    roll_up,
    with_dependency_warnings,
)
from programmes.snapshots import Snapshot
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
    has_slipped_beyond_tolerance,
    is_complete_by,
    measure_rag,
    milestone_is_overdue,
    milestone_rag,
    target_for_month,
    workstream_suggested_rag,
)

# What a rating reads of a workstream's status updates: its latest and the one before (the
# lead's RAG and its movement); of a measure's readings, a programme's dashboard shows the
# last twelve (its sparkline) and a rating needs the latest.
UPDATES_RATED = 2
RECENT_READINGS = 12


@dataclass
class ProgrammeState:
    """Everything needed to rate a programme, as plain loaded rows: live, or as they stood at
    a moment (then `programme` and `areas` carry the tolerances of that moment)."""

    programme: Programme
    areas: list[ProgrammeArea]
    workstreams: list[Workstream]
    milestones: list[Milestone]
    milestones_with_notes: set[int]
    measures: list[Measure]
    targets: list[MeasureTarget]
    readings: list[MeasureReading]
    updates: list[StatusUpdate]
    # Dependencies as (upstream id, downstream id): "downstream depends on upstream".
    milestone_edges: list[tuple[int, int]] = field(default_factory=list)
    workstream_edges: list[tuple[int, int]] = field(default_factory=list)
    # The other ends of the loaded milestones' dependencies, when not loaded themselves.
    other_milestones: dict[int, Milestone] = field(default_factory=dict)

    def tolerances_for(self, area_id: int | None) -> Tolerances:
        """The tolerances that apply in an area of this state (the programme's without one)."""
        area = next((a for a in self.areas if a.pk == area_id), None)
        return self.programme.tolerances_for(area)


def attach_people(rows_and_fields: Sequence[tuple[list, str]]) -> None:
    """Set person foreign keys from one query, each person one instance however many rows
    name them (historical instances cannot be select_related at all)."""
    ids = {
        getattr(row, f"{name}_id")
        for rows, name in rows_and_fields
        for row in rows
        if getattr(row, f"{name}_id")
    }
    people = Person.objects.in_bulk(ids) if ids else {}
    for rows, name in rows_and_fields:
        for row in rows:
            setattr(row, name, people.get(getattr(row, f"{name}_id")))


def with_dependency_ids(rows: QuerySet, model, historical: bool) -> QuerySet:
    """Each row with the ids of what it depends on ("3,17"), read in the same query: the
    dependencies now, or as they were recorded with the historical row."""
    name = model._meta.model_name
    if historical:
        through = apps.get_model(model._meta.app_label, f"Historical{model.__name__}_depends_on")
        key = {"history_id": OuterRef("history_id")}
    else:
        through = model.depends_on.through
        key = {f"from_{name}_id": OuterRef("pk")}
    ids = (
        through.objects.filter(**key)
        .values(*key)
        .annotate(ids=StringAgg(Cast(f"to_{name}_id", CharField()), Value(",")))
        .values("ids")
    )
    return rows.annotate(depends_on_ids=Subquery(ids))


def dependency_ids(row) -> list[int]:
    """The ids `with_dependency_ids` read for a row (live, or kept on its historical record)."""
    text = getattr(row, "depends_on_ids", None)
    if text is None and hasattr(row, "_history"):
        text = getattr(row._history, "depends_on_ids", None)
    return [int(part) for part in text.split(",")] if text else []


def load_states(
    programmes: Sequence[Programme],
    as_of: date,
    snapshot: Snapshot | None = None,
    *,
    workstream: Workstream | None = None,
    milestones: QuerySet[Milestone] | None = None,
    measures: QuerySet[Measure] | None = None,
    updates: bool = True,
    recent_readings: int | None = None,
) -> dict[int, ProgrammeState]:
    """The rating state of each programme, by id: its data now, or as it stood at the
    snapshot's moment, with readings, notes and status updates up to `as_of`.

    Eight queries for any number of programmes of any size (the people named, once each, in
    one of them); as at a moment, three more (the programmes and progress notes as they
    stood, and the updates' periods).
    With a workstream, only that workstream of its programme, with each milestone's
    dependencies. A list that rates only some items narrows them with its filtered
    `milestones` or `measures` queryset (`.none()` for none, which costs no query), and
    leaves out the `updates` when it shows no workstream's rating. Read now, each
    workstream's latest two submitted updates are read (`UPDATES_RATED`), all that a rating
    uses, and with `recent_readings` only each measure's last N readings (the portfolio, which
    shows no measure's history, reads the latest, all that its rating needs); as at a moment
    every update and reading is read.
    """
    snapshot = snapshot or Snapshot()
    rows = snapshot.rows
    ids = [p.pk for p in programmes]
    by_id = {p.pk: p for p in programmes}
    if snapshot.is_historical:
        # Each programme as it stood then: its tolerances and scale.
        by_id.update({p.pk: p for p in rows(Programme, id__in=ids)})

    if workstream is not None:
        scope = {"workstream_id": workstream.pk}
        workstream_rows = rows(Workstream, id=workstream.pk)
        area_rows = rows(ProgrammeArea, id=workstream.area_id)
    else:
        scope = {"workstream__programme_id__in": ids}
        workstream_rows = rows(Workstream, programme_id__in=ids)
        area_rows = rows(ProgrammeArea, programme_id__in=ids)
    milestone_rows = rows(Milestone, **scope).order_by("position", "sort_key")
    if milestones is not None:
        milestone_rows = milestone_rows.filter(id__in=milestones.values("pk"))
    measure_rows = rows(Measure, **scope).order_by("sort_key")
    of_measures = {f"measure__{key}": value for key, value in scope.items()}
    if measures is not None:
        measure_rows = measure_rows.filter(id__in=measures.values("pk"))
        of_measures["measure_id__in"] = measures.values("pk")
    update_rows = (
        # Filters on fields that change go after the snapshot, so that it is the latest
        # record of each update that is tested, not the latest record that passes.
        rows(StatusUpdate, **scope)
        .filter(state=UpdateState.SUBMITTED, period__month__lte=as_of)
        .order_by("-period__month")
    )
    if not snapshot.is_historical:
        milestone_rows = milestone_rows.annotate(
            has_notes=Exists(
                ProgressNote.objects.filter(milestone=OuterRef("pk"), noted_on__lte=as_of)
            )
        )
        update_rows = (
            update_rows.select_related("period")
            .annotate(newness=_newest_first("workstream_id", "period__month"))
            .filter(newness__lte=UPDATES_RATED)
        )
        if workstream is not None:
            # One workstream's page shows each milestone's dependencies both ways; with their
            # dates, so that the dependency warnings are found as for the whole programme.
            references = Milestone.objects.only(*DEPENDENCY_FIELDS)
            milestone_rows = milestone_rows.prefetch_related(
                Prefetch("depends_on", references), Prefetch("dependents", references)
            )
    if workstream is None:
        historical = snapshot.is_historical
        milestone_rows = with_dependency_ids(milestone_rows, Milestone, historical)
        workstream_rows = with_dependency_ids(workstream_rows, Workstream, historical)

    states = {
        pk: ProgrammeState(by_id[pk], [], [], [], set(), [], [], [], [])
        for pk in (ids if workstream is None else [workstream.programme_id])
    }
    areas = {}
    for area in area_rows.order_by("sort_key"):
        areas[area.pk] = area
        states[area.programme_id].areas.append(area)
    loaded = {}  # workstream id -> workstream, its programme's state
    for row in workstream_rows.order_by("sort_key"):
        state = states[row.programme_id]
        # The pages name each item's workstream, area and programme: from what is loaded.
        row.programme = state.programme
        if row.area_id in areas:
            row.area = areas[row.area_id]
        loaded[row.pk] = (row, state)
        state.workstreams.append(row)
        if workstream is None:
            state.workstream_edges.extend((upstream, row.pk) for upstream in dependency_ids(row))

    milestone_list = []
    for milestone in milestone_rows:
        if milestone.workstream_id in loaded:
            owner, state = loaded[milestone.workstream_id]
            milestone.workstream = owner
            state.milestones.append(milestone)
            milestone_list.append(milestone)
            if workstream is None:
                state.milestone_edges.extend(
                    (upstream, milestone.pk) for upstream in dependency_ids(milestone)
                )
            elif not snapshot.is_historical:
                for upstream in milestone.depends_on.all():
                    state.milestone_edges.append((upstream.pk, milestone.pk))
                    state.other_milestones.setdefault(upstream.pk, upstream)
                for downstream in milestone.dependents.all():
                    state.milestone_edges.append((milestone.pk, downstream.pk))
                    state.other_milestones.setdefault(downstream.pk, downstream)
    if snapshot.is_historical and milestone_list:
        noted = set(
            rows(ProgressNote, **{f"milestone__{key}": value for key, value in scope.items()})
            .filter(noted_on__lte=as_of)
            .values_list("milestone_id", flat=True)
        )
    else:
        noted = {milestone.pk for milestone in milestone_list if milestone.has_notes}
    for milestone in milestone_list:
        if milestone.pk in noted:
            loaded[milestone.workstream_id][1].milestones_with_notes.add(milestone.pk)

    state_of_measure = {}
    measure_list = []
    for measure in measure_rows:
        if measure.workstream_id in loaded:
            owner, state = loaded[measure.workstream_id]
            measure.workstream = owner
            state.measures.append(measure)
            state_of_measure[measure.pk] = state
            measure_list.append(measure)
    if state_of_measure:
        for target in rows(MeasureTarget, **of_measures):
            if target.measure_id in state_of_measure:
                state_of_measure[target.measure_id].targets.append(target)
        reading_rows = rows(MeasureReading, **of_measures).filter(period__lte=as_of)
        if recent_readings is not None and not snapshot.is_historical:
            reading_rows = reading_rows.annotate(
                newness=_newest_first("measure_id", "period")
            ).filter(newness__lte=recent_readings)
        for reading in reading_rows.order_by("period"):
            if reading.measure_id in state_of_measure:
                state_of_measure[reading.measure_id].readings.append(reading)

    update_list = []
    if updates:
        for update in update_rows:
            if update.workstream_id in loaded:
                owner, state = loaded[update.workstream_id]
                update.workstream = owner
                state.updates.append(update)
                update_list.append(update)

    # The people named (a programme's thousand milestones have a few dozen owners), each
    # read once and shared, not once a row with `select_related`.
    attach_people(
        [
            (list(areas.values()), "sponsor"),
            (list(areas.values()), "project_manager"),
            ([row for row, _ in loaded.values()], "lead"),
            (milestone_list, "owner"),
            (measure_list, "owner"),
        ]
    )
    if snapshot.is_historical:
        periods = ReportingPeriod.objects.in_bulk({u.period_id for u in update_list})
        for update in update_list:
            update.period = periods[update.period_id]
    return states


def _newest_first(partition: str, newest: str) -> Window:
    """Each row's rank, 1 for the newest, among the rows of its `partition` (a workstream's
    updates, a measure's readings), to filter on: the last N of each in one query."""
    return Window(
        RowNumber(), partition_by=[F(partition)], order_by=[F(newest).desc(), F("pk").desc()]
    )


def load_state(
    programme: Programme,
    as_of: date,
    workstream: Workstream | None = None,
    snapshot: Snapshot | None = None,
    **narrowing,
) -> ProgrammeState:
    """One programme's rating state (or one of its workstreams'): see `load_states`."""
    return load_states([programme], as_of, snapshot, workstream=workstream, **narrowing)[
        programme.pk
    ]


def days_words(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"


@dataclass(frozen=True)
class DependencyThreat:
    """A milestone whose forecast falls after the due date of a milestone or workstream that
    depends on it (`programmes.rules.dependency_delay_days`). A workstream is due when its
    last milestone is; it is threatened by the latest forecast among the open milestones of a
    workstream it depends on. Both ends are flagged, in these words."""

    upstream: Milestone
    downstream: Milestone | Workstream
    upstream_forecast: PlanDate
    downstream_due: PlanDate
    days: int

    @property
    def is_workstream(self) -> bool:
        """The downstream item is a workstream (a workstream-to-workstream dependency)."""
        return isinstance(self.downstream, Workstream)

    @property
    def downstream_words(self) -> str:
        """What the downstream item shows: "at risk from 3.2.1, forecast Dec 2026, 34 days
        after this is due"."""
        return (
            f"at risk from {self.upstream.reference}, forecast {self.upstream_forecast}, "
            f"{days_words(self.days)} after this is due"
        )

    @property
    def upstream_words(self) -> str:
        """What the upstream milestone shows: "3.4.2 depends on this and is due 3 Nov 2026"."""
        return f"{self.downstream.reference} depends on this and is due {self.downstream_due}"

    @property
    def downstream_reason(self) -> str:
        """The downstream milestone's reason, as its rating reads: "is at risk from ..."."""
        return f"is {self.downstream_words}"

    @property
    def upstream_reason(self) -> str:
        """The upstream milestone's reason: "is forecast after 3.4.2, which depends on it and
        is due 3 Nov 2026"."""
        return (
            f"is forecast after {self.downstream.reference}, which depends on it and is due "
            f"{self.downstream_due}"
        )

    @property
    def downstream_owner(self) -> Person | None:
        """Who sees it on My work: the downstream milestone's owner, or workstream's lead."""
        if self.is_workstream:
            return self.downstream.lead
        return self.downstream.owner


# What a milestone's dependencies are read with, to find their warnings (`milestone_threat`).
DEPENDENCY_FIELDS = (
    "id",
    "reference",
    "title",
    "sort_key",
    "workstream_id",
    "owner_id",
    "baseline_date",
    "baseline_precision",
    "forecast_date",
    "forecast_precision",
    "actual_date",
)


def milestone_threat(
    upstream: Milestone, downstream: Milestone, as_of: date
) -> DependencyThreat | None:
    """The warning when `downstream` depends on `upstream` and upstream's forecast falls after
    downstream's due date (its forecast, else its baseline), both open as of the date."""
    if not upstream.forecast or not downstream.due:
        return None
    days = dependency_delay_days(
        upstream.forecast.value,
        upstream_done=is_complete_by(upstream.actual_date, as_of),
        downstream_due=downstream.due.value,
        downstream_done=is_complete_by(downstream.actual_date, as_of),
    )
    if days is None:
        return None
    return DependencyThreat(upstream, downstream, upstream.forecast, downstream.due, days)


def rate_milestone_with_dependencies(
    milestone, *, as_of: date, tolerance_days: int, has_notes: bool
) -> RagResult:
    """A milestone rated alone (the API) as `assess` rates it in its programme: its own rule,
    then the warnings of its dependencies both ways, read from its prefetched `depends_on`
    and `dependents` (`Prefetch(..., Milestone.objects.only(*DEPENDENCY_FIELDS))`)."""
    threats_to = [milestone_threat(up, milestone, as_of) for up in milestone.depends_on.all()]
    threats_from = [milestone_threat(milestone, down, as_of) for down in milestone.dependents.all()]
    return with_dependency_warnings(
        rate_milestone(milestone, as_of=as_of, tolerance_days=tolerance_days, has_notes=has_notes),
        [t.downstream_reason for t in threats_to if t]
        + [t.upstream_reason for t in threats_from if t],
    )


def find_dependency_threats(state: ProgrammeState, as_of: date) -> list[DependencyThreat]:
    """Every dependency of the state whose upstream date threatens the downstream due date,
    between milestones and between workstreams (issue 15), in the order of the downstream
    items; only dependencies with both ends loaded."""
    milestones = {**state.other_milestones, **{m.pk: m for m in state.milestones}}
    threats: list[DependencyThreat] = []
    for upstream_id, downstream_id in sorted(set(state.milestone_edges)):
        upstream, downstream = milestones.get(upstream_id), milestones.get(downstream_id)
        if upstream is not None and downstream is not None:
            threat = milestone_threat(upstream, downstream, as_of)
            if threat is not None:
                threats.append(threat)

    by_workstream = defaultdict(list)
    for milestone in state.milestones:
        if milestone.due is not None:
            by_workstream[milestone.workstream_id].append(milestone)
    workstreams = {w.pk: w for w in state.workstreams}
    for upstream_id, downstream_id in sorted(set(state.workstream_edges)):
        downstream = workstreams.get(downstream_id)
        if downstream is None or upstream_id not in workstreams:
            continue
        downstream_open = [
            m for m in by_workstream[downstream_id] if not is_complete_by(m.actual_date, as_of)
        ]
        upstream_open = [
            m
            for m in by_workstream[upstream_id]
            if m.forecast and not is_complete_by(m.actual_date, as_of)
        ]
        if not downstream_open or not upstream_open or downstream.closed_on:
            continue
        downstream_due = max((m.due for m in by_workstream[downstream_id]), key=lambda d: d.value)
        upstream = max(upstream_open, key=lambda m: m.forecast.value)
        days = dependency_delay_days(
            upstream.forecast.value,
            upstream_done=False,
            downstream_due=downstream_due.value,
            downstream_done=False,
        )
        if days is not None:
            threats.append(
                DependencyThreat(upstream, downstream, upstream.forecast, downstream_due, days)
            )
    return threats


@dataclass
class MilestoneRating:
    """A milestone's RAG, and whether it breaches: overdue, or slipped beyond the time
    tolerance of its area (DOMAIN.md sections 3 and 5)."""

    milestone: Milestone
    result: RagResult
    is_overdue: bool = False
    has_slipped: bool = False
    threatened_by: list[DependencyThreat] = field(default_factory=list)
    threatens: list[DependencyThreat] = field(default_factory=list)

    @property
    def is_breach(self) -> bool:
        return self.is_overdue or self.has_slipped


@dataclass
class MeasureRating:
    measure: Measure
    result: RagResult
    latest: MeasureReading | None
    target: Decimal | None
    readings: list[MeasureReading]
    targets: list[MeasureTarget] = field(default_factory=list)
    tolerances: Tolerances = field(default_factory=Tolerances)

    @property
    def tolerance_percent(self) -> Decimal:
        """How far it may miss its target, as a percentage of the target."""
        return self.tolerances.measure_percent(self.measure.tolerance_percent)

    @property
    def tolerance_set_by(self) -> str:
        """Whose that tolerance is: "" (its own), "the area's" or "the programme's"."""
        return self.tolerances.measure_percent_set_by(self.measure.tolerance_percent)

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
    tolerances: Tolerances = field(default_factory=Tolerances)
    # Workstream-to-workstream dependency warnings (flagged; its milestones' warnings rate).
    threatened_by: list[DependencyThreat] = field(default_factory=list)
    threatens: list[DependencyThreat] = field(default_factory=list)

    @property
    def previous(self) -> Rag | None:
        """What the lead reported the period before the latest report, if anything."""
        return Rag(self.previous_update.rag) if self.previous_update else None

    @property
    def reported(self) -> Rag | None:
        return Rag(self.latest_update.rag) if self.latest_update else None

    @property
    def rating(self) -> RagResult:
        """What the workstream counts as (DOMAIN.md section 3, "Workstream RAG"): the lead's
        latest report, else the rating the system suggests."""
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
    dependency_threats: list[DependencyThreat] = field(default_factory=list)

    def workstream(self, workstream_id: int) -> WorkstreamRating:
        return next(w for w in self.workstreams if w.workstream.pk == workstream_id)

    @property
    def previous_result(self) -> RagResult | None:
        """The overall rating from the reports before the latest (the leads' previous
        reports rolled up), for the movement since; None if there were none."""
        items = [
            (f"workstream {w.workstream.reference}", RagResult(w.previous))
            for w in self.workstreams
            if w.previous is not None
        ]
        return roll_up(items, detailed=False) if items else None

    @property
    def milestones(self) -> list[MilestoneRating]:
        return [item for workstream in self.workstreams for item in workstream.milestones]

    @property
    def measures(self) -> list[MeasureRating]:
        return [item for workstream in self.workstreams for item in workstream.measures]


def rate_milestone(milestone, *, as_of: date, tolerance_days: int, has_notes: bool) -> RagResult:
    """The milestone rule (`workstreams.rules.milestone_rag`) fed from a milestone row (live
    or historical), with the time tolerance of its area (`Programme.tolerances_for`)."""
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


def rate_measure(
    measure, *, tolerances: Tolerances, actual: Decimal | None, target: Decimal | None
) -> RagResult:
    """The measure rule (`workstreams.rules.measure_rag`) fed from a measure row and its
    latest reading, with the measure's own tolerance, else its area's, else the programme's
    (`Tolerances.measure_percent`)."""
    return measure_rag(
        actual=actual,
        target=target,
        direction=measure.direction,
        tolerance_percent=tolerances.measure_percent(measure.tolerance_percent),
    )


def assess(state: ProgrammeState, as_of: date) -> ProgrammeRating:
    """Rate every item of the programme as of a date (DOMAIN.md section 3): milestones and
    measures by the tolerances of their area, each workstream as its lead reported (else as
    suggested), each area and the programme as the worst of their workstreams.

    Dependencies that warn (issue 15): a milestone whose date falls after the due date of a
    milestone that depends on it makes both at least Amber, with the warning as a reason
    (`with_dependency_warnings`: a dependency alone never makes Red), so the workstreams'
    suggestions explain it. A workstream-to-workstream warning is flagged on both workstreams
    (`WorkstreamRating.threatened_by`, `threatens`) but rates nothing: a workstream's rating
    is its lead's, or its milestones' and measures'.
    """
    programme = state.programme
    areas_by_id = {area.pk: area for area in state.areas}
    tolerances = {area.pk: programme.tolerances_for(area) for area in state.areas}

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

    threats = find_dependency_threats(state, as_of)
    threatened_by = defaultdict(list)  # (is workstream, id) -> threats
    threatens = defaultdict(list)
    for threat in threats:
        threatened_by[(threat.is_workstream, threat.downstream.pk)].append(threat)
        upstream_key = threat.upstream.workstream_id if threat.is_workstream else threat.upstream.pk
        threatens[(threat.is_workstream, upstream_key)].append(threat)

    ratings_by_area = defaultdict(list)
    all_ratings = []
    for workstream in state.workstreams:
        tolerance = tolerances.get(workstream.area_id) or programme.tolerances
        milestone_ratings = []
        for milestone in milestones_by_workstream[workstream.pk]:
            baseline, forecast = milestone.baseline, milestone.forecast
            downstream_of = threatened_by[(False, milestone.pk)]
            upstream_of = threatens[(False, milestone.pk)]
            milestone_ratings.append(
                MilestoneRating(
                    milestone,
                    with_dependency_warnings(
                        rate_milestone(
                            milestone,
                            as_of=as_of,
                            tolerance_days=tolerance.time_days,
                            has_notes=milestone.pk in state.milestones_with_notes,
                        ),
                        [t.downstream_reason for t in downstream_of]
                        + [t.upstream_reason for t in upstream_of],
                    ),
                    is_overdue=milestone_is_overdue(
                        milestone.due.value if milestone.due else None,
                        milestone.actual_date,
                        as_of,
                    ),
                    has_slipped=has_slipped_beyond_tolerance(
                        baseline.value if baseline else None,
                        forecast.value if forecast else None,
                        milestone.actual_date,
                        as_of,
                        tolerance.time_days,
                    ),
                    threatened_by=downstream_of,
                    threatens=upstream_of,
                )
            )
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
                    rate_measure(
                        measure,
                        tolerances=tolerance,
                        actual=latest.value if latest else None,
                        target=target,
                    ),
                    latest,
                    target,
                    readings,
                    target_rows_by_measure[measure.pk],
                    tolerance,
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
            tolerances=tolerance,
            threatened_by=threatened_by[(True, workstream.pk)],
            threatens=threatens[(True, workstream.pk)],
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
        for area in sorted(areas_by_id.values(), key=lambda a: (a.position, a.sort_key))
    ]
    result = roll_up(
        [(f"workstream {w.workstream.reference}", w.rating) for w in all_ratings], detailed=False
    )
    return ProgrammeRating(programme, as_of, area_ratings, result, all_ratings, threats)


def assess_programme(
    programme: Programme, as_of: date, snapshot: Snapshot | None = None
) -> ProgrammeRating:
    """A programme rated as of a date, from its data now or as at the snapshot's moment."""
    return assess(load_state(programme, as_of, snapshot=snapshot), as_of)


def assessed(
    programme: Programme,
    as_of: date,
    snapshot: Snapshot | None = None,
    *,
    plan_only: bool = False,
) -> tuple[ProgrammeState, ProgrammeRating]:
    """The programme's rating state and its assessment (`load_state` and `assess`), computed
    once per change of the programme (issue 17): kept in the shared cache under the
    programme's change counter and the date (`programmes.caching.keep`; read with the
    programme by `with_changes`, else one query), or, as at the end of a period, under that
    moment, which no change reaches (`keep_closed`). `plan_only`: without measures, readings
    and status updates (the timeline: a milestone's rating needs none of them).

    What comes back is shared (read it, do not change it); the live state is handed the
    caller's own programme, so that nothing another request attached to its copy is seen."""
    snapshot = snapshot or Snapshot()

    def compute():
        narrowing = (
            {"measures": Measure.objects.none(), "updates": False}
            if plan_only
            else {"recent_readings": RECENT_READINGS}
        )
        state = load_state(programme, as_of, snapshot=snapshot, **narrowing)
        return state, assess(state, as_of)

    # The plan's assessment rates every milestone as the whole one does: where the whole one
    # is kept already, it does (the timeline after the dashboard, after a change).
    name = _kept_as(snapshot, plan_only=plan_only)
    fuller = [_kept_as(snapshot)] if plan_only else []
    if snapshot.is_historical:
        return keep_closed(name, programme.pk, as_of, compute, fuller=fuller)
    state, rating = keep(
        name, programme.pk, as_of, compute, changes=known_changes(programme), fuller=fuller
    )
    if state.programme is not programme:
        state.programme = rating.programme = programme
        for workstream in state.workstreams:
            workstream.programme = programme
    return state, rating


def _kept_as(snapshot: Snapshot, *, plan_only: bool = False) -> str:
    name = "plan-assessment" if plan_only else "assessment"
    return f"{name}-at-{snapshot.at.isoformat()}" if snapshot.is_historical else name


def kept_assessment(
    programme: Programme, as_of: date, snapshot: Snapshot | None = None
) -> ProgrammeRating | None:
    """The programme's whole assessment (`assessed`) if this process keeps it already, else
    None: nothing is loaded or rated, and nothing read (the portfolio's line of a programme
    just looked at). Now, only for a programme read with its counter (`with_changes`)."""
    snapshot = snapshot or Snapshot()
    changes = None if snapshot.is_historical else getattr(programme, "changes", None)
    if changes is None and not snapshot.is_historical:
        return None
    kept = kept_in_process(_kept_as(snapshot), programme.pk, as_of, changes)
    return kept[1] if kept is not None else None


def assess_programmes(
    programmes: Sequence[Programme], as_of: date, snapshot: Snapshot | None = None, **narrowing
) -> list[ProgrammeRating]:
    """Many programmes rated as of a date, loaded together in a fixed number of queries (the
    portfolio), in the order given."""
    states = load_states(programmes, as_of, snapshot, **narrowing)
    return [assess(states[programme.pk], as_of) for programme in programmes]


def assess_workstream_from(
    workstream: Workstream,
    *,
    programme: Programme,
    as_of: date,
    milestones: Sequence[Milestone] = (),
    milestones_with_notes: set[int] | frozenset[int] = frozenset(),
    measures: Sequence[Measure] = (),
    targets: Sequence[MeasureTarget] = (),
    readings: Sequence[MeasureReading] = (),
) -> WorkstreamRating:
    """One workstream rated by `assess` from rows the caller holds rather than loads: the
    demo's and the scale data's simulated history rate the plan as it stood at a moment
    (milestones as they were then, the readings known by then, oldest first)."""
    state = ProgrammeState(
        programme=programme,
        areas=[workstream.area],
        workstreams=[workstream],
        milestones=list(milestones),
        milestones_with_notes=set(milestones_with_notes),
        measures=list(measures),
        targets=list(targets),
        readings=list(readings),
        updates=[],
    )
    return assess(state, as_of).workstreams[0]


def assess_workstream(workstream: Workstream, as_of: date) -> WorkstreamRating:
    """One workstream rated as of a date, as its programme's rating would rate it."""
    state = load_state(workstream.programme, as_of, workstream=workstream)
    return assess(state, as_of).workstreams[0]


def current_period(programme: Programme, as_of: date) -> ReportingPeriod | None:
    """The programme's reporting period for the month of `as_of`, if it has one."""
    return ReportingPeriod.objects.filter(programme=programme, month=month_start(as_of)).first()
