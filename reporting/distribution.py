"""Sending a period's reports to the board (DOMAIN.md section 5; issue 13, part 3).

The monthly run makes the reports and emails nobody. Once the programme office has approved
the period's reports (every kind's latest finished version, none still being made), the board
is told: one email to each board member per programme and period, linking every approved
report, sent after the approval commits. A BoardDistribution, one per period, records that it
was sent, so approving again, or a second approval racing the first, sends nothing more.

A programme may choose to have its monthly reports approved automatically a number of working
days after they were made (Programme.approve_reports_after_working_days): the monthly job
does that each working morning.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.comments import email_address
from programmes.jobs import queue_after_commit
from programmes.models import Membership, ReportingPeriod
from reporting.models import BoardDistribution, ReportKind, ReportRun, RunStatus


def reports_to_distribute(period: ReportingPeriod) -> list[ReportRun] | None:
    """The period's reports for the board, if all are approved: each kind's latest finished
    version. None while any is unapproved or still being made."""
    runs = ReportRun.objects.filter(period=period).exclude(status=RunStatus.FAILED)
    latest: dict[str, ReportRun] = {}
    for run in runs.order_by("kind", "-version"):
        if run.status != RunStatus.DONE:
            return None  # still being made: wait for it
        latest.setdefault(run.kind, run)
    if not latest or any(run.approved_at is None for run in latest.values()):
        return None
    order = list(ReportKind.values)
    return sorted(latest.values(), key=lambda run: order.index(run.kind))


def distribute_if_ready(period: ReportingPeriod, *, by=None) -> BoardDistribution | None:
    """Record the distribution of the period's approved reports and email the board after the
    commit, once: inside the approving transaction, with the period locked."""
    ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if BoardDistribution.objects.filter(period=period).exists():
        return None
    runs = reports_to_distribute(period)
    if runs is None:
        return None
    distribution = BoardDistribution.objects.create(
        programme_id=period.programme_id, period=period, made_by=by
    )
    distribution.runs.set(runs)
    queue_after_commit("reporting.email_board", distribution.pk)
    return distribution


def email_board(distribution_id: int) -> int:
    """Email each board member one link per approved report; returns how many were emailed.
    Claimed first, so a second delivery of the job sends nothing."""
    now = timezone.now()
    claimed = BoardDistribution.objects.filter(pk=distribution_id, emailed_at__isnull=True).update(
        emailed_at=now
    )
    if not claimed:
        return 0
    distribution = BoardDistribution.objects.select_related("programme", "period").get(
        pk=distribution_id
    )
    programme, period = distribution.programme, distribution.period
    runs = distribution.runs.select_related("approved_by__person").order_by("kind")
    site = settings.SITE_URL.rstrip("/")
    lines = []
    for run in runs:
        lines.append(
            f"- {run.get_kind_display()} (version {run.version}):\n  {site}{run.get_absolute_url()}"
        )
    people = (
        Membership.objects.filter(programme=programme, role=Role.BOARD_MEMBER)
        .select_related("person__user")
        .order_by("person__name")
    )
    sent, seen = 0, set()
    for membership in people:
        person = membership.person
        address = email_address(person)
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        send_mail(
            f"Reports for {period.label} approved: {programme.name}",
            f"Dear {person.name},\n\nThe programme office has approved {programme.name}'s "
            f"reports for {period.label}:\n\n" + "\n".join(lines) + "\n\n"
            f"All the programme's reports: {site}{reverse('report_list', args=[programme.pk])}\n\n"
            f"{programme.name} programme office\n",
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
        sent += 1
    BoardDistribution.objects.filter(pk=distribution_id).update(recipients=sent)
    return sent


def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day` (weekends and English bank holidays
    skipped)."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(day.year, day.year + 2))
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            count -= 1
    return day
