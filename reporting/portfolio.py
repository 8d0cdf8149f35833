"""The portfolio (DOMAIN.md section 6): every programme a user may see, with its overall RAG
and movement, its workstreams by rating, overdue milestones, Red risks, measures off target
and next board date.

Each programme is rated by the one assessment every other page uses
(`workstreams.assessment`), from states loaded together in a fixed number of queries for a
council's whole portfolio, so that a programme is rated here as on its dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Min

from programmes.caching import keep_many
from programmes.choices import Rag
from programmes.models import Programme
from programmes.rules import RagResult, to_three_point
from programmes.snapshots import Snapshot
from reporting.dashboard import MOVEMENT_WORDS, rating_movement
from risks.models import BoardMeeting, Risk, RiskStatus
from workstreams.assessment import assess_programmes, kept_assessment


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


@dataclass
class Rated:
    """What the portfolio shows of a programme's assessment: small, so that it is kept in the
    cache for each programme until the programme changes (issue 17), rather than every
    programme's thousands of milestones being loaded and rated on every request."""

    programme: Programme  # as it stood (its risk bands)
    overall: RagResult
    previous: Rag | None
    workstreams: dict[str, int]
    overdue_milestones: int
    measures_off_target: int


def _rate(programmes: list[Programme], as_of: date, snapshot: Snapshot) -> dict[int, Rated]:
    """The lines of programmes not kept: from the whole assessment where this process keeps
    it (a programme just looked at), the others loaded and rated together."""
    ratings = []
    for programme in programmes:
        kept = kept_assessment(programme, as_of, snapshot)
        if kept is not None:
            ratings.append(kept)
    found = {rating.programme.pk for rating in ratings}
    rest = [programme for programme in programmes if programme.pk not in found]
    if rest:
        ratings += assess_programmes(rest, as_of, snapshot, recent_readings=1)
    rated = {}
    for rating in ratings:
        counts = defaultdict(int)
        for workstream in rating.workstreams:
            counts[to_three_point(workstream.rating.rag).value] += 1
        previous = rating.previous_result
        rated[rating.programme.pk] = Rated(
            programme=rating.programme,
            overall=rating.result,
            previous=previous.rag if previous else None,
            workstreams=dict(counts),
            overdue_milestones=sum(item.is_overdue for item in rating.milestones),
            measures_off_target=sum(
                item.result.rag in (Rag.RED, Rag.AMBER) for item in rating.measures
            ),
        )
    return rated


def build_portfolio(
    programmes: list[Programme], as_of: date, snapshot: Snapshot | None = None
) -> list[PortfolioRow]:
    """A row for each programme, rated as at `as_of` (from the snapshot's moment if given):
    each programme's assessment kept in the cache until it changes (as at a month that has
    ended, for good), and only those not kept are loaded and rated, together."""
    snapshot = snapshot or Snapshot()
    ids = [p.pk for p in programmes]
    if not ids:
        return []
    by_id = {p.pk: p for p in programmes}
    name = f"portfolio-at-{snapshot.at.isoformat()}" if snapshot.is_historical else "portfolio"
    summaries = keep_many(
        name,
        ids,
        as_of,
        lambda missing: _rate([by_id[pk] for pk in missing], as_of, snapshot),
        closed=snapshot.is_historical,
        # Read with the programmes where the page did (`programmes.caching.with_changes`).
        known={p.pk: getattr(p, "changes", None) for p in programmes},
    )

    red_risks = defaultdict(int)
    for programme_id, likelihood, impact in (
        snapshot.rows(Risk, programme_id__in=ids)
        .filter(status=RiskStatus.OPEN)
        .values_list("programme_id", "current_likelihood", "current_impact")
    ):
        # The programmes as they stood then: the thresholds of their risk bands.
        if summaries[programme_id].programme.risk_band(likelihood * impact) == Rag.RED:
            red_risks[programme_id] += 1

    next_board = dict(
        BoardMeeting.objects.filter(programme_id__in=ids, held_on__gte=as_of)
        .values("programme_id")
        .annotate(first=Min("held_on"))
        .values_list("programme_id", "first")
    )

    portfolio = []
    for programme in programmes:
        rated = summaries[programme.pk]
        portfolio.append(
            PortfolioRow(
                programme=programme,
                overall=rated.overall,
                previous=rated.previous,
                movement=rating_movement(rated.previous, rated.overall.rag),
                workstreams=rated.workstreams,
                overdue_milestones=rated.overdue_milestones,
                red_risks=red_risks[programme.pk],
                measures_off_target=rated.measures_off_target,
                next_board=next_board.get(programme.pk),
            )
        )
    return portfolio
