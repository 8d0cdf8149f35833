"""A programme's benefits, read and rated (issue 16, part 1; DOMAIN.md section 7, "Benefits").

For other code: `benefits_of(programme)` gives one `BenefitRow` per benefit, in reference
order, each with its reference, title, type, planned and realised amounts by financial year
(`planned_by_year`, `realised_by_year`: {2026: Decimal, ...}, the year a financial year starts
in), its rating with the reasons (`result`, from `workstreams.rules.benefit_rag` with the
programme's benefits tolerance) and the amounts to date. Two queries, whatever the number of
benefits. `benefits_summary` adds the totals by year and the chart the dashboard and the
highlight report show. Writes are in `workstreams.services.benefits`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import FinancialYear
from programmes.models import Programme
from programmes.rules import RagResult
from programmes.snapshots import Snapshot
from workstreams.assessment import attach_people
from workstreams.benefit_charts import benefits_chart, chart_summary
from workstreams.models import Benefit, BenefitStatus, BenefitYear, MeasureUnit
from workstreams.rules import (
    BenefitFigures,
    benefit_amount,
    benefit_rag,
    benefit_years_to_date,
)

# The ratings a benefit may have, worst first, for the register's filter and the counts.
BENEFIT_RATINGS = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NO_DATA)


@dataclass
class BenefitRow:
    """One benefit with its figures by year and its rating as of a date."""

    benefit: Benefit
    years: list[BenefitYear]
    result: RagResult
    as_of: date

    @property
    def reference(self) -> str:
        return self.benefit.reference

    @property
    def title(self) -> str:
        return self.benefit.title

    @property
    def type_label(self) -> str:
        label = self.benefit.get_benefit_type_display()
        return f"{label} (dis-benefit)" if self.benefit.is_disbenefit else label

    @property
    def planned_by_year(self) -> dict[int, Decimal]:
        return {y.financial_year: y.planned for y in self.years if y.planned is not None}

    @property
    def realised_by_year(self) -> dict[int, Decimal]:
        return {y.financial_year: y.realised for y in self.years if y.realised is not None}

    @property
    def planned_total(self) -> Decimal:
        return sum(self.planned_by_year.values(), Decimal(0))

    @property
    def realised_total(self) -> Decimal:
        return sum(self.realised_by_year.values(), Decimal(0))

    @cached_property
    def _to_date(self) -> list[BenefitFigures]:
        return benefit_years_to_date(_figures(self.years), self.as_of)

    @property
    def planned_to_date(self) -> Decimal | None:
        """Planned over the years judged so far; None for a qualitative benefit."""
        if self.benefit.is_qualitative:
            return None
        return sum((y.planned for y in self._to_date if y.planned is not None), Decimal(0))

    @property
    def realised_to_date(self) -> Decimal | None:
        if self.benefit.is_qualitative:
            return None
        return sum((y.realised for y in self._to_date if y.realised is not None), Decimal(0))

    def amount(self, value: Decimal | None) -> str:
        """An amount in the benefit's unit ("£12,500"), or blank."""
        return "" if value is None else benefit_amount(value, self.benefit.unit)

    @property
    def planned_to_date_label(self) -> str:
        return self.amount(self.planned_to_date)

    @property
    def realised_to_date_label(self) -> str:
        return self.amount(self.realised_to_date)

    @property
    def planned_total_label(self) -> str:
        return self.amount(self.planned_total)

    @property
    def realised_total_label(self) -> str:
        return self.amount(self.realised_total)

    @property
    def baseline_label(self) -> str:
        return self.amount(self.benefit.baseline_value)

    @property
    def reason(self) -> str:
        """Why it is rated so, as a sentence ("It realised £95 of £100 planned to 2025/26")."""
        text = "; ".join(reason.text("it") for reason in self.result.reasons)
        return text[:1].upper() + text[1:]

    @property
    def counts_in_pounds(self) -> bool:
        """Counted in the chart of pounds planned and realised: a benefit (not a dis-benefit)
        measured in pounds."""
        benefit = self.benefit
        return (
            benefit.unit == MeasureUnit.POUNDS
            and not benefit.is_disbenefit
            and not benefit.is_qualitative
            and benefit.status != BenefitStatus.ABANDONED
        )


def _figures(years) -> list[BenefitFigures]:
    return [BenefitFigures(y.financial_year, y.planned, y.realised) for y in years]


def rate_benefit(benefit: Benefit, years, *, as_of: date, tolerance_percent) -> RagResult:
    """A benefit's rating from its years, as every page and report rates it."""
    return benefit_rag(
        years=_figures(years),
        as_of=as_of,
        tolerance_percent=tolerance_percent,
        qualitative=benefit.is_qualitative,
        disbenefit=benefit.is_disbenefit,
        abandoned=benefit.status == BenefitStatus.ABANDONED,
        unit=benefit.unit,
    )


