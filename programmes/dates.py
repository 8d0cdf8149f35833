"""Dates as plans write them: months or days, financial years, reporting months.

Pure functions and values, no database (DOMAIN.md section 1: "Dates in plans are often
months"; "Financial years run April to March and are written 2008/09").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from programmes.choices import DatePrecision

MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTH_NAMES["sept"] = 9


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """Move by whole months, keeping month-ends at month-ends (31 Jan + 1 = 29 Feb)."""
    moved = day + relativedelta(months=months)
    if day == month_end(day):
        return month_end(moved)
    return moved


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from earlier's month to later's month."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_label(day: date) -> str:
    """ "Sep 2008": how a month-precision date is shown."""
    return day.strftime("%b %Y")


def day_label(day: date) -> str:
    """ "3 Oct 2025": how a day is shown."""
    return f"{day.day} {day.strftime('%b %Y')}"


@dataclass(frozen=True, order=True)
class PlanDate:
    """A date in a plan, precise to a day or a month.

    A month is stored as its last day, because that is when a milestone due "Sep 08" becomes
    late (DOMAIN.md section 1), and it is shown as the month.
    """

    value: date
    precision: str = DatePrecision.DAY

    @classmethod
    def of_month(cls, year: int, month: int) -> PlanDate:
        return cls(month_end(date(year, month, 1)), DatePrecision.MONTH)

    @classmethod
    def of_day(cls, day: date) -> PlanDate:
        return cls(day, DatePrecision.DAY)

    @classmethod
    def from_fields(cls, value: date | None, precision: str | None) -> PlanDate | None:
        if value is None:
            return None
        if precision == DatePrecision.MONTH:
            return cls(month_end(value), DatePrecision.MONTH)
        return cls(value, DatePrecision.DAY)

    @property
    def is_month(self) -> bool:
        return self.precision == DatePrecision.MONTH

    def shifted(self, months: int) -> PlanDate:
        if self.is_month:
            return PlanDate(month_end(add_months(self.value, months)), DatePrecision.MONTH)
        return PlanDate(add_months(self.value, months), DatePrecision.DAY)

    def __str__(self) -> str:
        return month_label(self.value) if self.is_month else day_label(self.value)


def format_plan_date(value: date | None, precision: str | None) -> str:
    plan_date = PlanDate.from_fields(value, precision)
    return str(plan_date) if plan_date else ""


class PlanDateError(ValueError):
    pass


_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DAY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})$")
_MONTH_YEAR = re.compile(r"^(?:end(?: of)? |by )?([a-z]+)\.? ?'?(\d{2}|\d{4})$")
_NUMERIC_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Plans in the source documents run 2007-2016; two-digit years are this century.
        year += 2000
    return year


def parse_plan_date(text: str) -> PlanDate:
    """Read a date as people write it in plans.

    Months: "Sept 08", "April 2010", "2008-09", "09/2008". Days: "2008-09-15", "15/09/2008",
    "15/09/08". Raises PlanDateError with a plain message for anything else, including dates
    that do not exist ("31/02/2025").
    """
    cleaned = " ".join(str(text).strip().lower().replace(",", " ").split())
    if not cleaned:
        raise PlanDateError("is empty")
    try:
        if match := _ISO_DAY.match(cleaned):
            year, month, day = (int(part) for part in match.groups())
            return PlanDate.of_day(date(year, month, day))
        if match := _UK_DAY.match(cleaned):
            day, month, year = match.groups()
            return PlanDate.of_day(date(_full_year(year), int(month), int(day)))
        if match := _ISO_MONTH.match(cleaned):
            year, month = (int(part) for part in match.groups())
            return PlanDate.of_month(year, month)
        if match := _NUMERIC_MONTH_YEAR.match(cleaned):
            month, year = match.groups()
            return PlanDate.of_month(int(year), int(month))
        if match := _MONTH_YEAR.match(cleaned):
            name, year = match.groups()
            if name not in MONTH_NAMES:
                raise PlanDateError(f"'{text}' is not a date")
            return PlanDate.of_month(_full_year(year), MONTH_NAMES[name])
    except ValueError as error:
        if isinstance(error, PlanDateError):
            raise
        raise PlanDateError(f"'{text}' is not a date") from None
    raise PlanDateError(f"'{text}' is not a date")


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A UK public-sector financial year, 1 April to 31 March, written "2008/09"."""

    start_year: int

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """Accepts "2008/09", "2008/9", "2008-09", "2008/2009" and "08/09"."""
        match = re.fullmatch(r"\s*(\d{2}|\d{4})\s*[/-]\s*(\d{1,4})\s*", str(text))
        if not match:
            raise PlanDateError(f"'{text}' is not a financial year (write it as 2008/09)")
        start = _full_year(match.group(1))
        end_text = match.group(2)
        end = int(end_text)
        expected_end = start + 1
        if end not in (expected_end, expected_end % 100, expected_end % 10):
            raise PlanDateError(f"'{text}' is not a financial year (write it as 2008/09)")
        return cls(start)

    @property
    def starts(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def ends(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def contains(self, day: date) -> bool:
        return self.starts <= day <= self.ends

    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


def financial_year_label(start_year: int | None) -> str:
    return str(FinancialYear(start_year)) if start_year is not None else ""
