"""Writes to the plan's structure: programme areas (added, changed, reordered, closed, and
their key documents) and workstreams (added, changed, moved to another area, closed).

Each is one transaction, takes the acting user, checks their role, refuses bad input by
field (ValidationError) and saves through the models, so that the history says who changed
what. A save based on a stale copy raises `programmes.models.StaleEdit`.

Areas belong to the programme office (MANAGE_PROGRAMME); workstreams to the project manager
of their area and the programme office (EDIT_PLAN). A closed area or workstream only shows.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from programmes.models import Objective, OutcomeCategory, Person, Programme, ProgrammeArea
from programmes.permissions import Action, may, require
from programmes.references import reference_sort_key
from programmes.services import replace_key_documents
from workstreams.models import Milestone, MilestoneStatus, Workstream

# Sent when a workstream moves to another area (`sender` is Workstream; `workstream`, `from_area`,
# `by`), inside the move's transaction: what sits in the workstream and records its area too
# (risks and issues, above this app) follows it there.
workstream_moved = Signal()

# As the model's URL field takes them: a web address with its scheme.
_LINK = URLValidator(schemes=["http", "https"])
# More key documents than anyone keeps to hand: the page offers at most this many rows.
MOST_KEY_DOCUMENTS = 50


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _names(items) -> str:
    return "; ".join(f"{item.reference} {item.name}" for item in items)


def _people_problems(programme: Programme, people: dict[str, int | None]) -> dict[str, str]:
    """Each named person must be one of the programme's organisation's people."""
    wanted = {person_id for person_id in people.values() if person_id}
    found = set(
        Person.objects.filter(pk__in=wanted, organisation_id=programme.organisation_id).values_list(
            "pk", flat=True
        )
    )
    return {
        name: "Choose one of the organisation's people"
        for name, person_id in people.items()
        if person_id and person_id not in found
    }


# ----- Programme areas -----


@dataclass
class AreaDetails:
    """What the programme office sets of an area; blank tolerances follow the programme's."""

    reference: str
    name: str
    aim: str = ""
    sponsor_id: int | None = None
    project_manager_id: int | None = None
    interdependencies: str = ""
    time_tolerance_days: int | None = None
    cost_tolerance_percent: Decimal | None = None
    benefit_tolerance_percent: Decimal | None = None
    risk_tolerance_score: int | None = None


AREA_TOLERANCES = (
    "time_tolerance_days",
    "cost_tolerance_percent",
    "benefit_tolerance_percent",
    "risk_tolerance_score",
)


def area_problems(
    programme: Programme, details: AreaDetails, area: ProgrammeArea | None = None
) -> dict[str, str]:
    """A reference is needed and unique within the programme; a name is needed; the sponsor
    and project manager are the organisation's people."""
    problems = {}
    reference = details.reference.strip()
    if not reference:
        problems["reference"] = "Enter the area's reference, such as 1"
    else:
        clash = ProgrammeArea.objects.filter(programme=programme, reference=reference)
        if area is not None:
            clash = clash.exclude(pk=area.pk)
        if clash.exists():
            problems["reference"] = (
                f"This programme already has an area {reference}: choose another reference"
            )
    if not details.name.strip():
        problems["name"] = "Enter the area's name"
    problems.update(
        _people_problems(
            programme,
            {"sponsor": details.sponsor_id, "project_manager": details.project_manager_id},
        )
    )
    return problems


def _refuse_closed_area(area: ProgrammeArea) -> None:
    if area.is_closed:
        raise ValidationError(
            f"Area {area.reference} closed on {area.closed_on:%-d %B %Y}: it only shows, "
            "and cannot be changed"
        )


def _apply_area(area: ProgrammeArea, details: AreaDetails, *, by) -> ProgrammeArea:
    area.reference = details.reference.strip()
    area.name = details.name.strip()
    area.aim = details.aim.strip()
    area.sponsor_id = details.sponsor_id
    area.project_manager_id = details.project_manager_id
    area.interdependencies = details.interdependencies.strip()
    for name in AREA_TOLERANCES:
        setattr(area, name, getattr(details, name))
    area._history_user = by
    area.full_clean(exclude=["version", "sort_key"])
    # The area's sponsor and project manager hold those roles through `programmes.signals`.
    area.save()
    return area


