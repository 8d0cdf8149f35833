"""Stakeholders (a list with the interest and influence grid, adding and changing them) and
the communications plan (a list, adding and changing its lines, and a line's page where its
owner records what was sent) (issue 16, part 5)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from programmes.choices import ProgrammeStatus
from programmes.dates import day_label
from programmes.exports import ExportColumn
from programmes.forms import add_errors, posted, save_form
from programmes.lists import Column, Listing, programme_for, render_list, text_key
from programmes.permissions import Action, get_for, may, may_record_communication_sent
from risks.filtersets import CommunicationFilterSet, StakeholderFilterSet
from risks.forms.lessons import CommunicationForm, SentForm, StakeholderForm
from risks.models import CommunicationItem, CommunicationSent, Stakeholder
from risks.rules import Quadrant, stakeholder_quadrant
from risks.services.communications import (
    add_communication,
    add_stakeholder,
    edit_communication,
    edit_stakeholder,
    record_sent,
    require_may_record_sent,
)

# ----- Stakeholders -----


@dataclass
class StakeholderRow:
    stakeholder: Stakeholder
    quadrant: Quadrant


QUADRANT_ORDER = {
    Quadrant.MANAGE_CLOSELY: 0,
    Quadrant.KEEP_SATISFIED: 1,
    Quadrant.KEEP_INFORMED: 2,
    Quadrant.MONITOR: 3,
}

STAKEHOLDERS = Listing(
    name="stakeholders",
    singular="stakeholder",
    plural="stakeholders",
    template="stakeholders/stakeholder_list.html",
    columns=[
        Column("name", "Stakeholder", lambda r: text_key(r.stakeholder.name)),
        Column("interest", "Interest", lambda r: r.stakeholder.interest, numeric=True),
        Column("influence", "Influence", lambda r: r.stakeholder.influence, numeric=True),
        Column("quadrant", "Grid", lambda r: QUADRANT_ORDER[r.quadrant]),
        Column("notes", "Notes"),
    ],
    export_columns=[
        ExportColumn("Stakeholder", lambda r: r.stakeholder.name),
        ExportColumn("Short name", lambda r: r.stakeholder.code),
        ExportColumn("Interest", lambda r: r.stakeholder.interest),
        ExportColumn("Influence", lambda r: r.stakeholder.influence),
        ExportColumn("Grid", lambda r: r.quadrant.label),
        ExportColumn("Notes", lambda r: r.stakeholder.notes),
    ],
    default_sort="quadrant",
)


def _grid(rows: list[StakeholderRow]) -> list[dict]:
    """The interest and influence grid: high influence on the top row, high interest on the
    right, each cell naming its stakeholders."""
    cells = []
    for quadrant in (
        Quadrant.KEEP_SATISFIED,
        Quadrant.MANAGE_CLOSELY,
        Quadrant.MONITOR,
        Quadrant.KEEP_INFORMED,
    ):
        cells.append(
            {
                "quadrant": quadrant,
                "stakeholders": [r.stakeholder for r in rows if r.quadrant == quadrant],
            }
        )
    return cells


@login_required
@require_safe
def stakeholder_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    filterset = StakeholderFilterSet(
        request.GET, programme=programme, queryset=Stakeholder.objects.filter(programme=programme)
    )
    loaded: list[StakeholderRow] = []

    def rows() -> list[StakeholderRow]:
        loaded.extend(
            StakeholderRow(s, stakeholder_quadrant(s.interest, s.influence)) for s in filterset.qs
        )
        return loaded

    response = render_list(
        request,
        programme,
        STAKEHOLDERS,
        filterset,
        rows,
        as_of=timezone.localdate(),
        context={
            "can_manage": may(request.user, Action.MANAGE_PROGRAMME, programme),
            "grid": _LazyGrid(loaded, filterset),
        },
    )
    return response


class _LazyGrid:
    """The grid of the rows the list shows, worked out when the template asks for it (after
    the list has loaded them)."""

    def __init__(self, rows: list[StakeholderRow], filterset):
        self.rows, self.filterset = rows, filterset

    def __iter__(self):
        shown = self.filterset.filter_rows(self.rows) if self.filterset.is_valid() else []
        return iter(_grid(shown))


def _stakeholder_form(request, form, programme, stakeholder):
    return render(
        request,
        "stakeholders/stakeholder_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "stakeholder": stakeholder,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stakeholder_add(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = StakeholderForm(posted(request))
    stakeholder = save_form(
        form,
        lambda data: add_stakeholder(programme, by=request.user, details=form.details()),
        noun="stakeholder",
    )
    if stakeholder is not None:
        messages.success(request, f"{stakeholder.name} added to the stakeholders")
        return redirect("stakeholder_list", programme.pk)
    return _stakeholder_form(request, form, programme, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stakeholder_edit(request, stakeholder_id: int):
    stakeholder = get_for(
        request.user,
        Action.MANAGE_PROGRAMME,
        Stakeholder.objects.select_related("programme__organisation"),
        pk=stakeholder_id,
    )
    programme = stakeholder.programme
    form = StakeholderForm(posted(request), instance=stakeholder)
    if save_form(
        form,
        lambda data: edit_stakeholder(
            stakeholder, by=request.user, version=data["version"], details=form.details()
        ),
        noun="stakeholder",
    ):
        messages.success(request, f"{stakeholder.name} changed")
        return redirect("stakeholder_list", programme.pk)
    return _stakeholder_form(request, form, programme, stakeholder)


# ----- The communications plan -----


@dataclass
class CommunicationRow:
    item: CommunicationItem
    is_due: bool
    last_sent: CommunicationSent | None


COMMUNICATIONS = Listing(
    name="communications",
    singular="communication",
    plural="communications",
    template="stakeholders/communication_list.html",
    columns=[
        Column("audience", "Audience"),
        Column("message", "Message", lambda r: text_key(r.item.message)),
        Column("channel", "Channel", lambda r: text_key(r.item.channel)),
        Column("frequency", "Frequency", lambda r: r.item.get_frequency_display()),
        Column("owner", "Owner", lambda r: text_key(r.item.owner.name)),
        Column("next_on", "Next due", lambda r: r.item.next_on),
        Column("sent", "Last sent", lambda r: r.last_sent.sent_on if r.last_sent else None),
    ],
    export_columns=[
        ExportColumn("Audience", lambda r: ", ".join(str(s) for s in r.item.audience.all())),
        ExportColumn("Message", lambda r: r.item.message),
        ExportColumn("Channel", lambda r: r.item.channel),
        ExportColumn("Frequency", lambda r: r.item.get_frequency_display()),
        ExportColumn("Owner", lambda r: r.item.owner.name),
        ExportColumn("Next due", lambda r: day_label(r.item.next_on) if r.item.next_on else ""),
        ExportColumn("Last sent", lambda r: day_label(r.last_sent.sent_on) if r.last_sent else ""),
    ],
    default_sort="next_on",
)


@login_required
@require_safe
def communication_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    filterset = CommunicationFilterSet(
        request.GET,
        programme=programme,
        queryset=CommunicationItem.objects.filter(programme=programme),
    )

    def rows() -> list[CommunicationRow]:
        today = timezone.localdate()
        items = filterset.qs.select_related("owner").prefetch_related(
            Prefetch("audience", queryset=Stakeholder.objects.order_by("name")),
            Prefetch("sent", queryset=CommunicationSent.objects.order_by("-sent_on", "-pk")),
        )
        return [
            CommunicationRow(
                item,
                item.next_on is not None and item.next_on <= today,
                next(iter(item.sent.all()), None),
            )
            for item in items
        ]

    return render_list(
        request,
        programme,
        COMMUNICATIONS,
        filterset,
        rows,
        as_of=timezone.localdate(),
        context={"can_manage": may(request.user, Action.MANAGE_PROGRAMME, programme)},
    )


def _communication_form(request, form, programme, item):
    return render(
        request,
        "stakeholders/communication_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "item": item,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def communication_add(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = CommunicationForm(posted(request), programme=programme)
    item = save_form(
        form,
        lambda data: add_communication(programme, by=request.user, details=form.details()),
        noun="communication",
    )
    if item is not None:
        messages.success(request, "Added to the communications plan")
        return redirect("communication_detail", item.pk)
    return _communication_form(request, form, programme, None)


def _item(request, communication_id: int, action: Action = Action.VIEW) -> CommunicationItem:
    return get_for(
        request.user,
        action,
        CommunicationItem.objects.select_related("programme__organisation", "owner"),
        pk=communication_id,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def communication_edit(request, communication_id: int):
    item = _item(request, communication_id, Action.MANAGE_PROGRAMME)
    programme = item.programme
    form = CommunicationForm(posted(request), programme=programme, item=item)
    if save_form(
        form,
        lambda data: edit_communication(
            item, by=request.user, version=data["version"], details=form.details()
        ),
        noun="communication",
    ):
        messages.success(request, "The communication is changed")
        return redirect("communication_detail", item.pk)
    return _communication_form(request, form, programme, item)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def communication_detail(request, communication_id: int):
    """A line of the plan with what was sent of it; its owner (or the programme office)
    records here that it was sent, which moves its next date on by its frequency."""
    item = _item(request, communication_id)
    status = 200
    form = None
    if request.method == "POST":
        require_may_record_sent(request.user, item)
        form = SentForm(request.POST)
        if form.is_valid():
            try:
                record_sent(
                    item,
                    by=request.user,
                    sent_on=form.cleaned_data["sent_on"],
                    note=form.cleaned_data.get("note", ""),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                item.refresh_from_db(fields=["next_on", "version"])
                messages.success(
                    request,
                    "Recorded as sent. "
                    + (
                        f"It is next due on {item.next_on:%-d %B %Y}."
                        if item.next_on
                        else "It is sent as needed: set its next date when one is known."
                    ),
                )
                return redirect("communication_detail", item.pk)
        status = 400
    may_record = may_record_communication_sent(request.user, item)
    if may_record and form is None:
        form = SentForm(initial={"sent_on": timezone.localdate()})
    return render(
        request,
        "stakeholders/communication_detail.html",
        {
            "item": item,
            "programme": item.programme,
            "header_organisation": item.programme.organisation,
            "audience": item.audience.order_by("name"),
            "sent": item.sent.select_related("recorded_by__person").order_by("-sent_on", "-pk"),
            "form": form if may_record else None,
            "can_edit": may(request.user, Action.MANAGE_PROGRAMME, item),
            "is_closed": item.programme.status == ProgrammeStatus.CLOSED,
            "today": timezone.localdate(),
        },
        status=status,
    )
