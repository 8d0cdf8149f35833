"""The lessons log (a list, adding and changing lessons) and closing a programme (issue 16,
part 4). The closure report itself is made in reporting (reporting/closure.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from programmes.choices import ProgrammeStatus
from programmes.dates import day_label
from programmes.exports import ExportColumn
from programmes.forms import posted, save_form
from programmes.lists import Column, Listing, programme_for, render_list, text_key
from programmes.models import Programme
from programmes.permissions import Action, get_for, may, may_somewhere, refusal
from risks.filtersets import LessonFilterSet
from risks.forms.lessons import ClosureForm, LessonForm, new_lesson_initial
from risks.models import Issue, IssueStatus, Lesson, Risk, RiskStatus
from risks.services.lessons import add_lesson, close_programme, edit_lesson

LESSONS = Listing(
    name="lessons",
    singular="lesson",
    plural="lessons",
    template="closing/lesson_list.html",
    columns=[
        Column("reference", "Ref", lambda lesson: lesson.number, css="app-table__reference"),
        Column("learned", "What we learned", lambda lesson: text_key(lesson.what_we_learned)),
        Column("category", "Category", lambda lesson: lesson.get_category_display()),
        Column(
            "workstream",
            "Workstream",
            lambda lesson: lesson.workstream.sort_key if lesson.workstream else "",
        ),
        Column(
            "raised_by",
            "Raised by",
            lambda lesson: text_key(lesson.raised_by.name) if lesson.raised_by else None,
        ),
        Column("raised_on", "Raised", lambda lesson: lesson.raised_on),
    ],
    export_columns=[
        ExportColumn("Reference", lambda lesson: lesson.reference),
        ExportColumn("Category", lambda lesson: lesson.get_category_display()),
        ExportColumn(
            "Workstream",
            lambda lesson: str(lesson.workstream) if lesson.workstream else "Programme",
        ),
        ExportColumn("What happened", lambda lesson: lesson.what_happened),
        ExportColumn("What we learned", lambda lesson: lesson.what_we_learned),
        ExportColumn("What to do differently", lambda lesson: lesson.do_differently),
        ExportColumn("Raised by", lambda lesson: lesson.raised_by.name if lesson.raised_by else ""),
        ExportColumn("Raised", lambda lesson: day_label(lesson.raised_on)),
    ],
    default_sort="-raised_on",
)


def may_record_lessons(user, programme: Programme) -> bool:
    """Anyone whose role records lessons somewhere in the programme may add one there (also
    after the programme has closed)."""
    return may_somewhere(user, Action.RECORD_LESSON, programme)


@login_required
@require_safe
def lesson_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    filterset = LessonFilterSet(
        request.GET, programme=programme, queryset=Lesson.objects.filter(programme=programme)
    )

    def rows() -> list[Lesson]:
        lessons = list(filterset.qs.select_related("workstream", "raised_by"))
        for lesson in lessons:
            lesson.can_edit = may(request.user, Action.RECORD_LESSON, lesson)
        return lessons

    return render_list(
        request,
        programme,
        LESSONS,
        filterset,
        rows,
        as_of=timezone.localdate(),
        context={
            "can_add_lesson": may_record_lessons(request.user, programme),
            "is_closed": programme.status == ProgrammeStatus.CLOSED,
        },
    )


def _render_form(request, form, programme, lesson):
    return render(
        request,
        "closing/lesson_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "lesson": lesson,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lesson_add(request, programme_id: int):
    programme = programme_for(request, programme_id)
    if not may_record_lessons(request.user, programme):
        raise refusal(Action.RECORD_LESSON, programme)
    form = LessonForm(
        posted(request), programme=programme, initial=new_lesson_initial(request.user)
    )
    lesson = save_form(
        form,
        lambda data: add_lesson(programme, by=request.user, details=form.details()),
        noun="lesson",
    )
    if lesson is not None:
        messages.success(request, f"Lesson {lesson.reference} added to the lessons log")
        return redirect("lesson_list", programme.pk)
    return _render_form(request, form, programme, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lesson_edit(request, lesson_id: int):
    lesson = get_for(
        request.user,
        Action.RECORD_LESSON,
        Lesson.objects.select_related("programme__organisation", "workstream"),
        pk=lesson_id,
    )
    programme = lesson.programme
    form = LessonForm(posted(request), programme=programme, lesson=lesson)
    if save_form(
        form,
        lambda data: edit_lesson(
            lesson, by=request.user, version=data["version"], details=form.details()
        ),
        noun="lesson",
    ):
        messages.success(request, f"Lesson {lesson.reference} changed")
        return redirect("lesson_list", programme.pk)
    return _render_form(request, form, programme, lesson)


# ----- Closing the programme -----


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def programme_close(request, programme_id: int):
    """Asks first (what closing does, what is still open and will be handed on, a preview of
    the closure report), then closes: the programme then only shows, with its history."""
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = ClosureForm(posted(request), instance=programme)
    closure = save_form(
        form,
        lambda data: close_programme(
            programme, by=request.user, version=data["version"], details=form.details()
        ),
        noun="programme",
        outcome="It has not been closed: check it, and close it again if you still mean to.",
    )
    if closure is not None:
        messages.success(
            request,
            f"{programme.name} is closed. It only shows now, with its history; lessons may "
            "still be recorded, and benefit owners still record what their benefits realise.",
        )
        return redirect("programme_detail", programme.pk)
    open_risks = Risk.objects.filter(programme=programme, status=RiskStatus.OPEN).count()
    open_issues = Issue.objects.filter(programme=programme, status=IssueStatus.OPEN).count()
    return render(
        request,
        "reporting/confirm.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "caption": programme.name,
            "heading": f"Close {programme.name}?",
            "explanation": [
                "Once closed, nobody can change the programme: its plan, risks, issues, "
                "decisions, meetings, budget and reports only show, with their history. "
                "Lessons can still be recorded, and each benefit's owner can still record "
                "what it realises.",
                f"Still open: {open_risks} risk{'s' if open_risks != 1 else ''} and "
                f"{open_issues} issue{'s' if open_issues != 1 else ''}. The closure report "
                "lists them as handed on: say below who takes them on.",
                "A closed programme cannot be reopened here: ask the site administrator.",
            ],
            "details_template": "closing/close_details.html",
            "report_url": reverse("programme_closure_report", args=[programme.pk]),
            "form": form,
            "action_url": reverse("programme_close", args=[programme.pk]),
            "button": "Close the programme",
            "warning": True,
            "cancel_url": reverse("programme_detail", args=[programme.pk]),
        },
        status=409 if form.conflict else 400 if form.errors else 200,
    )
