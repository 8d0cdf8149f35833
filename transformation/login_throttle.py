"""Throttling of sign-in failures (django-axes), at two levels.

Axes counts failures per user name and address: AXES_FAILURE_LIMIT wrong passwords for one
user name from one address lock that pair for the cool-off (AXES_COOLOFF_TIME). That alone
lets an attacker with many addresses guess one user name without end, so a user name guessed
wrongly LOGIN_USER_NAME_FAILURE_LIMIT times from any addresses within the cool-off is locked
too, for everyone, until the cool-off has passed. The second limit is much higher than the
first, and a locked pair adds no failures, so one address (or a few) can never lock a real
person out; only a guessing campaign from many addresses does, for an hour, and the site
administrator can unlock them sooner (`manage.py axes_reset_username`).

The lock-out page says when the person may try again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler, with the lock of a user name guessed from many addresses."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures that count towards the lock: those from this address, or the failure
        limit itself when the user name is locked from every address. (Axes compares one
        number with one limit.)"""
        from_this_address = super().get_failures(request, credentials)
        if self._user_name_failures(request, credentials) >= settings.LOGIN_USER_NAME_FAILURE_LIMIT:
            return max(from_this_address, get_failure_limit(request, credentials))
        return from_this_address

    def _user_name_failures(self, request, credentials: dict | None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lock_ends_at(username: str, ip_address: str, now: datetime, cool_off: timedelta):
    """When the sign-in of this user name from this address is no longer locked, or None.

    Each lock holds while its failures within the cool-off reach its limit. Axes keeps one
    record per user name, address and browser, dated by its latest failure; the newest
    records that between them reach the limit keep the lock until the oldest of them is a
    cool-off old."""
    locks = [
        (
            AccessAttempt.objects.filter(username=username, ip_address=ip_address),
            settings.AXES_FAILURE_LIMIT,
        ),
        (AccessAttempt.objects.filter(username=username), settings.LOGIN_USER_NAME_FAILURE_LIMIT),
    ]
    ends = []
    for attempts, limit in locks:
        total = 0
        recent = attempts.filter(attempt_time__gte=now - cool_off).order_by("-attempt_time")
        for attempt_time, failures in recent.values_list("attempt_time", "failures_since_start"):
            total += failures
            if total >= limit:
                ends.append(attempt_time + cool_off)
                break
    return max(ends, default=None)


def locked_out(request, original_response=None, credentials: dict | None = None):
    """The lock-out page (AXES_LOCKOUT_CALLABLE), saying when the person may try again: the
    end of the lock, rounded up to the minute so that trying at the time shown works."""
    cool_off = get_cool_off(request)
    now = timezone.now()
    ends = lock_ends_at(
        get_client_username(request, credentials) or "",
        request.axes_ip_address,
        now,
        cool_off,
    ) or (now + cool_off)
    ends = timezone.localtime(ends)
    if ends.second or ends.microsecond:
        ends = ends.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return render(
        request,
        "registration/locked_out.html",
        {
            "try_again_time": clock_time(ends),
            "try_again_date": f"{ends:%-d %B %Y}",
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def clock_time(moment: datetime) -> str:
    """A time as GOV.UK writes it: 9:30am, 5:15pm, midday, midnight."""
    if (moment.hour, moment.minute) == (0, 0):
        return "midnight"
    if (moment.hour, moment.minute) == (12, 0):
        return "midday"
    return f"{moment:%-I:%M}{'am' if moment.hour < 12 else 'pm'}"