@transaction.atomic
def add_area(programme: Programme, *, by, details: AreaDetails) -> ProgrammeArea:
    """A new area, in its natural place among the programme's others: after the last one
    whose reference sorts before its own (2 before 10), however they have been reordered."""
    require(by, Action.MANAGE_PROGRAMME, programme)
    _refuse(area_problems(programme, details))
    siblings = list(
        ProgrammeArea.objects.select_for_update()
        .filter(programme=programme)
        .order_by("position", "sort_key")
    )
    key = reference_sort_key(details.reference.strip())
    place = max((i + 1 for i, sibling in enumerate(siblings) if sibling.sort_key < key), default=0)
    if place == len(siblings):  # the last: the others stay as they are
        position = max((sibling.position for sibling in siblings), default=0) + 1
    else:
        siblings.insert(place, None)
        _renumber(siblings, by=by)
        position = place + 1
    return _apply_area(ProgrammeArea(programme=programme, position=position), details, by=by)


def _renumber(areas: list[ProgrammeArea | None], *, by) -> None:
    """Number the areas 1, 2, ... in this order (None: a place kept for a new one)."""
    for position, area in enumerate(areas, start=1):
        if area is not None and area.position != position:
            area.position = position
            area._history_user = by
            area.save(update_fields=["position"])


@transaction.atomic
def change_area(area: ProgrammeArea, *, by, version: int, details: AreaDetails) -> ProgrammeArea:
    """Change an open area. A new sponsor or project manager takes the role from the one
    before, at once."""
    require(by, Action.MANAGE_PROGRAMME, area)
    _refuse_closed_area(area)
    _refuse(area_problems(area.programme, details, area))
    area.version = version
    return _apply_area(area, details, by=by)


@transaction.atomic
def move_area(area: ProgrammeArea, *, by, up: bool) -> None:
    """Move an area one place up or down in its programme's order."""
    require(by, Action.MANAGE_PROGRAMME, area)
    siblings = list(
        ProgrammeArea.objects.select_for_update()
        .filter(programme=area.programme_id)
        .order_by("position", "sort_key")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == area.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings, by=by)


def open_workstreams(area: ProgrammeArea) -> list[Workstream]:
    return list(area.workstreams.filter(closed_on__isnull=True).order_by("sort_key"))


@transaction.atomic
def close_area(
    area: ProgrammeArea, *, by, version: int, today: date | None = None
) -> ProgrammeArea:
    """Close an area whose work is done. Refused while it has open workstreams: each must be
    closed, or moved to another area, first (a closed area only shows, so nobody could
    report on them)."""
    require(by, Action.MANAGE_PROGRAMME, area)
    _refuse_closed_area(area)
    still_open = open_workstreams(area)
    if still_open:
        raise ValidationError(
            f"Area {area.reference} still has open workstreams: {_names(still_open)}. "
            "Close them, or move them to another area, first."
        )
    area.version = version
    area.closed_on = today or timezone.localdate()
    area._history_user = by
    area.save()
    return area


def document_field(index: int, part: str) -> str:
    """The name of a key document row's title or link ("document-0-title"), counting rows from
    0 as the page lists them: where a problem with the row is shown."""
    return f"document-{index}-{part}"


def key_document_problems(documents: list[tuple[str, str]]) -> dict[str, str]:
    """Each row (title, link) needs a title; a link must be a web address; no title twice.
    Problems are named by row and part (`document_field`)."""
    problems = {}
    if len(documents) > MOST_KEY_DOCUMENTS:
        problems["__all__"] = f"An area can keep up to {MOST_KEY_DOCUMENTS} key documents"
    seen = set()
    for index, (title, url) in enumerate(documents):
        if not title.strip():
            problems[document_field(index, "title")] = "Enter the document's title"
        elif len(title) > 300:
            problems[document_field(index, "title")] = "The title must be 300 characters or fewer"
        elif title.strip() in seen:
            problems[document_field(index, "title")] = (
                f"{title.strip()} is listed twice: list it once"
            )
        seen.add(title.strip())
        if url:
            try:
                _LINK(url)
            except ValidationError:
                problems[document_field(index, "url")] = (
                    "Enter the link as a web address, starting with https://"
                )
            if len(url) > 500:
                problems[document_field(index, "url")] = "The link must be 500 characters or fewer"
    return problems


@transaction.atomic
def change_key_documents(
    area: ProgrammeArea, *, by, version: int, documents: list[tuple[str, str]]
) -> ProgrammeArea:
    """Make the area's key documents these (title, link) rows, in this order. The area's
    version guards the list as a whole: two people editing it at once cannot both save."""
    require(by, Action.MANAGE_PROGRAMME, area)
    _refuse_closed_area(area)
    documents = [(title.strip(), url.strip()) for title, url in documents]
    _refuse(key_document_problems(documents))
    area.version = version
    area._history_user = by
    area.save(update_fields=["version"])
    replace_key_documents(area, documents, by=by)
    return area


# ----- Workstreams -----


