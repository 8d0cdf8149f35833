"""Milestone RAG as of a date, at each boundary of DOMAIN.md section 3."""

from datetime import date

from programmes.choices import Rag
from workstreams.rules import milestone_rag

AS_OF = date(2026, 10, 15)


def rag(**kwargs):
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("baseline", date(2026, 11, 30))
    return milestone_rag(**kwargs)


def test_it_is_complete_when_completed_on_the_day():
    result = rag(actual=AS_OF)
    assert result.rag == Rag.COMPLETE


def test_a_completion_after_the_date_does_not_count_yet():
    assert rag(actual=date(2026, 10, 16)).rag == Rag.GREEN


def test_it_is_complete_even_if_completed_late():
    assert rag(baseline=date(2026, 9, 1), actual=date(2026, 10, 1)).rag == Rag.COMPLETE


def test_due_today_is_not_yet_late():
    assert rag(baseline=AS_OF).rag == Rag.GREEN


def test_due_yesterday_and_not_complete_is_red_and_says_how_late():
    result = rag(baseline=date(2026, 10, 14))
    assert result.rag == Rag.RED
    assert result.explanation("milestone 3.6.2") == "Red because: milestone 3.6.2 is 1 day late"


def test_the_forecast_not_the_baseline_decides_lateness():
    result = rag(baseline=date(2026, 10, 1), forecast=date(2026, 10, 20), time_tolerance_days=30)
    assert result.rag == Rag.AMBER


def test_forecast_beyond_baseline_plus_tolerance_is_red():
    result = rag(baseline=date(2026, 11, 30), forecast=date(2026, 12, 31), time_tolerance_days=30)
    assert result.rag == Rag.RED
    assert "31 days after its baseline (tolerance 30 days)" in result.explanation()


def test_forecast_exactly_at_tolerance_is_amber():
    result = rag(baseline=date(2026, 11, 30), forecast=date(2026, 12, 30), time_tolerance_days=30)
    assert result.rag == Rag.AMBER


def test_forecast_one_day_after_baseline_is_amber():
    assert rag(baseline=date(2026, 11, 30), forecast=date(2026, 12, 1)).rag == Rag.AMBER


def test_forecast_earlier_than_baseline_is_green():
    assert rag(baseline=date(2026, 11, 30), forecast=date(2026, 11, 1)).rag == Rag.GREEN


def test_flagged_at_risk_is_amber():
    result = rag(at_risk=True)
    assert result.rag == Rag.AMBER
    assert result.explanation() == "Amber because: it is flagged at risk by its owner"


def test_overdue_outranks_at_risk():
    assert rag(baseline=date(2026, 10, 1), at_risk=True).rag == Rag.RED


def test_future_start_with_nothing_reported_is_not_started():
    assert rag(start=date(2026, 11, 1)).rag == Rag.NOT_STARTED


def test_future_start_but_progress_reported_is_green():
    assert rag(start=date(2026, 11, 1), has_progress=True).rag == Rag.GREEN


def test_start_today_is_under_way():
    assert rag(start=AS_OF).rag == Rag.GREEN


def test_a_month_precision_date_is_late_only_after_the_months_last_day():
    # "Sep 2026" is stored as 30 Sep 2026.
    assert rag(baseline=date(2026, 9, 30), as_of=date(2026, 9, 30)).rag == Rag.GREEN
    assert rag(baseline=date(2026, 9, 30), as_of=date(2026, 10, 1)).rag == Rag.RED


def test_no_date_at_all_is_no_data_not_green():
    result = rag(baseline=None)
    assert result.rag == Rag.NO_DATA
    assert "has no due date" in result.explanation()


def test_a_custom_tolerance_is_used():
    result = rag(baseline=date(2026, 11, 30), forecast=date(2026, 12, 11), time_tolerance_days=10)
    assert result.rag == Rag.RED