def load_benefit_rows(
    programme: Programme,
    *,
    as_of: date | None = None,
    snapshot: Snapshot | None = None,
    queryset=None,
) -> list[BenefitRow]:
    """The programme's benefits (or those of `queryset`, a filtered Benefit queryset of it),
    rated as of a date; now, or as they stood at a snapshot's moment. Two queries (three as
    at a past moment: the owners are read apart)."""
    as_of = as_of or timezone.localdate()
    snapshot = snapshot or Snapshot()
    if snapshot.is_historical:
        benefits = list(snapshot.rows(Benefit, programme_id=programme.pk).order_by("sort_key"))
        attach_people([(benefits, "owner")])
        ids = [benefit.pk for benefit in benefits]
        years = snapshot.rows(BenefitYear, benefit_id__in=ids) if ids else []
    else:
        queryset = queryset if queryset is not None else Benefit.objects.all()
        benefits = list(
            queryset.filter(programme_id=programme.pk).select_related("owner").order_by("sort_key")
        )
        ids = [benefit.pk for benefit in benefits]
        years = BenefitYear.objects.filter(benefit_id__in=ids) if ids else []
    by_benefit: dict[int, list[BenefitYear]] = defaultdict(list)
    for year in sorted(years, key=lambda y: y.financial_year):
        by_benefit[year.benefit_id].append(year)
    tolerance = programme.benefit_tolerance_percent
    rows = []
    for benefit in benefits:
        benefit.programme = programme
        own = by_benefit.get(benefit.pk, [])
        rows.append(
            BenefitRow(
                benefit,
                own,
                rate_benefit(benefit, own, as_of=as_of, tolerance_percent=tolerance),
                as_of,
            )
        )
    return rows


def benefits_of(programme: Programme, *, as_of: date | None = None) -> list[BenefitRow]:
    """Every benefit of the programme, rated as of a date (today by default), in reference
    order: for exports and returns. Each row: `reference`, `title`, `type_label`,
    `planned_by_year`, `realised_by_year`, `result` (a RagResult: `.rag`, `.label`,
    `.explanation()`), `planned_to_date`, `realised_to_date`. Two queries."""
    return load_benefit_rows(programme, as_of=as_of)


@dataclass(frozen=True)
class YearTotals:
    financial_year: int
    planned: Decimal
    realised: Decimal | None  # None: nothing recorded for the year yet

    @property
    def label(self) -> str:
        return str(FinancialYear(self.financial_year))


@dataclass
class BenefitsSummary:
    """The benefits of a programme for the dashboard and the highlight report: each rated,
    the pounds planned and realised by financial year, and how many are Red, Amber, Green or
    not rated."""

    rows: list[BenefitRow]
    years: list[YearTotals] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[Rag, int]]:
        counted = Counter(Rag(row.result.rag) for row in self.rows)
        return [(rag, counted.get(rag, 0)) for rag in BENEFIT_RATINGS]

    @property
    def needing_attention(self) -> list[BenefitRow]:
        """The Red and Amber ones, worst first."""
        order = {Rag.RED: 0, Rag.AMBER: 1}
        return sorted(
            (row for row in self.rows if row.result.rag in order),
            key=lambda row: (order[row.result.rag], row.benefit.sort_key),
        )

    @property
    def planned_total(self) -> Decimal:
        return sum((year.planned for year in self.years), Decimal(0))

    @property
    def realised_total(self) -> Decimal:
        return sum((year.realised or 0 for year in self.years), Decimal(0))

    @cached_property
    def chart(self) -> str:
        """Planned against realised by year, as an image source (SVG); blank with no years."""
        return benefits_chart(self.years) if self.years else ""

    @property
    def chart_summary(self) -> str:
        """The chart in words, for screen readers and black and white print."""
        return chart_summary(self.years)


def year_totals(rows: list[BenefitRow]) -> list[YearTotals]:
    """Pounds planned and realised by financial year, over the benefits counted in pounds."""
    planned: dict[int, Decimal] = defaultdict(Decimal)
    realised: dict[int, Decimal] = {}
    for row in rows:
        if not row.counts_in_pounds:
            continue
        for year in row.years:
            if year.planned is not None:
                planned[year.financial_year] += year.planned
            if year.realised is not None:
                realised[year.financial_year] = realised.get(year.financial_year, 0) + year.realised
    return [
        YearTotals(year, planned.get(year, Decimal(0)), realised.get(year))
        for year in sorted(set(planned) | set(realised))
    ]


def benefits_summary(
    programme: Programme, *, as_of: date | None = None, snapshot: Snapshot | None = None
) -> BenefitsSummary:
    """The programme's benefits for the dashboard and the highlight report (two queries)."""
    rows = load_benefit_rows(programme, as_of=as_of, snapshot=snapshot)
    return BenefitsSummary(rows, year_totals(rows))
