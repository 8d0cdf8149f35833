"""Board meetings as the programme office runs them, and the action log: the agenda (items in
order, each with its presenter, paper, decision sought, the decisions taken under it and its
minutes), who was invited, came or sent apologies, the papers uploaded, and the actions with
their owners' updates (DOMAIN.md section 7).

Every write is one transaction, takes the acting user, checks their role through
`programmes.permissions` (the programme office keeps meetings and the action log; an action's
owner adds updates to it and marks it done), validates, and saves through the models so that
the history records who changed what. A stored object saved from a stale copy raises
`programmes.models.StaleEdit`. A paper's file leaves the storage once the removal of its row is
committed; a refused upload never reaches it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from programmes.models import Programme, StaleEdit
from programmes.permissions import (
    Action,
    closed_refusal,
    is_closed_for,
    may_see,
    may_update_action,
    require,
)
from risks.meetings import programme_people
from risks.models import (
    ActionItem,
    ActionNote,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BoardMeeting,
    Decision,
    MeetingPaper,
)
from risks.papers import check_paper

TEXT_LIMIT = 4000
MINUTES_LIMIT = 20000


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _too_long(problems: dict, name: str, text: str, limit: int, words: str) -> None:
    if len(text) > limit:
        problems[name] = f"{words} must be {limit:,} characters or fewer"


def _person_problem(programme: Programme, person_id: int | None, name: str, words: str) -> dict:
    if person_id is None or programme_people(programme).filter(pk=person_id).exists():
        return {}
    return {name: words}


# ----- The agenda -----


@dataclass
class AgendaItemDetails:
    """An agenda item as its form gives it. `minutes` and `decision_ids` (the decisions on the
    meeting's agenda taken under this item) only when changing an item."""

    title: str
    presenter_id: int | None = None
    paper_id: int | None = None
    decision_sought: str = ""
    minutes: str | None = None
    decision_ids: list[int] | None = None


def _item_problems(meeting: BoardMeeting, details: AgendaItemDetails) -> dict[str, str]:
    problems = {}
    if not details.title.strip():
        problems["title"] = "Enter the item's title"
    _too_long(problems, "title", details.title.strip(), 300, "The title")
    _too_long(problems, "decision_sought", details.decision_sought, TEXT_LIMIT, "The decision")
    if details.minutes is not None:
        _too_long(problems, "minutes", details.minutes, MINUTES_LIMIT, "The minutes")
    problems |= _person_problem(
        meeting.programme, details.presenter_id, "presenter", "Choose someone of the programme"
    )
    if (
        details.paper_id is not None
        and not MeetingPaper.objects.filter(pk=details.paper_id, meeting=meeting).exists()
    ):
        problems["paper"] = "Choose one of this meeting's papers"
    if details.decision_ids:
        on_agenda = set(
            Decision.objects.filter(meeting=meeting, pk__in=details.decision_ids).values_list(
                "pk", flat=True
            )
        )
        if on_agenda != set(details.decision_ids):
            problems["decisions"] = "Choose decisions on this meeting's agenda"
    return problems


def _apply_item(item: AgendaItem, details: AgendaItemDetails, by) -> None:
    item.title = details.title.strip()
    item.presenter_id = details.presenter_id
    item.paper_id = details.paper_id
    item.decision_sought = details.decision_sought.strip()
    if details.minutes is not None:
        item.minutes = details.minutes.strip()
    item._history_user = by
    item.full_clean(exclude=["version", "position"])
    item.save()


def _locked(meeting: BoardMeeting) -> BoardMeeting:
    """The meeting's row, locked: its agenda's order is changed one writer at a time."""
    return BoardMeeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def add_agenda_item(meeting: BoardMeeting, *, by, details: AgendaItemDetails) -> AgendaItem:
    """Add an item at the end of a meeting's agenda."""
    require(by, Action.MANAGE_PROGRAMME, meeting)
    details.minutes, details.decision_ids = None, None
    _refuse(_item_problems(meeting, details))
    _locked(meeting)
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(last=Max("position"))["last"]
    item = AgendaItem(meeting=meeting, position=(last or 0) + 1)
    _apply_item(item, details, by)
    return item


def _link_decisions(item: AgendaItem, wanted: list[int], by) -> None:
    """The decisions taken under an item become exactly `wanted` (all on its meeting's
    agenda); each one moved is saved with the history."""
    wanted_set = set(wanted)
    for decision in Decision.objects.select_for_update().filter(meeting_id=item.meeting_id):
        under_item = decision.agenda_item_id == item.pk
        if (decision.pk in wanted_set) == under_item:
            continue
        decision.agenda_item = item if decision.pk in wanted_set else None
        decision._history_user = by
        decision.save(update_fields=["agenda_item"])


@transaction.atomic
def edit_agenda_item(
    item: AgendaItem, *, by, version: int, details: AgendaItemDetails
) -> AgendaItem:
    """Change an item as of the `version` the user saw: its details, its minutes and the
    decisions taken under it."""
    require(by, Action.MANAGE_PROGRAMME, item)
    meeting = item.meeting
    _refuse(_item_problems(meeting, details))
    item.version = version
    _apply_item(item, details, by)
    if details.decision_ids is not None:
        _link_decisions(item, details.decision_ids, by)
    return item


@transaction.atomic
def move_agenda_item(item: AgendaItem, *, by, direction: str) -> AgendaItem:
    """Move an item one place up or down the agenda; the agenda is numbered afresh from the
    rows as they stand, so that two people reordering at once never share a place."""
    require(by, Action.MANAGE_PROGRAMME, item)
    if direction not in ("up", "down"):
        raise ValidationError("Choose up or down")
    _locked(item.meeting)
    items = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting_id=item.meeting_id)
        .order_by("position", "pk")
    )
    index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
    if index is None:
        raise Http404("Not found")
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.position != position:
            other.position = position
            other._history_user = by
            other.save(update_fields=["position"])
    return next(other for other in items if other.pk == item.pk)


