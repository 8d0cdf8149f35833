"""Money rules at their boundaries (issue 16; DOMAIN.md sections 3 and 7): cost tolerance per
budget line and per workstream as well as per programme-year, the variance percentage, the
5% variance explanation, and the whole-life cost's narrative."""

from datetime import date
from decimal import Decimal

import pytest

from programmes.choices import Rag
from programmes.rules import whole_life_cost_needs_narrative
from reporting.finance import rate_money
from tests.factories import BudgetLineFactory
from workstreams.models import BudgetLine, Workstream
from workstreams.rules import (
    BenefitFigures,
    forecast_end,
    is_over_cost_tolerance,
    needs_variance_explanation,
    variance_percent,
    whole_life_benefit,
)


def over(allocated, forecast, tolerance=10) -> bool:
    return is_over_cost_tolerance(
        allocated=Decimal(allocated),
        forecast=Decimal(forecast),
        cost_tolerance_percent=Decimal(tolerance),
    )


def test_exactly_the_cost_tolerance_over_is_within_it():
    assert not over(1000, 1100)
    assert over(1000, "1100.01")


def test_on_or_under_the_allocation_is_never_over_the_tolerance():
    assert not over(1000, 1000)
    assert not over(1000, 0)
    assert not over(0, 0)


def test_anything_over_a_nil_allocation_is_over_the_tolerance():
    assert over(0, "0.01")


def test_a_tolerance_of_nought_makes_any_overspend_a_breach():
    assert over(1000, "1000.01", tolerance=0)


def test_variance_percent_is_of_the_allocation_to_one_place():
    assert variance_percent(allocated=Decimal(1000), forecast=Decimal(1160)) == Decimal("16.0")
    # Away from nought: a variance beyond a tolerance never reads as at it.
    assert variance_percent(allocated=Decimal(3), forecast=Decimal(4)) == Decimal("33.4")
    assert variance_percent(allocated=Decimal(1000), forecast=Decimal("1100.1")) == Decimal("10.1")
    assert variance_percent(allocated=Decimal(1000), forecast=Decimal("899.9")) == Decimal("-10.1")
    assert variance_percent(allocated=Decimal(1000), forecast=Decimal(950)) == Decimal("-5.0")
    assert variance_percent(allocated=Decimal(0), forecast=Decimal(10)) is None


def test_a_variance_of_exactly_five_percent_needs_no_explanation():
    assert not needs_variance_explanation(allocated=Decimal(2000), forecast=Decimal(2100))
    assert needs_variance_explanation(allocated=Decimal(2000), forecast=Decimal("2100.01"))
    assert not needs_variance_explanation(allocated=Decimal(2000), forecast=Decimal(1900))
    assert needs_variance_explanation(allocated=Decimal(2000), forecast=Decimal("1899.99"))


def test_a_whole_life_cost_needs_a_narrative_only_when_its_forecast_differs():
    assert not whole_life_cost_needs_narrative(baseline=None, forecast=None)
    assert not whole_life_cost_needs_narrative(baseline=Decimal(5), forecast=None)
    assert not whole_life_cost_needs_narrative(baseline=Decimal(5), forecast=Decimal("5.00"))
    assert whole_life_cost_needs_narrative(baseline=Decimal(5), forecast=Decimal("5.01"))
    assert whole_life_cost_needs_narrative(baseline=Decimal(5), forecast=Decimal("4.99"))


def test_the_forecast_end_is_the_latest_milestone_when_later_than_planned():
    planned = date(2028, 3, 31)
    assert forecast_end(planned, []) == planned
    assert forecast_end(planned, [date(2027, 1, 1), None]) == planned
    assert forecast_end(planned, [date(2028, 6, 30), date(2027, 1, 1)]) == date(2028, 6, 30)


def test_a_benefits_forecast_is_realised_so_far_and_planned_for_the_rest():
    years = [
        BenefitFigures(2025, Decimal(100), Decimal(90)),
        BenefitFigures(2026, Decimal(200), None),
        BenefitFigures(2027, Decimal(300), None),
    ]
    # 2026/27 under way with nothing recorded: its plan still stands.
    assert whole_life_benefit(years, date(2026, 11, 18)) == (Decimal(600), Decimal(590))
    # Once recorded, the realised amount replaces the plan, even before the year ends.
    years[1] = BenefitFigures(2026, Decimal(200), Decimal(150))
    assert whole_life_benefit(years, date(2026, 11, 18)) == (Decimal(600), Decimal(540))
    # Abandoned: nothing more than was realised.
    assert whole_life_benefit(years, date(2026, 11, 18), abandoned=True) == (
        Decimal(600),
        Decimal(240),
    )
    # On the first day of 2027/28, 2026/27 has ended and counts as realised.
    years[1] = BenefitFigures(2026, Decimal(200), None)
    assert whole_life_benefit(years, date(2027, 4, 1)) == (Decimal(600), Decimal(390))


