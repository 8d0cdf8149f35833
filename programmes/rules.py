"""RAG results that explain themselves, the roll-up, and tolerances (DOMAIN.md section 3).

Pure functions fed plain values. The item rules live beside their data: milestone, measure
and budget RAG in `workstreams.rules`, risk score and band in `risks.rules`; they all return
the `RagResult` defined here and roll up through `roll_up`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from programmes.choices import Rag

# Worst first: the order in which one rating outranks another when rolling up.
SEVERITY = {
    Rag.RED: 5,
    Rag.AMBER_RED: 4,
    Rag.AMBER: 3,
    Rag.AMBER_GREEN: 2,
    Rag.GREEN: 1,
}
SETTLED = (Rag.COMPLETE, Rag.NOT_STARTED, Rag.NO_DATA)


@dataclass(frozen=True)
class Reason:
    """Why a rating is what it is: a phrase about an item ("is 47 days late"), and which item.

    Rules about one item leave the subject out; the roll-up fills it in ("milestone 3.6.2").
    """

    predicate: str
    subject: str | None = None

    def text(self, default_subject: str = "it") -> str:
        return f"{self.subject or default_subject} {self.predicate}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class RagResult:
    """A rating with the reasons that made it (DOMAIN.md section 3: every RAG explains itself)."""

    rag: Rag
    reasons: tuple[Reason, ...] = ()

    def explanation(self, subject: str = "it", limit: int | None = None) -> str:
        """ "Red because: milestone 3.6.2 is 47 days late; measure NI 141 missed target by 12%".

        With a limit, only the first reasons are listed and the rest counted ("and 4 more").
        """
        if not self.reasons:
            return self.label
        shown = self.reasons if limit is None else self.reasons[:limit]
        text = f"{self.label} because: " + "; ".join(r.text(subject) for r in shown)
        hidden = len(self.reasons) - len(shown)
        if hidden:
            text += f"; and {hidden} more"
        return text

    @property
    def reason_texts(self) -> list[str]:
        return [reason.text() for reason in self.reasons]

    @property
    def label(self) -> str:
        return Rag(self.rag).label


def roll_up(items: Iterable[tuple[str, RagResult]], *, detailed: bool = True) -> RagResult:
    """The worst of the items' ratings, with the reasons of the items that made it so.

    Any Red makes Red, else any Amber/Red, Amber, Amber/Green in turn (DOMAIN.md section 3:
    "worst of"). Items that are Complete, Not started or without data do not worsen a rating:
    all Complete is Complete, all Not started is Not started, a mix of those is Green, and
    nothing to assess is No data. Each item is (label, result), the label naming it
    ("milestone 1.1.3"); `detailed` keeps the items' own reasons, otherwise each contributing
    item is named with its rating ("workstream 1.1 is Red").
    """
    items = list(items)
    rated = [(label, result) for label, result in items if result.rag in SEVERITY]
    if rated:
        worst = max(SEVERITY[result.rag] for _, result in rated)
        worst_rag = next(rag for rag, severity in SEVERITY.items() if severity == worst)
        if worst_rag == Rag.GREEN:
            return RagResult(Rag.GREEN)
        reasons = []
        for label, result in rated:
            if result.rag != worst_rag:
                continue
            if detailed and result.reasons:
                reasons.extend(
                    Reason(reason.predicate, reason.subject or label) for reason in result.reasons
                )
            else:
                reasons.append(Reason(f"is {result.label}", label))
        return RagResult(worst_rag, tuple(reasons))
    settled = {result.rag for _, result in items if result.rag != Rag.NO_DATA}
    if not settled:
        return RagResult(Rag.NO_DATA, (Reason("has nothing to assess yet"),))
    if settled == {Rag.COMPLETE}:
        return RagResult(Rag.COMPLETE)
    if settled == {Rag.NOT_STARTED}:
        return RagResult(Rag.NOT_STARTED)
    return RagResult(Rag.GREEN)


def to_three_point(rag: Rag) -> Rag:
    """Map a five-point delivery confidence rating to Red, Amber or Green for counting."""
    return {Rag.AMBER_RED: Rag.AMBER, Rag.AMBER_GREEN: Rag.AMBER}.get(rag, rag)


def requires_reason(rag: Rag) -> bool:
    """A reported rating other than Green (or Complete) needs a reason (DOMAIN.md section 3)."""
    return rag in (Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN)


@dataclass(frozen=True)
class Tolerances:
    """The PRINCE2 tolerances the system can measure, set per programme and overridable per area.

    Defaults from DOMAIN.md section 3: time 30 days, cost 10%, benefits 5%, risk score 15.
    """

    time_days: int = 30
    cost_percent: Decimal = Decimal(10)
    benefit_percent: Decimal = Decimal(5)
    risk_score: int = 15

    def overridden_by(
        self,
        *,
        time_days: int | None = None,
        cost_percent: Decimal | None = None,
        benefit_percent: Decimal | None = None,
        risk_score: int | None = None,
    ) -> Tolerances:
        """The area's own tolerances where it sets them, the programme's elsewhere."""
        return Tolerances(
            time_days=self.time_days if time_days is None else time_days,
            cost_percent=self.cost_percent if cost_percent is None else cost_percent,
            benefit_percent=self.benefit_percent if benefit_percent is None else benefit_percent,
            risk_score=self.risk_score if risk_score is None else risk_score,
        )


# ----- Risk bands (DOMAIN.md section 3, "Risk score"): thresholds the programme sets -----

DEFAULT_AMBER_FROM = 5
DEFAULT_RED_FROM = 15


def risk_band(
    score: int, *, amber_from: int = DEFAULT_AMBER_FROM, red_from: int = DEFAULT_RED_FROM
) -> Rag:
    """The band of a score: Red from `red_from`, Amber from `amber_from`, Green below.

    Defaults 1-4 Green, 5-12 Amber, 15-25 Red, so 4x3 = 12 is Amber as in the East Sussex
    log; a programme sets its own thresholds to express its appetite.
    """
    validate_bands(amber_from, red_from)
    if score >= red_from:
        return Rag.RED
    if score >= amber_from:
        return Rag.AMBER
    return Rag.GREEN


def validate_bands(amber_from: int, red_from: int) -> None:
    if not 2 <= amber_from < red_from <= 25:
        raise ValueError("Amber must start above 1 and below Red, and Red at 25 or below")
