"""Scope and quality exceptions, raised by hand (DOMAIN.md section 3: "Scope and quality
exceptions are raised by hand"; issue 14, part 6).

The system measures time, cost, benefits and risk against tolerance and finds those
exceptions itself (`reporting.exceptions`); a breach of scope or quality only a person can
see. The area's project manager (for their area and its workstreams) or the programme office
raises one (Action.WRITE_EXCEPTION, the permission to write exception narratives); it is open
from the day it is raised until it is closed, with how it was resolved. While open it is one
of each period's exceptions, found with the others by `detect_exceptions`, so that the
exceptions page, the exception report, My work and `has_exceptions` all count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from programmes.models import Programme, ProgrammeArea, StaleEdit
from programmes.permissions import Action, require
from programmes.snapshots import Snapshot
from reporting.models import RaisedException, RaisedExceptionKind
from workstreams.models import Workstream

TEXT_LIMIT = 4000


@dataclass
class RaisedDetails:
    """What the form says of a raised exception."""

    kind: str
    title: str
    description: str
    area: ProgrammeArea | None = None
    workstream: Workstream | None = None
    raised_on: date | None = None


def raised_problems(details: RaisedDetails, *, today: date) -> dict[str, str]:
    """What makes a raised exception unacceptable, field by field."""
    problems = {}
    if details.kind not in RaisedExceptionKind.values:
        problems["kind"] = "Choose whether it is a scope or a quality exception"
    if not details.title.strip():
        problems["title"] = "Enter a short title for the exception"
    if not details.description.strip():
        problems["description"] = "Describe what is breached, and how"
    elif len(details.description.strip()) > TEXT_LIMIT:
        problems["description"] = f"The description must be {TEXT_LIMIT:,} characters or fewer"
    if details.raised_on is not None and details.raised_on > today:
        problems["raised_on"] = "The date raised must be today or in the past"
    workstream, area = details.workstream, details.area
    if workstream is not None and area is not None and workstream.area_id != area.pk:
        problems["workstream"] = "The workstream must be in the chosen area"
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _apply(raised: RaisedException, details: RaisedDetails) -> None:
    raised.kind = details.kind
    raised.title = details.title.strip()
    raised.description = details.description.strip()
    raised.workstream = details.workstream
    raised.area = details.workstream.area if details.workstream is not None else details.area


@transaction.atomic
def raise_exception(programme: Programme, *, by, details: RaisedDetails) -> RaisedException:
    """Raise a scope or quality exception where the user may write exception narratives: a
    project manager in their area, the programme office anywhere in the programme."""
    today = timezone.localdate()
    raised = RaisedException(programme=programme)
    _apply(raised, details)
    require(by, Action.WRITE_EXCEPTION, raised)
    _refuse(raised_problems(details, today=today))
    raised.raised_on = details.raised_on or today
    raised.raised_by = by
    raised._history_user = by
    raised.save()
    return raised


@transaction.atomic
def edit_raised_exception(
    raised: RaisedException, *, by, version: int, details: RaisedDetails
) -> RaisedException:
    """Change an open raised exception (in the scope it was in, and the one it moves to)."""
    require(by, Action.WRITE_EXCEPTION, raised)
    if raised.is_closed:
        raise ValidationError("This exception is closed: it can no longer be changed")
    _refuse(raised_problems(details, today=timezone.localdate()))
    _apply(raised, details)
    require(by, Action.WRITE_EXCEPTION, raised)
    if details.raised_on is not None:
        raised.raised_on = details.raised_on
    raised.version = version
    raised._history_user = by
    raised.save()
    return raised


@transaction.atomic
def close_raised_exception(
    raised: RaisedException, *, by, version: int, resolution: str, closed_on: date | None = None
) -> RaisedException:
    """Close it, saying how it was resolved: from the day it closes it is no longer an
    exception of the periods that follow."""
    require(by, Action.WRITE_EXCEPTION, raised)
    stored = RaisedException.objects.select_for_update().get(pk=raised.pk)
    if stored.is_closed:
        raise ValidationError(f"This exception was closed on {stored.closed_on:%-d %B %Y}")
    if stored.version != version:
        raise StaleEdit(stored, stored.version)
    today = timezone.localdate()
    closed_on = closed_on or today
    problems = {}
    resolution = (resolution or "").strip()
    if not resolution:
        problems["resolution"] = "Say how the exception was resolved"
    elif len(resolution) > TEXT_LIMIT:
        problems["resolution"] = f"The resolution must be {TEXT_LIMIT:,} characters or fewer"
    if closed_on > today:
        problems["closed_on"] = "The date closed must be today or in the past"
    elif closed_on < stored.raised_on:
        problems["closed_on"] = (
            f"The date closed must be on or after the day it was raised, "
            f"{stored.raised_on:%-d %B %Y}"
        )
    _refuse(problems)
    stored.closed_on = closed_on
    stored.resolution = resolution
    stored._history_user = by
    stored.save()
    return stored


def raised_open_on(programme_id: int, as_of: date, snapshot: Snapshot) -> list[RaisedException]:
    """The raised exceptions open on a day, as they stood then (from the history, for a
    period that has ended): raised on or before it and not closed by it. One query."""
    return [
        raised
        for raised in snapshot.rows(RaisedException, programme_id=programme_id).order_by(
            "raised_on", "id"
        )
        if raised.raised_on <= as_of and (raised.closed_on is None or raised.closed_on > as_of)
    ]