# ----- Rated where each sits: a line and a workstream with its area's tolerance -----


def rated(plan):
    programme = plan["programme"]
    return rate_money(
        programme,
        list(programme.areas.all()),
        list(Workstream.objects.filter(programme=programme)),
        list(BudgetLine.objects.filter(workstream__programme=programme)),
    )


@pytest.mark.django_db
def test_a_line_sixteen_percent_over_is_red_though_its_year_is_within_tolerance(plan):
    over_line = BudgetLineFactory(
        workstream=plan["ws_1_1"], allocated=Decimal(1000), forecast=Decimal(1160)
    )
    BudgetLineFactory(
        workstream=plan["ws_2_1"],
        description="Capital",
        allocated=Decimal(9000),
        forecast=Decimal(9000),
    )
    money = rated(plan)
    year = money.year(money.years[0].financial_year)
    assert year.money.forecast == Decimal(10160)
    assert year.result.rag == Rag.AMBER  # 1.6% over: within the programme's 10%
    line = next(item for item in money.lines if item.line.pk == over_line.pk)
    assert line.result.rag == Rag.RED
    assert line.result.explanation() == (
        "Red because: it is forecast £160 (16%) over its allocation (tolerance 10%)"
    )
    assert money.result.rag == Rag.RED
    assert (
        "budget line Staffing 2026/27 (workstream 1.1) is forecast £160 (16%) over its "
        "allocation (tolerance 10%)"
    ) in money.result.explanation()


@pytest.mark.django_db
def test_a_line_at_exactly_its_areas_tolerance_is_amber_and_a_penny_more_red(plan):
    area = plan["area_one"]
    area.cost_tolerance_percent = Decimal(20)
    area.save()
    at = BudgetLineFactory(
        workstream=plan["ws_1_1"], allocated=Decimal(1000), forecast=Decimal(1200)
    )
    beyond = BudgetLineFactory(
        workstream=plan["ws_2_1"], allocated=Decimal(1000), forecast=Decimal(1200)
    )
    lines = {item.line.pk: item for item in rated(plan).lines}
    assert lines[at.pk].result.rag == Rag.AMBER  # area one allows 20%
    assert lines[at.pk].tolerance == Decimal(20)
    assert lines[beyond.pk].result.rag == Rag.RED  # area two has the programme's 10%

    at.forecast = Decimal("1200.01")
    at.save()
    lines = {item.line.pk: item for item in rated(plan).lines}
    assert lines[at.pk].result.rag == Rag.RED


@pytest.mark.django_db
def test_a_workstream_is_rated_on_its_lines_over_the_programmes_life(plan):
    workstream = plan["ws_1_1"]
    for year in (2026, 2027):
        BudgetLineFactory(
            workstream=workstream,
            financial_year=year,
            allocated=Decimal(1000),
            forecast=Decimal(1100),  # each exactly at the tolerance: Amber
        )
    BudgetLineFactory(
        workstream=workstream,
        financial_year=2027,
        description="Venues",
        allocated=Decimal(0),
        forecast=Decimal(1),  # over a nil allocation
    )
    money = rated(plan)
    item = next(w for w in money.workstreams if w.workstream.pk == workstream.pk)
    assert item.money.allocated == Decimal(2000)
    assert item.money.forecast == Decimal(2201)
    assert item.result.rag == Rag.RED
    assert item.result.explanation() == (
        "Red because: it is forecast £201 (10.1%) over its allocation (tolerance 10%)"
    )


@pytest.mark.django_db
def test_a_workstream_at_exactly_its_tolerance_is_amber(plan):
    BudgetLineFactory(workstream=plan["ws_1_1"], allocated=Decimal(2000), forecast=Decimal(2200))
    money = rated(plan)
    item = next(w for w in money.workstreams if w.workstream.pk == plan["ws_1_1"].pk)
    assert item.result.rag == Rag.AMBER


@pytest.mark.django_db
def test_a_line_over_five_percent_without_explanation_is_flagged(plan):
    BudgetLineFactory(workstream=plan["ws_1_1"], allocated=Decimal(2000), forecast=Decimal(2100))
    BudgetLineFactory(
        workstream=plan["ws_1_2"], allocated=Decimal(2000), forecast=Decimal("2100.01")
    )
    BudgetLineFactory(
        workstream=plan["ws_2_1"],
        allocated=Decimal(2000),
        forecast=Decimal(2500),
        variance_explanation="Two more venues",
    )
    money = rated(plan)
    flagged = [item.workstream.reference for item in money.lines if item.lacks_explanation]
    assert flagged == ["1.2"]
    assert money.lines_lacking_explanation == 1
