"""The action log's pages: an action with its updates and history, adding and changing
actions (the programme office), and the owner's update. The programme's list of actions is
in risks/views/lists.py with the other lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from programmes.forms import add_errors, posted, save_form
from programmes.history import Change, HistorySource, describe_history
from programmes.lists import programme_for
from programmes.params import read_id
from programmes.permissions import Action, get_for, may, may_update_action
from risks.forms.meetings import ActionForm, ActionUpdateForm
from risks.models import ActionItem, ActionNote, AgendaItem, BoardMeeting
from risks.services.meetings import add_action, edit_action, require_may_update, update_action


def _action(request, action_item_id: int, action: Action = Action.VIEW) -> ActionItem:
    """The action from those the user may see (404), if their role allows `action` (403)."""
    return get_for(
        request.user,
        action,
        ActionItem.objects.select_related(
            "programme__organisation", "owner", "meeting", "agenda_item"
        ).prefetch_related(
            Prefetch(
                "notes",
                queryset=ActionNote.objects.select_related("author__person").order_by(
                    "written_at", "pk"
                ),
            )
        ),
        pk=action_item_id,
    )


def _history(action: ActionItem) -> list[Change]:
    return describe_history(
        [
            HistorySource(
                ActionItem.history.filter(id=action.pk),
                lambda record: "",
                lambda record: "Added to the action log",
            )
        ]
    )


def _detail(request, action: ActionItem, *, update_form=None, status: int = 200):
    may_update = may_update_action(request.user, action)
    if may_update and update_form is None:
        update_form = ActionUpdateForm(action=action)
    return render(
        request,
        "governance/action_detail.html",
        {
            "action": action,
            "programme": action.programme,
            "header_organisation": action.programme.organisation,
            "is_overdue": action.is_overdue(timezone.localdate()),
            "can_edit": may(request.user, Action.MANAGE_PROGRAMME, action),
            "update_form": update_form if may_update else None,
            "history": _history(action),
        },
        status=status,
    )


@login_required
@require_safe
def action_detail(request, action_item_id: int):
    return _detail(request, _action(request, action_item_id))


def _render_form(request, form, programme, action, meeting=None):
    return render(
        request,
        "governance/action_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "action": action,
            "meeting": meeting,
        },
        status=400 if form.errors else 200,
    )


@login_required
def action_add(request, programme_id: int):
    """A new action; `?meeting=` (and `&item=`) when it arises from a meeting's item."""
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    meeting = (
        BoardMeeting.objects.visible_to(request.user)
        .filter(pk=read_id(request.GET.get("meeting")))
        .filter(programme=programme)
        .first()
    )
    initial = {}
    if meeting is not None:
        initial["meeting"] = meeting.pk
        item = (
            AgendaItem.objects.visible_to(request.user)
            .filter(meeting=meeting, pk=read_id(request.GET.get("item")))
            .first()
        )
        if item is not None:
            initial["agenda_item"] = item.pk
    # Opened from a meeting, only its items are offered; a form sent back is checked against
    # every item of the programme, so that an item of another meeting is told as such.
    form = ActionForm(
        posted(request),
        programme=programme,
        meeting=meeting if request.method == "GET" else None,
        initial=initial,
    )
    action = save_form(
        form,
        lambda data: add_action(programme, by=request.user, details=form.details()),
        noun="action",
    )
    if action is not None:
        messages.success(request, f"Action {action.reference} added")
        if action.meeting_id is not None:
            anchor = f"item-{action.agenda_item_id}" if action.agenda_item_id else "actions"
            return redirect(reverse("meeting_detail", args=[action.meeting_id]) + f"#{anchor}")
        return redirect("action_detail", action.pk)
    return _render_form(request, form, programme, None, meeting)


@login_required
def action_edit(request, action_item_id: int):
    action = _action(request, action_item_id, Action.MANAGE_PROGRAMME)
    form = ActionForm(posted(request), programme=action.programme, action=action)
    if save_form(
        form,
        lambda data: edit_action(
            action, by=request.user, version=data["version"], details=form.details()
        ),
        noun="action",
    ):
        messages.success(request, f"Action {action.reference} changed")
        return redirect("action_detail", action.pk)
    return _render_form(request, form, action.programme, action)


@login_required
@require_POST
def action_update(request, action_item_id: int):
    """The owner (or the programme office) adds an update, and may mark the action done."""
    action = _action(request, action_item_id)
    require_may_update(request.user, action)
    form = ActionUpdateForm(request.POST, action=action)
    if form.is_valid():
        done = form.cleaned_data.get("done", False)
        try:
            update_action(action, by=request.user, note=form.cleaned_data["note"], done=done)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Action {action.reference} marked as done" if done else "Your update is added",
            )
            return redirect("action_detail", action.pk)
    action = _action(request, action_item_id)
    return _detail(request, action, update_form=form, status=400)
