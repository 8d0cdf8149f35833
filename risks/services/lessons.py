"""The lessons log, and closing a programme or a workstream (issue 16, part 4; DOMAIN.md:
"a lessons log throughout; a closure report when a programme or workstream closes").

Lessons may be recorded while the programme runs and after it has closed
(`programmes.permissions.OPEN_WHEN_CLOSED`): the lessons learnt come at and after closure.
Closing a programme marks it closed, with the account of its closing (a `Closure`); from then on
the one permission path refuses every change to it but lessons and a benefit owner's
realisation. A workstream is closed by `workstreams.services.structure.close_workstream`
(refused while it has open milestones); its closure report is made from what it holds.

Every write is one transaction, takes the acting user, checks their role through
`programmes.permissions`, validates, and saves through the models so that the history records
who changed what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from programmes.choices import ProgrammeStatus
from programmes.models import Programme
from programmes.permissions import Action, may, require
from risks.meetings import programme_people
from risks.models import Closure, Lesson, LessonCategory
from workstreams.models import Workstream

TEXT_LIMIT = 4000


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _text(problems: dict, name: str, text: str, words: str, *, required: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        problems[name] = f"Enter {words}"
    elif len(text) > TEXT_LIMIT:
        problems[name] = f"{words[0].upper()}{words[1:]} must be {TEXT_LIMIT:,} characters or fewer"
    return text


# ----- The lessons log -----


@dataclass
class LessonDetails:
    """A lesson as its form gives it."""

    what_happened: str
    what_we_learned: str
    do_differently: str
    category: str
    raised_on: date | None
    raised_by_id: int | None = None
    workstream_id: int | None = None


def _apply_lesson(lesson: Lesson, details: LessonDetails, by) -> Lesson:
    programme = lesson.programme
    problems: dict[str, str] = {}
    lesson.what_happened = _text(problems, "what_happened", details.what_happened, "what happened")
    lesson.what_we_learned = _text(
        problems, "what_we_learned", details.what_we_learned, "what was learned"
    )
    lesson.do_differently = _text(
        problems, "do_differently", details.do_differently, "what to do differently"
    )
    if details.category not in LessonCategory.values:
        problems["category"] = "Choose the lesson's category"
    if details.raised_on is None:
        problems["raised_on"] = "Enter the date the lesson was raised"
    elif details.raised_on > timezone.localdate():
        problems["raised_on"] = "The date raised cannot be in the future"
    if (
        details.raised_by_id is not None
        and not programme_people(programme).filter(pk=details.raised_by_id).exists()
    ):
        problems["raised_by"] = "Choose someone of the programme"
    workstream = None
    if details.workstream_id is not None:
        workstream = Workstream.objects.filter(
            pk=details.workstream_id, programme_id=programme.pk
        ).first()
        if workstream is None:
            problems["workstream"] = "Choose one of the programme's workstreams"
    _refuse(problems)
    lesson.category = details.category
    lesson.raised_on = details.raised_on
    lesson.raised_by_id = details.raised_by_id
    lesson.workstream = workstream
    # Where the lesson sits decides who may record it: a lead in their workstream, a project
    # manager in their area, the programme office anywhere.
    if not may(by, Action.RECORD_LESSON, lesson):
        where = f"workstream {workstream.reference}" if workstream else "the programme as a whole"
        raise ValidationError(
            {"workstream": f"Your role does not allow you to record lessons for {where}"}
        )
    lesson._history_user = by
    lesson.full_clean(exclude=["version"])
    lesson.save()
    return lesson


@transaction.atomic
def add_lesson(programme: Programme, *, by, details: LessonDetails) -> Lesson:
    """Add a lesson to the programme's log, numbered after the last."""
    require(by, Action.VIEW, programme)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = Lesson.objects.filter(programme=programme).aggregate(last=Max("number"))["last"]
    lesson = Lesson(programme=programme, number=(last or 0) + 1)
    return _apply_lesson(lesson, details, by)


@transaction.atomic
def edit_lesson(lesson: Lesson, *, by, version: int, details: LessonDetails) -> Lesson:
    """Change a lesson as of the `version` the user saw."""
    require(by, Action.RECORD_LESSON, lesson)
    lesson.version = version
    return _apply_lesson(lesson, details, by)


# ----- Closing -----


@dataclass
class ClosureDetails:
    summary: str
    handed_on_to: str = ""


def _closure_problems(details: ClosureDetails) -> tuple[dict, str, str]:
    problems: dict[str, str] = {}
    summary = _text(problems, "summary", details.summary, "why it closes and what it achieved")
    handed_on_to = _text(
        problems, "handed_on_to", details.handed_on_to, "who takes on what is open", required=False
    )
    return problems, summary, handed_on_to


@transaction.atomic
def close_programme(
    programme: Programme, *, by, version: int, details: ClosureDetails, today: date | None = None
) -> Closure:
    """Close the programme: from now on it only shows, with its history. The programme office
    closes it (Action.MANAGE_PROGRAMME); closing one already closed is refused."""
    require(by, Action.MANAGE_PROGRAMME, programme)
    if programme.status == ProgrammeStatus.CLOSED:
        raise ValidationError("This programme is already closed")
    problems, summary, handed_on_to = _closure_problems(details)
    _refuse(problems)
    today = today or timezone.localdate()
    programme.version = version
    programme.status = ProgrammeStatus.CLOSED
    programme._history_user = by
    programme.save()
    closure = Closure(
        programme=programme,
        closed_on=today,
        closed_by=by,
        summary=summary,
        handed_on_to=handed_on_to,
    )
    closure._history_user = by
    closure.save()
    return closure