@dataclass
class WorkstreamDetails:
    """What the project manager or the programme office sets of a workstream."""

    reference: str
    name: str
    lead_id: int | None = None
    outcomes: str = ""
    outcome_category_ids: list[int] = field(default_factory=list)
    objective_id: int | None = None
    funding_notes: str = ""
    depends_on_ids: list[int] = field(default_factory=list)


def dependency_loop(
    programme: Programme, workstream: Workstream | None, depends_on_ids: list[int]
) -> list[int] | None:
    """The loop a workstream's dependencies would make, as the ids along it (the workstream
    first and last), or None. A workstream cannot, however indirectly, depend on itself:
    neither could finish first (DOMAIN.md section 1, "Interdependencies"). One query."""
    if workstream is None or workstream.pk is None:
        return None  # nothing depends on a new workstream yet
    edges: dict[int, list[int]] = {}
    through = Workstream.depends_on.through.objects.filter(
        from_workstream__programme_id=programme.pk
    ).exclude(from_workstream_id=workstream.pk)
    for source, target in through.values_list("from_workstream_id", "to_workstream_id"):
        edges.setdefault(source, []).append(target)
    edges[workstream.pk] = list(depends_on_ids)
    came_from = {workstream.pk: None}
    queue = deque([workstream.pk])
    while queue:
        node = queue.popleft()
        for target in edges.get(node, []):
            if target == workstream.pk:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return [workstream.pk, *reversed(path[:-1]), workstream.pk]
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    return None


def workstream_problems(
    programme: Programme, details: WorkstreamDetails, workstream: Workstream | None = None
) -> dict[str, str]:
    """A reference is needed and unique within the programme, and a name; the lead is one of
    the organisation's people, the objective one of its objectives; dependencies are other
    workstreams of the programme, in any area, and make no loop."""
    problems = {}
    reference = details.reference.strip()
    if not reference:
        problems["reference"] = "Enter the workstream's reference, such as 1.1"
    else:
        clash = Workstream.objects.filter(programme=programme, reference=reference)
        if workstream is not None:
            clash = clash.exclude(pk=workstream.pk)
        if clash.exists():
            problems["reference"] = (
                f"This programme already has a workstream {reference}: choose another reference"
            )
    if not details.name.strip():
        problems["name"] = "Enter the workstream's name"
    problems.update(_people_problems(programme, {"lead": details.lead_id}))
    if (
        details.objective_id is not None
        and not Objective.objects.filter(
            pk=details.objective_id, organisation_id=programme.organisation_id
        ).exists()
    ):
        problems["objective"] = "Choose one of the organisation's objectives"
    categories = set(details.outcome_category_ids)
    if len(OutcomeCategory.objects.filter(pk__in=categories)) != len(categories):
        problems["outcome_categories"] = "Choose from the outcome categories listed"
    wanted = set(details.depends_on_ids)
    if workstream is not None and workstream.pk in wanted:
        problems["depends_on"] = "A workstream cannot depend on itself"
    elif Workstream.objects.filter(programme=programme, pk__in=wanted).count() != len(wanted):
        problems["depends_on"] = "Choose from the programme's other workstreams"
    else:
        loop = dependency_loop(programme, workstream, sorted(wanted))
        if loop:
            references = Workstream.objects.in_bulk(set(loop))
            chain = ", which depends on ".join(references[pk].reference for pk in loop)
            problems["depends_on"] = (
                f"That would make a loop: {chain}. A workstream cannot depend on one that needs it."
            )
    return problems


def lead_change_problem(
    workstream: Workstream, new_lead_id: int | None, *, confirmed: bool
) -> str | None:
    """Changing the lead of a workstream whose lead owns open milestones in it says so, and
    asks to be confirmed: once no longer the lead they cannot update those milestones. On
    confirmation the new lead takes them over (see `change_workstream`). None when there is
    nothing to say."""
    old = workstream.lead
    if old is None or new_lead_id == workstream.lead_id or confirmed:
        return None
    owned = list(open_milestones_of(workstream, owner_id=old.pk))
    if not owned:
        return None
    references = ", ".join(milestone.reference for milestone in owned)
    count = f"{len(owned)} open milestone{'s' if len(owned) != 1 else ''}"
    then = (
        "They pass to the new lead when you confirm the change."
        if new_lead_id
        else f"With no new lead they stay {old.name}'s, who could then no longer update them."
    )
    return f"{old.name} owns {count} of this workstream ({references}). {then}"


def open_milestones_of(workstream: Workstream, *, owner_id: int | None = None):
    milestones = Milestone.objects.filter(workstream=workstream).exclude(
        status=MilestoneStatus.COMPLETE
    )
    if owner_id is not None:
        milestones = milestones.filter(owner_id=owner_id)
    return milestones.order_by("position", "sort_key")


