"""Everything a programme's dashboard or report shows, read either live or as it stood at a
moment in the past, from the history django-simple-history records (DOMAIN.md section 4:
"frozen as at the period end").

What is rated (the plan, readings, updates) is loaded by the one loader of a programme's
rating state, `workstreams.assessment.load_state`; this module adds what the pages show
beside it (risks, decisions, budget, funding, meetings). Both ways give model instances, so
the rating and the pages do not care which they got. A fixed number of queries, whatever the
programme's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from programmes.as_at import as_at_period
from programmes.choices import PeriodStatus
from programmes.dates import month_start
from programmes.models import Funding, Programme, ReportingPeriod
from programmes.snapshots import Snapshot, end_of_day
from risks.models import BoardMeeting, Decision, Risk
from workstreams.assessment import ProgrammeRating, ProgrammeState, assessed, attach_people
from workstreams.models import BudgetLine


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
    # The assessment of `rating_state` as of `as_of` (`workstreams.assessment.assessed`).
    rating: ProgrammeRating | None = None


def moment_of(
    programme: Programme, period: ReportingPeriod | None
) -> tuple[date, Snapshot, ReportingPeriod | None, list[ReportingPeriod]]:
    """When a page reads the programme: as at the end of a reporting period that has ended,
    else today (in this month's period). Gives the date, the snapshot to read it with, the
    period shown and all the programme's periods, latest first."""
    today = timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(programme=programme).order_by("-month"))
    # The one rule of which periods show as at (programmes.as_at): those that have ended.
    as_at = as_at_period(period, today)
    if as_at.is_historical:
        return as_at.as_of, as_at.snapshot, period, periods
    current = next((p for p in periods if p.month == month_start(today)), None)
    return today, Snapshot(), current, periods


def load_programme_data(
    programme: Programme, *, period: ReportingPeriod | None = None
) -> ProgrammeData:
    """The programme now, or as at the end of a reporting period that has ended."""
    as_of, snapshot, period, periods = moment_of(programme, period)
    earlier = [p for p in periods if p.month < (period.month if period else month_start(as_of))]
    previous_period = earlier[0] if earlier else None
    rows = snapshot.rows

    # Loaded and rated once per change of the programme (kept in the cache, issue 17).
    rating_state, rating = assessed(programme, as_of, snapshot)
    # The programme itself as it stood then: its board rating, tolerances and bands.
    programme = rating_state.programme
    risks = rows(Risk, programme_id=programme.pk).order_by("sort_key")
    if snapshot.is_historical:
        risks = list(risks)
        attach_people([(risks, "owner")])
    else:
        risks = list(risks.select_related("owner"))

    previous_risk_scores = {}
    if previous_period is not None:
        before = Snapshot(end_of_day(previous_period.ends_on))
        previous_risk_scores = {
            risk_id: likelihood * impact
            for risk_id, likelihood, impact in before.rows(
                Risk, programme_id=programme.pk
            ).values_list("id", "current_likelihood", "current_impact")
        }

    return ProgrammeData(
        programme=programme,
        as_of=as_of,
        snapshot=snapshot,
        period=period,
        previous_period=previous_period,
        periods=periods,
        rating_state=rating_state,
        rating=rating,
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
