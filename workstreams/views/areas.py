"""Programme area pages: the areas of a programme in order, one area with its workstreams
rated, and the programme office's changes: add, edit, key documents, reorder, close."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from programmes.forms import ChangeForm, posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import KeyDocument, ProgrammeArea
from programmes.params import read_int
from programmes.permissions import Action, get_for, may
from workstreams.assessment import AreaRating, assess_programme
from workstreams.forms import AreaForm, KeyDocumentsForm
from workstreams.services.structure import (
    add_area,
    change_area,
    change_key_documents,
    close_area,
    move_area,
    open_workstreams,
)


def _area(request, area_id: int, action: Action = Action.VIEW) -> ProgrammeArea:
    """The area from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        ProgrammeArea.objects.select_related(
            "programme__organisation", "sponsor", "project_manager"
        ),
        pk=area_id,
    )


def _page(area: ProgrammeArea, **context) -> dict:
    programme = area.programme
    return {
        "area": area,
        "programme": programme,
        "header_organisation": programme.organisation,
        **context,
    }


def area_rating(area: ProgrammeArea) -> AreaRating:
    """The area as the programme's rating rates it today: the one rating path, so that the
    area's page and the dashboard agree."""
    rating = assess_programme(area.programme, timezone.localdate())
    return next(item for item in rating.areas if item.area.pk == area.pk)


def area_history(area: ProgrammeArea) -> list:
    return describe_history(
        [
            HistorySource(ProgrammeArea.history.filter(id=area.pk), lambda record: "Area"),
            HistorySource(
                KeyDocument.history.filter(area_id=area.pk),
                lambda record: f"Key document “{record.title}”",
            ),
        ]
    )


def tolerance_rows(area: ProgrammeArea) -> list[tuple[str, str, bool]]:
    """(what, the tolerance that applies, whether the area sets it) for the area's page."""
    applies = area.programme.tolerances_for(area)
    return [
        ("Time", f"{applies.time_days} days", area.time_tolerance_days is not None),
        (
            "Cost",
            f"{applies.cost_percent.normalize():f}%",
            area.cost_tolerance_percent is not None,
        ),
        (
            "Benefits",
            f"{applies.benefit_percent.normalize():f}%",
            area.benefit_tolerance_percent is not None,
        ),
        (
            "Risks go to the board from",
            f"a score of {applies.risk_score}",
            area.risk_tolerance_score is not None,
        ),
    ]


@login_required
@require_safe
def area_list(request, programme_id: int):
    """The programme's areas in their order, each with its rating."""
    programme = programme_for(request, programme_id)
    rating = assess_programme(programme, timezone.localdate())
    return render(
        request,
        "workstreams/area_list.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "areas": rating.areas,
            "can_manage": may(request.user, Action.MANAGE_PROGRAMME, programme),
        },
    )


@login_required
@require_safe
def area_detail(request, area_id: int):
    area = _area(request, area_id)
    return render(
        request,
        "workstreams/area_detail.html",
        _page(
            area,
            rating=area_rating(area),
            documents=list(area.documents.all()),
            tolerances=tolerance_rows(area),
            history=area_history(area),
            can_manage=may(request.user, Action.MANAGE_PROGRAMME, area) and not area.is_closed,
            can_edit_plan=may(request.user, Action.EDIT_PLAN, area) and not area.is_closed,
        ),
    )


@login_required
def programme_area_add(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = AreaForm(posted(request), programme=programme)
    area = save_form(
        form,
        lambda data: add_area(programme, by=request.user, details=form.details()),
        noun="area",
    )
    if area is not None:
        messages.success(request, f"Area {area.reference} added")
        return redirect("area_detail", area.pk)
    return render(
        request,
        "workstreams/area_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "area": None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def area_edit(request, area_id: int):
    area = _area(request, area_id, Action.MANAGE_PROGRAMME)
    form = AreaForm(posted(request), programme=area.programme, area=area)
    if save_form(
        form,
        lambda data: change_area(
            area, by=request.user, version=data["version"], details=form.details()
        ),
        noun="area",
    ):
        messages.success(request, f"Area {area.reference} changed")
        return redirect("area_detail", area.pk)
    return render(
        request,
        "workstreams/area_form.html",
        _page(area, form=form),
        status=400 if form.errors else 200,
    )


@login_required
def area_documents(request, area_id: int):
    """The area's key documents on one page: add another row, remove one, save them all."""
    area = _area(request, area_id, Action.MANAGE_PROGRAMME)
    if request.method == "POST" and ("add_another" in request.POST or "remove" in request.POST):
        rows = KeyDocumentsForm.rows_of(request.POST)
        removing = read_int(request.POST.get("remove"), minimum=0, maximum=len(rows) - 1)
        if removing is not None:
            del rows[removing]
        elif "add_another" in request.POST:
            rows.append(("", ""))
        form = KeyDocumentsForm(
            area=area,
            rows=rows or [("", "")],
            version=read_int(request.POST.get("version"), minimum=1, maximum=2**31),
        )
        return render(request, "workstreams/area_documents.html", _page(area, form=form))
    form = KeyDocumentsForm(posted(request), area=area)
    if save_form(
        form,
        lambda data: change_key_documents(
            area, by=request.user, version=data["version"], documents=data["documents"]
        ),
        noun="area",
    ):
        messages.success(request, f"Key documents of area {area.reference} saved")
        return redirect(f"{area.get_absolute_url()}#documents")
    return render(
        request,
        "workstreams/area_documents.html",
        _page(area, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def area_move(request, area_id: int):
    area = _area(request, area_id, Action.MANAGE_PROGRAMME)
    move_area(area, by=request.user, up=request.POST.get("direction") == "up")
    return redirect(f"{reverse('area_list', args=[area.programme_id])}#area-{area.pk}")


@login_required
def area_close(request, area_id: int):
    area = _area(request, area_id, Action.MANAGE_PROGRAMME)
    form = ChangeForm(posted(request), instance=area)

    def close(data) -> ProgrammeArea:
        return close_area(area, by=request.user, version=data["version"])

    if save_form(
        form,
        close,
        noun="area",
        outcome="It has not been closed: check it, and close it again if you still mean to.",
    ):
        messages.success(request, f"Area {area.reference} closed")
        return redirect("area_detail", area.pk)
    return render(
        request,
        "workstreams/area_close.html",
        _page(area, form=form, still_open=open_workstreams(area)),
        status=409 if form.conflict else 400 if form.errors else 200,
    )
