"""Reminders of the communications plan (issue 16, part 5): on the day a line of the plan is
due (or the first run after), its owner is emailed once for that due date. The notice is
claimed in the `Notice` table before it is sent, inside one transaction, so a job that runs
twice (or on two workers) sends it once, and a failed send is tried again on the next run.
Closed programmes send none."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programmes.choices import ProgrammeStatus
from programmes.models import Notice
from risks.models import CommunicationItem

logger = logging.getLogger(__name__)

NOTICE_KIND = "communication-reminder"


def _send_once(key: str, *, to: list[str], subject: str, body: str) -> bool:
    try:
        with transaction.atomic():
            Notice.objects.create(kind=NOTICE_KIND, key=key, recipients=", ".join(to))
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except IntegrityError:
        return False
    return True


@shared_task(name="risks.send_communication_reminders")
def send_communication_reminders(today: str | None = None) -> int:
    """Email each owner of a line of a communications plan due today or before (and not yet
    recorded as sent), once per line and due date. Returns how many were sent."""
    today = date.fromisoformat(today) if today else timezone.localdate()
    due = (
        CommunicationItem.objects.filter(
            programme__status=ProgrammeStatus.ACTIVE, next_on__isnull=False, next_on__lte=today
        )
        .select_related("programme", "owner__user")
        .prefetch_related("audience")
        .order_by("next_on", "pk")
    )
    sent = 0
    for item in due:
        owner = item.owner
        address = owner.email or (owner.user.email if owner.user_id else "")
        if not address:
            logger.info("No email for %s, owner of communication %s", owner, item.pk)
            continue
        link = settings.SITE_URL.rstrip("/") + reverse("communication_detail", args=[item.pk])
        audience = ", ".join(str(stakeholder) for stakeholder in item.audience.all())
        body = (
            f"Dear {owner.name},\n\n"
            f"This communication of the {item.programme.name} communications plan is due on "
            f"{item.next_on:%-d %B %Y}:\n\n"
            f"To: {audience}\nBy: {item.channel} ({item.get_frequency_display().lower()})\n"
            f"Message: {item.message}\n\n"
            f"Once it is sent, record it here (its next date then moves on):\n{link}\n\n"
            f"{item.programme.name} programme office\n"
        )
        if _send_once(
            f"{item.pk}:{item.next_on.isoformat()}",
            to=[address],
            subject=f"Communication due {item.next_on:%-d %b}: {item.channel}",
            body=body,
        ):
            sent += 1
    return sent
