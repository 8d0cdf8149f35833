"""The "as at" choice every programme page shares (issue 15, part 6): `?period=<id>` asks
for the programme as it stood at the end of one of its reporting periods, read from the
history django-simple-history records (DOMAIN.md section 4: "frozen as at the period end").

`chosen_as_at` is the one reader of that choice: the dashboard, the timeline, the workstream
page, the lists and the registers all call it, so they agree on which periods may be shown
as at (those that have ended) and what an address that names no such period shows (today,
with a message saying so). It remembers the choice on the request, so that links from an
as-at page to another page that accepts it keep it (`programmes.templatetags.as_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.utils import timezone

from programmes.models import Programme, ReportingPeriod
from programmes.params import read_id
from programmes.snapshots import Snapshot, end_of_day

PARAMETER = "period"

# The pages (URL names) that accept `?period=`: a link from an as-at page to one of them
# keeps the choice; a link to any other page shows today.
AS_AT_PAGES = frozenset(
    {
        "programme_detail",
        "programme_timeline",
        "workstream_detail",
        "workstream_list",
        "milestone_list",
        "measure_list",
        "risk_list",
        "issue_list",
        "decision_list",
        "action_list",
    }
)


@dataclass(frozen=True)
class AsAt:
    """What a page shows: today (`period` is None), or the end of a past reporting period."""

    period: ReportingPeriod | None
    as_of: date
    snapshot: Snapshot

    @property
    def is_historical(self) -> bool:
        return self.snapshot.is_historical

    @property
    def month(self) -> str:
        """ "September 2026", the month shown."""
        return self.period.month.strftime("%B %Y") if self.is_historical else ""

    @property
    def query(self) -> str:
        """The choice as an address's query ("period=12"), or "" for today."""
        return f"{PARAMETER}={self.period.pk}" if self.is_historical else ""


def as_at_period(period: ReportingPeriod | None, today: date | None = None) -> AsAt:
    """The moment to read for a period: its last moment if it has ended, else now."""
    today = today or timezone.localdate()
    if period is not None and period.ends_on < today:
        return AsAt(period, period.ends_on, Snapshot(end_of_day(period.ends_on)))
    return AsAt(None, today, Snapshot())


def chosen_period(request, programme: Programme) -> ReportingPeriod | None:
    """The reporting period asked for with `?period=`, among those the user may see. One
    that cannot be read or is not the programme's is said so, and the page shows now."""
    value = request.GET.get("period")  # PARAMETER, written out for tests/test_query_fuzz.py
    if not value:
        return None
    period = (
        ReportingPeriod.objects.visible_to(request.user)
        .filter(programme=programme, pk=read_id(value))
        .first()
    )
    if period is None:
        messages.warning(
            request,
            "The address asks for a reporting period this programme does not have: "
            "this is the programme as it stands today.",
        )
    return period


def chosen_as_at(request, programme: Programme) -> AsAt:
    """What the page is asked to show (one query when a period is asked for), remembered on
    the request for the links the page draws."""
    as_at = as_at_period(chosen_period(request, programme))
    request.as_at = as_at
    return as_at


def keep_as_at(request, url_name: str, url: str) -> str:
    """The url with the request's as-at choice, if the page of `url_name` accepts it."""
    as_at = getattr(request, "as_at", None)
    if as_at is None or not as_at.is_historical or url_name not in AS_AT_PAGES:
        return url
    return f"{url}{'&' if '?' in url else '?'}{as_at.query}"
