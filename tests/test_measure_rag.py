"""Measure RAG with direction and tolerance (DOMAIN.md section 3)."""

from datetime import date
from decimal import Decimal

from programmes.choices import Rag
from workstreams.rules import Target, measure_rag, target_for_month


def test_higher_is_better_met_exactly_is_green():
    assert measure_rag(actual=Decimal(75), target=Decimal(75)).rag == Rag.GREEN


def test_higher_is_better_missed_within_tolerance_is_amber():
    # 5% of 80 is 4: 76 is the lowest Amber.
    result = measure_rag(actual=Decimal(76), target=Decimal(80), tolerance_percent=Decimal(5))
    assert result.rag == Rag.AMBER
    assert "missed its target of 80 by 5%" in result.explanation()


def test_higher_is_better_missed_beyond_tolerance_is_red():
    result = measure_rag(actual=Decimal("75.9"), target=Decimal(80), tolerance_percent=Decimal(5))
    assert result.rag == Rag.RED


def test_the_red_reason_says_by_how_much():
    result = measure_rag(actual=Decimal(88), target=Decimal(100))
    assert result.explanation("measure NI 141") == (
        "Red because: measure NI 141 missed its target of 100 by 12%"
    )


def test_lower_is_better_under_target_is_green():
    result = measure_rag(actual=Decimal("3.5"), target=Decimal(4), direction="lower")
    assert result.rag == Rag.GREEN


def test_lower_is_better_just_over_within_tolerance_is_amber():
    result = measure_rag(
        actual=Decimal("4.2"), target=Decimal(4), direction="lower", tolerance_percent=Decimal(5)
    )
    assert result.rag == Rag.AMBER


def test_lower_is_better_over_beyond_tolerance_is_red():
    result = measure_rag(
        actual=Decimal("4.21"), target=Decimal(4), direction="lower", tolerance_percent=Decimal(5)
    )
    assert result.rag == Rag.RED


def test_no_reading_or_no_target_is_grey():
    assert measure_rag(actual=None, target=Decimal(4)).rag == Rag.NO_DATA
    assert measure_rag(actual=Decimal(4), target=None).rag == Rag.NO_DATA


def test_a_zero_target_has_no_tolerance():
    assert measure_rag(actual=Decimal(1), target=Decimal(0), direction="lower").rag == Rag.RED
    assert measure_rag(actual=Decimal(0), target=Decimal(0), direction="lower").rag == Rag.GREEN


def test_a_financial_year_target_applies_to_every_month_of_that_year():
    targets = [Target(Decimal(100), financial_year=2011), Target(Decimal(90), financial_year=2012)]
    assert target_for_month(targets, date(2011, 4, 1)) == 100
    assert target_for_month(targets, date(2012, 3, 1)) == 100
    assert target_for_month(targets, date(2012, 4, 1)) == 90
    assert target_for_month(targets, date(2011, 3, 1)) is None


def test_a_dated_target_applies_from_its_month_until_a_later_one():
    targets = [
        Target(Decimal(75), due=date(2009, 6, 30)),
        Target(Decimal(85), due=date(2010, 3, 31)),
    ]
    assert target_for_month(targets, date(2009, 5, 1)) is None
    assert target_for_month(targets, date(2009, 6, 1)) == 75
    assert target_for_month(targets, date(2010, 2, 1)) == 75
    assert target_for_month(targets, date(2010, 3, 1)) == 85
