"""Stakeholders and the communications plan (issue 16, part 5; the Harrow and East Sussex
plans' communications plans and stakeholder matrix).

The programme office keeps the stakeholders and the plan (Action.MANAGE_PROGRAMME). What was
sent is recorded by the line's owner or the programme office
(`programmes.permissions.may_record_communication_sent`); recording it moves the line's next
date on by its frequency (`risks.rules.next_communication_date`).

Every write is one transaction, takes the acting user, checks their role through
`programmes.permissions`, validates, and saves through the models so that the history records
who changed what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from programmes.models import Programme
from programmes.permissions import (
    Action,
    closed_refusal,
    is_closed_for,
    may_record_communication_sent,
    may_see,
    require,
)
from risks.meetings import programme_people
from risks.models import (
    CommunicationFrequency,
    CommunicationItem,
    CommunicationSent,
    Stakeholder,
)
from risks.rules import SCALE, next_communication_date

TEXT_LIMIT = 4000


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _clean(text: str) -> str:
    return (text or "").replace("\r\n", "\n").strip()


# ----- Stakeholders -----


@dataclass
class StakeholderDetails:
    name: str
    interest: int | None
    influence: int | None
    code: str = ""
    notes: str = ""


def _apply_stakeholder(stakeholder: Stakeholder, details: StakeholderDetails, by) -> Stakeholder:
    problems: dict[str, str] = {}
    name, code, notes = _clean(details.name), _clean(details.code), _clean(details.notes)
    if not name:
        problems["name"] = "Enter the stakeholder's name"
    elif len(name) > 200:
        problems["name"] = "The name must be 200 characters or fewer"
    elif (
        Stakeholder.objects.filter(programme_id=stakeholder.programme_id, name__iexact=name)
        .exclude(pk=stakeholder.pk)
        .exists()
    ):
        problems["name"] = "The programme already has a stakeholder of this name"
    if len(code) > 20:
        problems["code"] = "The short name must be 20 characters or fewer"
    if len(notes) > TEXT_LIMIT:
        problems["notes"] = f"The notes must be {TEXT_LIMIT:,} characters or fewer"
    for part, value in (("interest", details.interest), ("influence", details.influence)):
        if value not in SCALE:
            problems[part] = f"Choose the stakeholder's {part}, from 1 (low) to 5 (high)"
    _refuse(problems)
    stakeholder.name, stakeholder.code, stakeholder.notes = name, code, notes
    stakeholder.interest, stakeholder.influence = details.interest, details.influence
    stakeholder._history_user = by
    stakeholder.full_clean(exclude=["version"])
    stakeholder.save()
    return stakeholder


@transaction.atomic
def add_stakeholder(programme: Programme, *, by, details: StakeholderDetails) -> Stakeholder:
    require(by, Action.MANAGE_PROGRAMME, programme)
    return _apply_stakeholder(Stakeholder(programme=programme), details, by)


@transaction.atomic
def edit_stakeholder(
    stakeholder: Stakeholder, *, by, version: int, details: StakeholderDetails
) -> Stakeholder:
    require(by, Action.MANAGE_PROGRAMME, stakeholder)
    stakeholder.version = version
    return _apply_stakeholder(stakeholder, details, by)


# ----- The communications plan -----


@dataclass
class CommunicationDetails:
    message: str
    channel: str
    frequency: str
    owner_id: int | None
    next_on: date | None
    audience_ids: list[int] = field(default_factory=list)


def _apply_item(item: CommunicationItem, details: CommunicationDetails, by) -> CommunicationItem:
    programme = item.programme
    problems: dict[str, str] = {}
    message, channel = _clean(details.message), _clean(details.channel)
    if not message:
        problems["message"] = "Enter the message"
    elif len(message) > TEXT_LIMIT:
        problems["message"] = f"The message must be {TEXT_LIMIT:,} characters or fewer"
    if not channel:
        problems["channel"] = "Enter the channel, such as a highlight report or a team meeting"
    elif len(channel) > 200:
        problems["channel"] = "The channel must be 200 characters or fewer"
    if details.frequency not in CommunicationFrequency.values:
        problems["frequency"] = "Choose how often it is sent"
    elif details.next_on is None and details.frequency != CommunicationFrequency.AS_NEEDED:
        problems["next_on"] = "Enter the date it is next due"
    if details.owner_id is None:
        problems["owner"] = "Choose who owns it"
    elif not programme_people(programme).filter(pk=details.owner_id).exists():
        problems["owner"] = "Choose someone of the programme"
    audience = list(
        Stakeholder.objects.filter(programme_id=programme.pk, pk__in=details.audience_ids)
    )
    if not details.audience_ids:
        problems["audience"] = "Choose at least one stakeholder it is for"
    elif len(audience) != len(set(details.audience_ids)):
        problems["audience"] = "Choose stakeholders of this programme"
    _refuse(problems)
    item.message, item.channel, item.frequency = message, channel, details.frequency
    item.owner_id, item.next_on = details.owner_id, details.next_on
    item._history_user = by
    item.full_clean(exclude=["version", "audience"])
    item.save()
    item.audience.set(audience)
    return item


@transaction.atomic
def add_communication(
    programme: Programme, *, by, details: CommunicationDetails
) -> CommunicationItem:
    require(by, Action.MANAGE_PROGRAMME, programme)
    return _apply_item(CommunicationItem(programme=programme), details, by)


@transaction.atomic
def edit_communication(
    item: CommunicationItem, *, by, version: int, details: CommunicationDetails
) -> CommunicationItem:
    require(by, Action.MANAGE_PROGRAMME, item)
    item.version = version
    return _apply_item(item, details, by)


def require_may_record_sent(user, item: CommunicationItem) -> None:
    """404 for those who cannot see the programme; 403 (saying why) for a closed programme,
    and for those who neither own the line nor run the programme office."""
    if not may_see(user, item):
        raise Http404("Not found")
    if is_closed_for(user, item):
        raise closed_refusal(item)
    if not may_record_communication_sent(user, item):
        raise PermissionDenied(
            "Only the communication's owner or the programme office may record it as sent"
        )


@transaction.atomic
def record_sent(
    item: CommunicationItem, *, by, sent_on: date | None, note: str = ""
) -> CommunicationSent:
    """Record that the line was sent on `sent_on`, and move its next date on by its
    frequency (as needed: the next date is cleared, to be set by hand)."""
    require_may_record_sent(by, item)
    today = timezone.localdate()
    problems: dict[str, str] = {}
    note = _clean(note)
    if sent_on is None:
        problems["sent_on"] = "Enter the date it was sent"
    elif sent_on > today:
        problems["sent_on"] = "The date sent cannot be in the future"
    if len(note) > TEXT_LIMIT:
        problems["note"] = f"The note must be {TEXT_LIMIT:,} characters or fewer"
    _refuse(problems)
    item = CommunicationItem.objects.select_for_update().get(pk=item.pk)
    sent = CommunicationSent.objects.create(
        item=item, sent_on=sent_on, note=note, recorded_by=by, recorded_at=timezone.now()
    )
    item.next_on = next_communication_date(item.frequency, item.next_on, sent_on)
    item._history_user = by
    item.save(update_fields=["next_on", "version"])
    return sent
