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

from programmes.choices import Rag
from programmes.models import Programme
from programmes.rules import RagResult, to_three_point
from programmes.snapshots import Snapshot
from reporting.dashboard import MOVEMENT_WORDS, rating_movement
from risks.models import BoardMeeting, Risk, RiskStatus
from workstreams.assessment import assess_programmes


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
    """A row for each programme, rated as at `as_of` (from the snapshot's moment if given)."""
    snapshot = snapshot or Snapshot()
    ids = [p.pk for p in programmes]
    if not ids:
        return []
    ratings = assess_programmes(programmes, as_of, snapshot, latest_readings_only=True)
    # The programmes as they stood then: the thresholds of their risk bands.
    rated = {rating.programme.pk: rating.programme for rating in ratings}

    red_risks = defaultdict(int)
    for programme_id, likelihood, impact in (
        snapshot.rows(Risk, programme_id__in=ids)
        .filter(status=RiskStatus.OPEN)
        .values_list("programme_id", "current_likelihood", "current_impact")
    ):
        if rated[programme_id].risk_band(likelihood * impact) == Rag.RED:
            red_risks[programme_id] += 1

    next_board = dict(
        BoardMeeting.objects.filter(programme_id__in=ids, held_on__gte=as_of)
        .values("programme_id")
        .annotate(first=Min("held_on"))
        .values_list("programme_id", "first")
    )

    portfolio = []
    for programme, rating in zip(programmes, ratings, strict=True):
        counts = defaultdict(int)
        for workstream in rating.workstreams:
            counts[to_three_point(workstream.rating.rag).value] += 1
        previous = rating.previous_result
        portfolio.append(
            PortfolioRow(
                programme=programme,
                overall=rating.result,
                previous=previous.rag if previous else None,
                movement=rating_movement(previous.rag if previous else None, rating.result.rag),
                workstreams=dict(counts),
                overdue_milestones=sum(item.is_overdue for item in rating.milestones),
                red_risks=red_risks[programme.pk],
                measures_off_target=sum(
                    item.result.rag in (Rag.RED, Rag.AMBER) for item in rating.measures
                ),
                next_board=next_board.get(programme.pk),
            )
        )
    return portfolio
