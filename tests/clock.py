"""The one moment every test runs at, so that a test means the same on any day it is run.

`tests/conftest.py` freezes the clock at `NOW` for every test (the clock still ticks, so
timeouts and the live server work); modules take their dates from here, never from the real
clock at import, so that a run crossing midnight still agrees with itself.

`NOW` is a Wednesday in the middle of a month, mid-morning in London: not a weekend, not a
bank holiday, not near a month's, a quarter's or a financial year's end, and far enough from
midnight that a long run stays on the same day. It is in GMT, so London and UTC agree on the
date. It lies before the day this was written, so that files the tests write (whose times
come from the real clock) never look older than the frozen moment.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


def frozen_clock() -> time_machine.travel:
    """The clock at `NOW`, still ticking: a context manager, for fixtures wider than a test."""
    return time_machine.travel(NOW, tick=True)
