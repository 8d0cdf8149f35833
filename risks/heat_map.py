"""The risk heat map (DOMAIN.md section 6): open risks counted by likelihood and impact, each
cell in the band of its score."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from programmes.choices import Rag
from risks.rules import risk_score


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    count: int
    band: Rag


@dataclass
class HeatMap:
    """Open risks counted by likelihood (rows, 5 at the top) and impact (columns, 1 to 5)."""

    scores: str  # "current" or "inherent"
    rows: list[list[HeatCell]]
    total: int

    @property
    def label(self) -> str:
        return (
            "Current (after mitigation)"
            if self.scores == "current"
            else "Inherent (before mitigation)"
        )


def heat_map(risks: list, programme, scores: str) -> HeatMap:
    """Open risks counted by likelihood and impact, each cell in the programme's band of its
    score (`Programme.risk_band`)."""
    counts = defaultdict(int)
    total = 0
    for risk in risks:
        likelihood = getattr(risk, f"{scores}_likelihood")
        impact = getattr(risk, f"{scores}_impact")
        if likelihood is None or impact is None:
            continue
        counts[(likelihood, impact)] += 1
        total += 1
    rows = [
        [
            HeatCell(
                likelihood,
                impact,
                counts[(likelihood, impact)],
                programme.risk_band(risk_score(likelihood, impact)),
            )
            for impact in range(1, 6)
        ]
        for likelihood in range(5, 0, -1)
    ]
    return HeatMap(scores, rows, total)