def _set_links(workstream: Workstream, details: WorkstreamDetails, *, record: bool) -> None:
    """Set the workstream's outcome categories and dependencies. Unrecorded, the save that
    follows records them with the rest of the change, as one change in the history."""
    if not record:
        workstream.skip_history_when_saving = True
    try:
        workstream.outcome_categories.set(details.outcome_category_ids)
        workstream.depends_on.set(details.depends_on_ids)
    finally:
        if not record:
            del workstream.skip_history_when_saving


def _apply_workstream(workstream: Workstream, details: WorkstreamDetails) -> None:
    workstream.reference = details.reference.strip()
    workstream.name = details.name.strip()
    workstream.lead_id = details.lead_id
    workstream.outcomes = details.outcomes.strip()
    workstream.objective_id = details.objective_id
    workstream.funding_notes = details.funding_notes.strip()


def _refuse_closed_workstream(workstream: Workstream) -> None:
    if workstream.is_closed:
        raise ValidationError(
            f"Workstream {workstream.reference} closed on {workstream.closed_on:%-d %B %Y}: "
            "it only shows, and cannot be changed"
        )


@transaction.atomic
def add_workstream(area: ProgrammeArea, *, by, details: WorkstreamDetails) -> Workstream:
    """A new workstream in an open area. Its lead holds the lead's role in it through
    `workstreams.signals`."""
    require(by, Action.EDIT_PLAN, area)
    _refuse_closed_area(area)
    programme = area.programme
    _refuse(workstream_problems(programme, details))
    workstream = Workstream(programme=programme, area=area)
    _apply_workstream(workstream, details)
    workstream._history_user = by
    workstream.full_clean(exclude=["version", "sort_key"])
    workstream.save()
    _set_links(workstream, details, record=True)
    return workstream


@transaction.atomic
def change_workstream(
    workstream: Workstream,
    *,
    by,
    version: int,
    details: WorkstreamDetails,
    area: ProgrammeArea | None = None,
    lead_change_confirmed: bool = False,
) -> Workstream:
    """Change an open workstream, and move it to `area` if another. Moving needs the right
    to change the plan in both areas (a project manager moves only between areas they
    manage); references are the programme's, so a move keeps it unique. A new lead takes
    over the open milestones the lead before owned, once the change is confirmed."""
    require(by, Action.EDIT_PLAN, workstream)
    _refuse_closed_workstream(workstream)
    programme = workstream.programme
    problems = workstream_problems(programme, details, workstream)
    moving = area is not None and area.pk != workstream.area_id
    if moving:
        if area.programme_id != programme.pk:
            problems["area"] = "Choose one of the programme's areas"
        elif not may(by, Action.EDIT_PLAN, area):
            problems["area"] = (
                f"You may not change the plan of area {area.reference}: ask the programme "
                "office to move the workstream there"
            )
        elif area.is_closed:
            problems["area"] = f"Area {area.reference} is closed: choose an open area"
    lead_problem = lead_change_problem(workstream, details.lead_id, confirmed=lead_change_confirmed)
    if lead_problem:
        problems.setdefault("lead", lead_problem)
    _refuse(problems)

    previous_lead_id, previous_area = workstream.lead_id, workstream.area
    workstream.version = version
    _apply_workstream(workstream, details)
    if moving:
        workstream.area = area
    workstream._history_user = by
    workstream.full_clean(exclude=["version", "sort_key"])
    _set_links(workstream, details, record=False)
    workstream.save()
    if previous_lead_id and details.lead_id and previous_lead_id != details.lead_id:
        for milestone in open_milestones_of(workstream, owner_id=previous_lead_id):
            milestone.owner_id = details.lead_id
            milestone._history_user = by
            milestone.save(update_fields=["owner"])
    if moving:
        workstream_moved.send(
            sender=Workstream, workstream=workstream, from_area=previous_area, by=by
        )
    return workstream


@transaction.atomic
def close_workstream(
    workstream: Workstream, *, by, version: int, today: date | None = None
) -> Workstream:
    """Close a workstream whose work is done. Refused while it has open milestones: a closed
    workstream only shows, so nobody could then complete or re-plan them, and an overdue one
    would count against the programme for good. Complete or remove them first."""
    require(by, Action.EDIT_PLAN, workstream)
    _refuse_closed_workstream(workstream)
    still_open = list(open_milestones_of(workstream))
    if still_open:
        listed = "; ".join(f"{m.reference} {m.title}" for m in still_open[:10])
        more = f" and {len(still_open) - 10} more" if len(still_open) > 10 else ""
        raise ValidationError(
            f"Workstream {workstream.reference} still has open milestones: {listed}{more}. "
            "Complete or remove them first."
        )
    workstream.version = version
    workstream.closed_on = today or timezone.localdate()
    workstream._history_user = by
    workstream.save()
    return workstream