@transaction.atomic
def remove_agenda_item(item: AgendaItem, *, by) -> None:
    """Take an item off the agenda. Its decisions and actions stay, under no item."""
    require(by, Action.MANAGE_PROGRAMME, item)
    _locked(item.meeting)
    for related in (
        Decision.objects.select_for_update().filter(agenda_item=item),
        ActionItem.objects.select_for_update().filter(agenda_item=item),
    ):
        for obj in related:
            obj.agenda_item = None
            obj._history_user = by
            obj.save(update_fields=["agenda_item"])
    item._history_user = by
    item.delete()
    for position, other in enumerate(
        AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "pk"), start=1
    ):
        if other.position != position:
            other.position = position
            other._history_user = by
            other.save(update_fields=["position"])


# ----- Who was invited, came, or sent apologies -----

NOT_LISTED = ""


@transaction.atomic
def set_attendance(
    meeting: BoardMeeting, *, by, version: int, statuses: dict[int, str]
) -> BoardMeeting:
    """Record who of the programme's people are on a meeting's list (person id -> invited,
    attended or apologies; NOT_LISTED takes them off), as of the meeting's `version` the user
    saw. Each person's entry keeps its own history; the meeting's says the list changed."""
    require(by, Action.MANAGE_PROGRAMME, meeting)
    stored_version = (
        BoardMeeting.objects.select_for_update()
        .filter(pk=meeting.pk)
        .values_list("version", flat=True)
    ).get()
    if stored_version != version:
        # Refused even if nothing would change: the list was read before another change.
        raise StaleEdit(meeting, stored_version)
    valid = {choice for choice, _ in AttendanceStatus.choices} | {NOT_LISTED}
    if any(status not in valid for status in statuses.values()):
        raise ValidationError("Choose invited, attended or sent apologies")
    allowed = set(
        programme_people(meeting.programme)
        .filter(pk__in=list(statuses))
        .values_list("pk", flat=True)
    )
    stored = {
        entry.person_id: entry
        for entry in Attendance.objects.select_for_update().filter(meeting=meeting)
    }
    if any(pk not in allowed and pk not in stored for pk in statuses):
        raise ValidationError("Choose people of the programme")
    changed = False
    for person_id, status in statuses.items():
        entry = stored.get(person_id)
        if status == NOT_LISTED:
            if entry is not None:
                entry._history_user = by
                entry.delete()
                changed = True
            continue
        if entry is not None and entry.status == status:
            continue
        if entry is None:
            entry = Attendance(meeting=meeting, person_id=person_id)
        entry.status = status
        entry._history_user = by
        entry.save()
        changed = True
    if changed:
        meeting.version = version
        meeting._history_user = by
        meeting._change_reason = "Attendance recorded"
        meeting.save(update_fields=["version"])
    return meeting


