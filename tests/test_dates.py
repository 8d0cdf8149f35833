"""Financial years and month-precision plan dates (DOMAIN.md section 1)."""

from datetime import date

import pytest

from programmes.choices import DatePrecision
from programmes.dates import FinancialYear, PlanDate, PlanDateError, add_months, parse_plan_date


def test_financial_year_boundaries():
    assert FinancialYear.containing(date(2008, 3, 31)) == FinancialYear(2007)
    assert FinancialYear.containing(date(2008, 4, 1)) == FinancialYear(2008)
    assert str(FinancialYear(2008)) == "2008/09"
    assert str(FinancialYear(1999)) == "1999/00"
    assert FinancialYear(2011).starts == date(2011, 4, 1)
    assert FinancialYear(2011).ends == date(2012, 3, 31)
    assert FinancialYear(2011).next() == FinancialYear(2012)


@pytest.mark.parametrize("text", ["2008/09", "2008/9", "2008-09", "2008/2009", "08/09"])
def test_financial_year_written_in_the_usual_ways(text):
    assert FinancialYear.parse(text) == FinancialYear(2008)


@pytest.mark.parametrize("text", ["2008/10", "2008", "next year"])
def test_a_financial_year_that_is_not_one(text):
    with pytest.raises(PlanDateError):
        FinancialYear.parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sept 08", date(2008, 9, 30)),
        ("April 2010", date(2010, 4, 30)),
        ("Feb 2012", date(2012, 2, 29)),
        ("2008-09", date(2008, 9, 30)),
        ("09/2008", date(2008, 9, 30)),
    ],
)
def test_months_as_plans_write_them_mean_the_last_day(text, expected):
    parsed = parse_plan_date(text)
    assert parsed.value == expected
    assert parsed.precision == DatePrecision.MONTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-02-24", date(2011, 2, 24)),
        ("24/02/11", date(2011, 2, 24)),
        ("24/02/2011", date(2011, 2, 24)),
    ],
)
def test_days(text, expected):
    parsed = parse_plan_date(text)
    assert parsed == PlanDate(expected, DatePrecision.DAY)


@pytest.mark.parametrize("text", ["31/02/2025", "Smarch 08", "", "soon"])
def test_dates_that_are_not_dates(text):
    with pytest.raises(PlanDateError):
        parse_plan_date(text)


def test_a_month_is_shown_as_a_month_and_a_day_as_a_day():
    assert str(PlanDate.of_month(2025, 9)) == "Sep 2025"
    assert str(PlanDate.of_day(date(2025, 10, 3))) == "3 Oct 2025"


def test_shifting_keeps_month_ends():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert PlanDate.of_month(2008, 9).shifted(12 * 18) == PlanDate.of_month(2026, 9)
