"""Budget RAG and the 5% variance explanation rule (DOMAIN.md section 3)."""

from decimal import Decimal

from programmes.choices import Rag
from workstreams.rules import budget_rag, needs_variance_explanation


def rag(allocated, forecast, tolerance=10):
    return budget_rag(
        allocated=Decimal(allocated),
        forecast=Decimal(forecast),
        cost_tolerance_percent=Decimal(tolerance),
    ).rag


def test_on_or_under_allocation_is_green():
    assert rag(1000, 1000) == Rag.GREEN
    assert rag(1000, 800) == Rag.GREEN


def test_over_at_all_is_amber():
    assert rag(1000, "1000.01") == Rag.AMBER


def test_over_by_exactly_the_tolerance_is_amber():
    assert rag(1000, 1100) == Rag.AMBER


def test_over_by_more_than_the_tolerance_is_red_and_says_so():
    result = budget_rag(allocated=Decimal(1000), forecast=Decimal(1101))
    assert result.rag == Rag.RED
    assert result.explanation() == (
        "Red because: it is forecast £101 (10.1%) over its allocation (tolerance 10%)"
    )


def test_spending_without_an_allocation_is_red():
    assert rag(0, 1) == Rag.RED


def test_a_variance_over_five_percent_either_way_needs_an_explanation():
    assert not needs_variance_explanation(allocated=Decimal(1000), forecast=Decimal(1050))
    assert needs_variance_explanation(allocated=Decimal(1000), forecast=Decimal("1050.01"))
    assert not needs_variance_explanation(allocated=Decimal(1000), forecast=Decimal(950))
    assert needs_variance_explanation(allocated=Decimal(1000), forecast=Decimal("949.99"))
