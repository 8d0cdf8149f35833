"""Everything a programme's dashboard or report shows, read either live or as it stood at a
moment in the past, from the history django-simple-history records (DOMAIN.md section 4:
"frozen as at the period end").

Both ways give model instances, so the rating and the pages do not care which they got. A
fixed number of queries, whatever the programme's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from programmes.choices import PeriodStatus
from programmes.dates import month_start
from programmes.models import Funding, Person, Programme, ProgrammeArea, ReportingPeriod
from programmes.snapshots import Snapshot, end_of_day
from risks.models import BoardMeeting, Decision, Risk
from workstreams.assessment import ProgrammeState
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    ProgressNote,
    StatusUpdate,
    UpdateState,
    Workstream,
)


@dataclass
class ProgrammeData:
    """A programme as it stood on `as_of` (live data when `snapshot` is not historical)."""

    programme: Programme
    as_of: date
    snapshot: Snapshot
    period: ReportingPeriod | None
    previous_period: ReportingPeriod | None
    periods: list[ReportingPeriod]
    rating_state: ProgrammeState
    risks: list[Risk]
    previous_risk_scores: dict[int, int]
    decisions: list[Decision]
    budget_lines: list[BudgetLine]
    funding: list[Funding]
    meetings: list[BoardMeeting]


def _attach_people(person_ids: set[int], *groups: tuple[list, str]) -> None:
    """Set person foreign keys from one query: historical instances cannot be select_related."""
    people = Person.objects.in_bulk(person_ids)
    for rows, field in groups:
        for row in rows:
            setattr(row, field, people.get(getattr(row, f"{field}_id")))


def load_programme_data(
    programme: Programme, *, period: ReportingPeriod | None = None
) -> ProgrammeData:
    """The programme now, or as at the end of a reporting period that has ended."""
    today = timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(programme=programme).order_by("-month"))
    if period is not None and period.ends_on < today:
        as_of = period.ends_on
        snapshot = Snapshot(end_of_day(as_of))
    else:
        as_of = today
        snapshot = Snapshot()
        period = next((p for p in periods if p.month == month_start(today)), None)
    earlier = [p for p in periods if p.month < (period.month if period else month_start(as_of))]
    previous_period = earlier[0] if earlier else None
    rows = snapshot.rows
    if snapshot.is_historical:
        # The programme itself as it stood then: its board rating, tolerances and bands.
        programme = rows(Programme, id=programme.pk).first() or programme

    areas = list(rows(ProgrammeArea, programme_id=programme.pk).order_by("sort_key"))
    workstreams = list(rows(Workstream, programme_id=programme.pk).order_by("sort_key"))
    milestones = list(
        rows(Milestone, workstream__programme_id=programme.pk).order_by("position", "sort_key")
    )
    measures = list(rows(Measure, workstream__programme_id=programme.pk).order_by("sort_key"))
    risks = list(rows(Risk, programme_id=programme.pk).order_by("sort_key"))
    updates = list(
        # Filters on fields that change go after the snapshot, so that it is the latest
        # record of each update that is tested, not the latest record that passes.
        rows(StatusUpdate, workstream__programme_id=programme.pk)
        .filter(state=UpdateState.SUBMITTED, period__month__lte=as_of)
        .order_by("-period__month")
    )
    periods_by_id = {p.pk: p for p in periods}
    for update in updates:
        update.period = periods_by_id[update.period_id]

    person_ids = {
        pk
        for pk in [a.sponsor_id for a in areas]
        + [a.project_manager_id for a in areas]
        + [w.lead_id for w in workstreams]
        + [m.owner_id for m in milestones]
        + [m.owner_id for m in measures]
        + [r.owner_id for r in risks]
        if pk
    }
    _attach_people(
        person_ids,
        (areas, "sponsor"),
        (areas, "project_manager"),
        (workstreams, "lead"),
        (milestones, "owner"),
        (measures, "owner"),
        (risks, "owner"),
    )

    previous_risk_scores = {}
    if previous_period is not None:
        before = Snapshot(end_of_day(previous_period.ends_on))
        previous_risk_scores = {
            risk_id: likelihood * impact
            for risk_id, likelihood, impact in before.rows(
                Risk, programme_id=programme.pk
            ).values_list("id", "current_likelihood", "current_impact")
        }

    rating_state = ProgrammeState(
        programme=programme,
        areas=areas,
        workstreams=workstreams,
        milestones=milestones,
        milestones_with_notes=set(
            rows(ProgressNote, milestone__workstream__programme_id=programme.pk)
            .filter(noted_on__lte=as_of)
            .values_list("milestone_id", flat=True)
        ),
        measures=measures,
        targets=list(rows(MeasureTarget, measure__workstream__programme_id=programme.pk)),
        readings=list(
            rows(MeasureReading, measure__workstream__programme_id=programme.pk)
            .filter(period__lte=as_of)
            .order_by("period")
        ),
        updates=updates,
    )
    return ProgrammeData(
        programme=programme,
        as_of=as_of,
        snapshot=snapshot,
        period=period,
        previous_period=previous_period,
        periods=periods,
        rating_state=rating_state,
        risks=risks,
        previous_risk_scores=previous_risk_scores,
        decisions=list(rows(Decision, programme_id=programme.pk).order_by("needed_by", "sort_key")),
        budget_lines=list(
            rows(BudgetLine, workstream__programme_id=programme.pk).order_by(
                "financial_year", "description"
            )
        ),
        funding=list(rows(Funding, programme_id=programme.pk).order_by("financial_year")),
        meetings=list(BoardMeeting.objects.filter(programme=programme).order_by("held_on")),
    )


def closed_periods(data: ProgrammeData) -> list[ReportingPeriod]:
    """Periods that have ended and can be shown "as at"."""
    today = timezone.localdate()
    return [p for p in data.periods if p.ends_on < today or p.status == PeriodStatus.CLOSED]