# ----- Papers -----


def add_paper(
    meeting: BoardMeeting, *, by, title: str, upload, agenda_item: AgendaItem | None = None
) -> MeetingPaper:
    """Keep an uploaded document as one of a meeting's papers, if it is a PDF, Word, Excel or
    PowerPoint file within the size limit (risks.papers), and make it an item's paper if said.

    Nothing is stored of a file refused. The file is stored under a name of our own (the name
    it came with is kept to download it by), then its row is saved in a transaction of its
    own; if that fails, the file is removed again."""
    require(by, Action.MANAGE_PROGRAMME, meeting)
    problems = {}
    title = title.strip()
    if not title:
        problems["title"] = "Enter the paper's title"
    _too_long(problems, "title", title, 200, "The title")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        problems["agenda_item"] = "Choose an item of this meeting's agenda"
    if upload is None:
        problems["file"] = "Select a file"
    _refuse(problems)
    checked = check_paper(upload)
    paper = MeetingPaper(
        meeting=meeting,
        title=title,
        file_name=PurePath(upload.name).name[-255:],
        kind=checked.kind,
        size_bytes=checked.size_bytes,
        uploaded_by=by,
    )
    paper._history_user = by
    paper.file.save(f"{uuid.uuid4().hex}{checked.extension}", upload, save=False)
    try:
        with transaction.atomic():
            paper.save()
            if agenda_item is not None:
                item = AgendaItem.objects.select_for_update().get(pk=agenda_item.pk)
                item.paper = paper
                item._history_user = by
                item.save(update_fields=["paper"])
    except BaseException:
        paper.file.storage.delete(paper.file.name)
        raise
    return paper


@transaction.atomic
def remove_paper(paper: MeetingPaper, *, by) -> None:
    """Remove a paper; its file leaves the storage once the removal is committed."""
    require(by, Action.MANAGE_PROGRAMME, paper)
    for item in AgendaItem.objects.select_for_update().filter(paper=paper):
        item.paper = None
        item._history_user = by
        item.save(update_fields=["paper"])
    storage, name = paper.file.storage, paper.file.name
    paper._history_user = by
    paper.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ----- The action log -----


@dataclass
class ActionDetails:
    """An action as its form gives it; `status` only when changing one."""

    description: str
    owner_id: int | None
    due_date: date | None
    meeting_id: int | None = None
    agenda_item_id: int | None = None
    status: str | None = None


