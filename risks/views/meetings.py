"""The programme office's pages for a board meeting: its agenda items (add, change with their
minutes and decisions, reorder, remove), its list of people, and its papers (upload, download,
remove). The meeting's own page, which lists the period's approved reports among its papers,
is in reporting/views/meetings.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from programmes.forms import posted, save_form
from programmes.permissions import Action, get_for
from risks.forms.meetings import AgendaItemForm, AttendanceForm, PaperForm
from risks.models import AgendaItem, Attendance, BoardMeeting, MeetingPaper
from risks.papers import content_type_for
from risks.services.meetings import (
    add_agenda_item,
    add_paper,
    edit_agenda_item,
    move_agenda_item,
    remove_agenda_item,
    remove_paper,
    set_attendance,
)


def _meeting(request, meeting_id: int, action: Action = Action.VIEW) -> BoardMeeting:
    """The meeting from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        BoardMeeting.objects.select_related("programme__organisation", "chair"),
        pk=meeting_id,
    )


def _item(request, item_id: int) -> AgendaItem:
    return get_for(
        request.user,
        Action.MANAGE_PROGRAMME,
        AgendaItem.objects.select_related("meeting__programme__organisation"),
        pk=item_id,
    )


def _back_to(meeting: BoardMeeting, anchor: str) -> str:
    return reverse("meeting_detail", args=[meeting.pk]) + f"#{anchor}"


def _context(meeting: BoardMeeting, **extra) -> dict:
    return {
        "meeting": meeting,
        "programme": meeting.programme,
        "header_organisation": meeting.programme.organisation,
        **extra,
    }


# ----- The agenda -----


def _render_item_form(request, form, meeting, item):
    return render(
        request,
        "governance/agenda_item_form.html",
        _context(meeting, form=form, item=item),
        status=400 if form.errors else 200,
    )


@login_required
def agenda_item_add(request, meeting_id: int):
    meeting = _meeting(request, meeting_id, Action.MANAGE_PROGRAMME)
    form = AgendaItemForm(posted(request), meeting=meeting)
    item = save_form(
        form,
        lambda data: add_agenda_item(meeting, by=request.user, details=form.details()),
        noun="agenda item",
    )
    if item is not None:
        messages.success(request, f"'{item.title}' added to the agenda")
        return redirect(_back_to(meeting, f"item-{item.pk}"))
    return _render_item_form(request, form, meeting, None)


@login_required
def agenda_item_edit(request, item_id: int):
    item = _item(request, item_id)
    meeting = item.meeting
    form = AgendaItemForm(posted(request), meeting=meeting, item=item)
    if save_form(
        form,
        lambda data: edit_agenda_item(
            item, by=request.user, version=data["version"], details=form.details()
        ),
        noun="agenda item",
    ):
        messages.success(request, f"'{item.title}' changed")
        return redirect(_back_to(meeting, f"item-{item.pk}"))
    return _render_item_form(request, form, meeting, item)


@login_required
@require_POST
def agenda_item_move(request, item_id: int):
    """Up or down one place: acts on the agenda as it stands now."""
    item = _item(request, item_id)
    try:
        move_agenda_item(item, by=request.user, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_back_to(item.meeting, f"item-{item.pk}"))


@login_required
def agenda_item_remove(request, item_id: int):
    """Asks first; the item's decisions and actions stay on the meeting's record."""
    item = _item(request, item_id)
    meeting = item.meeting
    if request.method == "POST":
        remove_agenda_item(item, by=request.user)
        messages.success(request, f"'{item.title}' taken off the agenda")
        return redirect(_back_to(meeting, "agenda-items"))
    return render(request, "governance/agenda_item_remove.html", _context(meeting, item=item))


# ----- Who is invited, came, or sent apologies -----


@login_required
def meeting_attendance(request, meeting_id: int):
    meeting = _meeting(request, meeting_id, Action.MANAGE_PROGRAMME)
    listed = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "status"))
    form = AttendanceForm(posted(request), meeting=meeting, listed=listed)
    if save_form(
        form,
        lambda data: set_attendance(
            meeting, by=request.user, version=data["version"], statuses=form.statuses()
        ),
        noun="meeting",
    ):
        messages.success(request, "The list of attendees and apologies is saved")
        return redirect(_back_to(meeting, "attendance"))
    return render(
        request,
        "governance/meeting_attendance.html",
        _context(meeting, form=form),
        status=400 if form.errors else 200,
    )


# ----- Papers -----


@login_required
def meeting_paper_add(request, meeting_id: int):
    meeting = _meeting(request, meeting_id, Action.MANAGE_PROGRAMME)
    form = PaperForm(
        posted(request), request.FILES if request.method == "POST" else None, meeting=meeting
    )
    paper = save_form(
        form,
        lambda data: add_paper(
            meeting,
            by=request.user,
            title=data["title"],
            upload=data["file"],
            agenda_item=data.get("agenda_item"),
        ),
        noun="paper",
    )
    if paper is not None:
        messages.success(request, f"'{paper.title}' uploaded")
        return redirect(_back_to(meeting, "papers"))
    return render(
        request,
        "governance/paper_form.html",
        _context(meeting, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def meeting_paper_download(request, paper_id: int):
    """Only through here, for those who see the programme: anyone else is told it does not
    exist."""
    paper = get_for(
        request.user, Action.VIEW, MeetingPaper.objects.select_related("meeting"), pk=paper_id
    )
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this paper is no longer kept") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=paper.file_name,
        content_type=content_type_for(paper.file_name, paper.kind),
    )


@login_required
def meeting_paper_remove(request, paper_id: int):
    paper = get_for(
        request.user,
        Action.MANAGE_PROGRAMME,
        MeetingPaper.objects.select_related("meeting__programme__organisation"),
        pk=paper_id,
    )
    meeting = paper.meeting
    if request.method == "POST":
        remove_paper(paper, by=request.user)
        messages.success(request, f"'{paper.title}' removed")
        return redirect(_back_to(meeting, "papers"))
    return render(request, "governance/paper_remove.html", _context(meeting, paper=paper))
