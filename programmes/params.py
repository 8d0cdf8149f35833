"""Reading what a page is asked for in its address (`?period=`, `?start=`, `?months=` ...) and
the ids a form posts back.

A value typed or cut short by hand is never a server error (issue 10, defect 5): each reader
gives None for anything it cannot read (not a number, out of range, a NUL character, a
month that does not exist), and the page then shows what it shows without that value, as it
does for an id that names nothing. Ids are read here, but fetched only through the user's
scoped queryset (`programmes.permissions.get_for` or `Model.objects.visible_to(user)`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

# The largest id the database keeps (a signed 64-bit integer): a longer number names nothing.
MAX_ID = 2**63 - 1
# As on the pages' date inputs and in the API: a plan's months are this side of 1900 and 2200.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

_DIGITS = re.compile(r"[0-9]{1,19}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def read_id(value) -> int | None:
    """A positive whole number that can be an id, or None."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def read_int(value, *, minimum: int, maximum: int) -> int | None:
    """A whole number within [minimum, maximum], or None."""
    if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]{1,19}", value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def read_month(value) -> date | None:
    """ "2026-09" as the first day of that month, within the years a plan may span, or None."""
    if not isinstance(value, str):
        return None
    match = _MONTH.fullmatch(value)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (EARLIEST_YEAR <= year <= LATEST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def read_choice(value, choices: Iterable[str]) -> str:
    """The value if it is one of the choices, else "" (no choice)."""
    return value if isinstance(value, str) and value in set(choices) else ""
