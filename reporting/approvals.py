"""Sending back instead of approving (issue 13, part 5).

Beside every Approve there is "Send back", with a comment: the sponsor sends an exception's
narrative back to the project manager who wrote it; the programme office sends a report back
to whoever asked for it (for a report the schedule made, to the programme's project managers,
who write what the reports say). The comment goes into the item's comments, marked "Sent
back", the item shows that it was sent back until it is written again (a narrative) or
approved, and the author is emailed a link once the transaction commits.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.comments import add_comment, email_address
from programmes.jobs import queue_after_commit
from programmes.models import CommentKind, Membership, Person, ReportingPeriod
from programmes.permissions import Action, require
from reporting.exceptions import Breach
from reporting.models import ExceptionNarrative, ReportRun, RunStatus
from reporting.narratives import placed_at

COMMENT_LIMIT = 4000


def _clean(comment: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what needs to change before sending it back"})
    if len(comment) > COMMENT_LIMIT:
        raise ValidationError(
            {"comment": f"The comment must be {COMMENT_LIMIT:,} characters or fewer"}
        )
    return comment


@transaction.atomic
def send_back_narrative(
    period: ReportingPeriod, breach: Breach, *, by, comment: str
) -> ExceptionNarrative:
    """The approver sends an exception's narrative back to its author with a comment."""
    require(by, Action.APPROVE_EXCEPTION, placed_at(period, breach))
    comment = _clean(comment)
    narrative = (
        ExceptionNarrative.objects.select_for_update().filter(period=period, key=breach.key).first()
    )
    if narrative is None:
        raise ValidationError(
            {
                "comment": "Nothing has been written for this exception yet, so there is nothing "
                "to send back"
            }
        )
    narrative.sent_back_at = timezone.now()
    narrative.sent_back_by = by
    if narrative.approved_at is not None:
        narrative.approved_at = None
        narrative.approved_by = None
    narrative._history_user = by
    narrative._change_reason = f"Sent back: {comment}"[:100]
    narrative.save()
    add_comment(period, comment, by=by, topic=breach.key, kind=CommentKind.SENT_BACK)
    queue_after_commit("reporting.email_sent_back", "narrative", narrative.pk, comment)
    return narrative


@transaction.atomic
def send_back_run(run: ReportRun, *, by, comment: str) -> ReportRun:
    """The programme office sends a finished, unapproved report back with a comment."""
    require(by, Action.MANAGE_PROGRAMME, run.programme)
    comment = _clean(comment)
    run = ReportRun.objects.select_for_update(of=("self",)).select_related("period").get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ValidationError({"comment": "Only a finished report can be sent back"})
    if run.approved_at is not None:
        raise ValidationError(
            {"comment": "This report is approved and locked: make a new version instead"}
        )
    run.sent_back_at = timezone.now()
    run.sent_back_by = by
    run._history_user = by
    run.save()
    add_comment(run, comment, by=by, kind=CommentKind.SENT_BACK)
    queue_after_commit("reporting.email_sent_back", "report", run.pk, comment)
    return run


def name_of(user) -> str:
    """How a user is named to others: their person's name, else their sign-in name."""
    if user is None:
        return "Someone"
    person = Person.objects.filter(user=user).first()
    return person.name if person is not None else user.get_username()


def email_sent_back(kind: str, object_id: int, comment: str) -> int:
    """Tell the author that their narrative or report was sent back; returns emails sent."""
    site = settings.SITE_URL.rstrip("/")
    if kind == "narrative":
        narrative = ExceptionNarrative.objects.select_related(
            "period__programme", "written_by", "sent_back_by"
        ).get(pk=object_id)
        period = narrative.period
        authors = [Person.objects.filter(user=narrative.written_by).select_related("user").first()]
        what = f"your narrative for an exception in {period.label}"
        link = f"{site}{reverse('period_exceptions', args=[period.pk])}#{narrative.key.replace(':', '-')}"
        by, programme = narrative.sent_back_by, period.programme
    else:
        run = ReportRun.objects.select_related("programme", "period", "sent_back_by").get(
            pk=object_id
        )
        if run.requested_by_id is not None:
            authors = [
                Person.objects.filter(user_id=run.requested_by_id).select_related("user").first()
            ]
        else:
            authors = [
                membership.person
                for membership in Membership.objects.filter(
                    programme=run.programme, role=Role.PROJECT_MANAGER
                ).select_related("person__user")
            ]
        what = (
            f"the {run.get_kind_display().lower()} for {run.period.label} (version {run.version})"
        )
        link = f"{site}{run.get_absolute_url()}"
        by, programme = run.sent_back_by, run.programme
    sender = name_of(by)
    sent, seen = 0, set()
    for person in authors:
        address = email_address(person) if person is not None else ""
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        send_mail(
            f"Sent back by {sender}: {what} ({programme.name})",
            f"Dear {person.name},\n\n{sender} sent back {what} instead of approving it, "
            f"with this comment:\n\n{comment}\n\nSee it and answer: {link}\n\n"
            f"{programme.name} programme office\n",
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
        sent += 1
    return sent