def _action_problems(programme: Programme, details: ActionDetails) -> tuple[dict, int | None]:
    """Problems field by field, and the meeting the action arises from (an agenda item's, when
    only the item is given)."""
    problems = {}
    description = details.description.strip()
    if not description:
        problems["description"] = "Describe the action"
    _too_long(problems, "description", description, TEXT_LIMIT, "The action")
    if details.owner_id is None:
        problems["owner"] = "Choose who owns the action"
    else:
        problems |= _person_problem(
            programme, details.owner_id, "owner", "Choose someone of the programme"
        )
    if details.due_date is None:
        problems["due_date"] = "Enter the date the action is due"
    if details.status is not None and details.status not in ActionStatus.values:
        problems["status"] = "Choose open, done or dropped"
    meeting_id = details.meeting_id
    if (
        meeting_id is not None
        and not BoardMeeting.objects.filter(pk=meeting_id, programme=programme).exists()
    ):
        problems["meeting"] = "Choose a meeting of this programme"
    if details.agenda_item_id is not None:
        item = (
            AgendaItem.objects.filter(pk=details.agenda_item_id, meeting__programme=programme)
            .only("pk", "meeting_id")
            .first()
        )
        if item is None:
            problems["agenda_item"] = "Choose an item of one of this programme's meetings"
        elif meeting_id is None:
            meeting_id = item.meeting_id
        elif item.meeting_id != meeting_id:
            problems["agenda_item"] = "Choose an item of the meeting chosen, or no meeting"
    return problems, meeting_id


def _apply_action(action: ActionItem, details: ActionDetails, meeting_id, by, today) -> None:
    action.description = details.description.strip()
    action.owner_id = details.owner_id
    action.due_date = details.due_date
    action.meeting_id = meeting_id
    action.agenda_item_id = details.agenda_item_id
    if details.status is not None and details.status != action.status:
        action.status = details.status
        action.closed_on = None if details.status == ActionStatus.OPEN else today
    action._history_user = by
    action.full_clean(exclude=["version", "number"])
    action.save()


@transaction.atomic
def add_action(
    programme: Programme, *, by, details: ActionDetails, today: date | None = None
) -> ActionItem:
    """Add an action to the programme's action log, numbered after the last."""
    require(by, Action.MANAGE_PROGRAMME, programme)
    details.status = None
    problems, meeting_id = _action_problems(programme, details)
    _refuse(problems)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = ActionItem.objects.filter(programme=programme).aggregate(last=Max("number"))["last"]
    action = ActionItem(programme=programme, number=(last or 0) + 1)
    _apply_action(action, details, meeting_id, by, today or timezone.localdate())
    return action


@transaction.atomic
def edit_action(
    action: ActionItem, *, by, version: int, details: ActionDetails, today: date | None = None
) -> ActionItem:
    """Change an action as of the `version` the user saw. Marking it done or dropped dates
    its closing; opening it again clears that."""
    require(by, Action.MANAGE_PROGRAMME, action)
    problems, meeting_id = _action_problems(action.programme, details)
    _refuse(problems)
    action.version = version
    _apply_action(action, details, meeting_id, by, today or timezone.localdate())
    return action


def require_may_update(user, action: ActionItem) -> None:
    """404 for those who cannot see the programme; 403 for those who see it but neither run
    its programme office nor own the action (programmes.permissions.may_update_action)."""
    if not may_see(user, action):
        raise Http404("Not found")
    if is_closed_for(user, action):
        raise closed_refusal(action)
    if not may_update_action(user, action):
        raise PermissionDenied("Only the action's owner or the programme office may do this")


@transaction.atomic
def update_action(
    action: ActionItem, *, by, note: str, done: bool = False, today: date | None = None
) -> ActionItem:
    """The owner's (or the programme office's) update: a dated note, and, if said, the action
    marked done. Acts on the action as stored now; marking one already closed is refused."""
    require_may_update(by, action)
    today = today or timezone.localdate()
    note = (note or "").replace("\r\n", "\n").strip()
    problems = {}
    if not note and not done:
        problems["note"] = "Write an update, or mark the action as done"
    _too_long(problems, "note", note, TEXT_LIMIT, "The update")
    _refuse(problems)
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if done and action.status != ActionStatus.OPEN:
        raise ValidationError(
            {"done": f"Action {action.reference} is already {action.get_status_display().lower()}"}
        )
    if note:
        ActionNote.objects.create(action=action, body=note, author=by, written_at=timezone.now())
    if done:
        action.status = ActionStatus.DONE
        action.closed_on = today
        action._history_user = by
        action.save(update_fields=["status", "closed_on"])
    return action
