"""Reminders (DOMAIN.md section 4): leads are reminded before the cut-off if their status
update is not in, and project managers get a weekly digest of their area's overdue milestones.

Each notice is claimed in the `Notice` table before it is sent, inside one transaction, so a
job that runs twice (or on two workers) sends it once, and a failed send is tried again on
the next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from programmes.choices import PeriodStatus, ProgrammeStatus, Rag, Role
from programmes.models import Membership, Notice, ReportingPeriod
from workstreams.models import Milestone, MilestoneStatus, StatusUpdate, UpdateState, Workstream

logger = logging.getLogger(__name__)


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send_once(kind: str, key: str, *, to: list[str], subject: str, body: str) -> bool:
    """Send one plain email unless it has been sent before; True if sent now."""
    try:
        with transaction.atomic():
            Notice.objects.create(kind=kind, key=key, recipients=", ".join(to))
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except IntegrityError:
        return False
    return True


def _email_of(person) -> str:
    return person.email or (person.user.email if person.user_id else "")


@shared_task(name="workstreams.send_status_update_reminders")
def send_status_update_reminders(today: str | None = None) -> int:
    """Remind each lead whose update is not submitted, from N days before the cut-off
    (N per programme, default 5), once per workstream and period. A workstream whose last
    submitted update was Complete is finished: its lead is not reminded."""
    today = date.fromisoformat(today) if today else timezone.localdate()
    sent = 0
    periods = ReportingPeriod.objects.filter(
        status=PeriodStatus.OPEN,
        programme__status=ProgrammeStatus.ACTIVE,
        cut_off__gte=today,
    ).select_related("programme")
    for period in periods:
        if today < period.cut_off - timedelta(days=period.programme.reminder_days):
            continue
        submitted = StatusUpdate.objects.filter(period=period, state=UpdateState.SUBMITTED).values(
            "workstream_id"
        )
        last_rating = (
            StatusUpdate.objects.filter(
                workstream=OuterRef("pk"),
                state=UpdateState.SUBMITTED,
                period__month__lt=period.month,
            )
            .order_by("-period__month")
            .values("rag")[:1]
        )
        workstreams = (
            Workstream.objects.filter(programme=period.programme, lead__isnull=False)
            .exclude(pk__in=submitted)
            .annotate(last_rating=Subquery(last_rating))
            .filter(Q(last_rating__isnull=True) | ~Q(last_rating=Rag.COMPLETE))
            .select_related("lead__user")
        )
        for workstream in workstreams:
            address = _email_of(workstream.lead)
            if not address:
                logger.info("No email for %s, lead of %s", workstream.lead, workstream)
                continue
            link = _link(reverse("status_update", args=[workstream.pk, period.pk]))
            body = (
                f"Dear {workstream.lead.name},\n\n"
                f"Your status update for {workstream.reference} {workstream.name} for "
                f"{period.label} is due by {period.cut_off:%-d %B %Y} and has not been "
                f"submitted yet.\n\nWrite or finish it here:\n{link}\n\n"
                f"{period.programme.name} programme office\n"
            )
            if _send_once(
                "status-update-reminder",
                f"{period.pk}:{workstream.pk}",
                to=[address],
                subject=f"Status update due {period.cut_off:%-d %b}: {workstream.reference} "
                f"{workstream.name}",
                body=body,
            ):
                sent += 1
    return sent


@shared_task(name="workstreams.send_overdue_digests")
def send_overdue_digests(today: str | None = None) -> int:
    """Each project manager's weekly list of their area's overdue milestones."""
    today = date.fromisoformat(today) if today else timezone.localdate()
    year, week, _ = today.isocalendar()
    overdue = (
        Milestone.objects.filter(workstream__programme__status=ProgrammeStatus.ACTIVE)
        .exclude(status=MilestoneStatus.COMPLETE)
        .annotate(due_on=Coalesce("forecast_date", "baseline_date"))
        .filter(due_on__lt=today)
        .select_related("workstream")
        .order_by("workstream__sort_key", "sort_key")
    )
    by_area = defaultdict(list)
    for milestone in overdue:
        by_area[milestone.workstream.area_id].append(milestone)
    managers = Membership.objects.filter(
        role=Role.PROJECT_MANAGER, area_id__in=list(by_area)
    ).select_related("person__user", "area__programme")
    sent = 0
    for membership in managers:
        person, area = membership.person, membership.area
        address = _email_of(person)
        if not address:
            continue
        lines = [
            f"- {m.reference} {m.title} (due {m.due}, {(today - m.due_on).days} days late): "
            f"{_link(reverse('milestone_detail', args=[m.pk]))}"
            for m in by_area[area.pk]
        ]
        body = (
            f"Dear {person.name},\n\nThese milestones in {area.reference} {area.name} are "
            f"overdue as of {today:%-d %B %Y}:\n\n" + "\n".join(lines) + "\n\n"
            "Update them, or agree new forecasts with their leads.\n\n"
            f"{area.programme.name} programme office\n"
        )
        if _send_once(
            "overdue-digest",
            f"{year}-W{week}:{membership.pk}",
            to=[address],
            subject=f"{len(lines)} overdue milestones in {area.reference} {area.name}",
            body=body,
        ):
            sent += 1
    return sent
