"""A meeting's board pack: asked for by the programme office, made in the background, its
progress shown in place (htmx) and then the download, for those who may download reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from programmes.permissions import Action, get_for, may
from reporting.board_pack import request_pack
from reporting.models import BoardPack, RunStatus
from risks.models import BoardMeeting


@login_required
@require_POST
def board_pack_make(request, meeting_id: int):
    meeting = get_for(
        request.user,
        Action.MANAGE_PROGRAMME,
        BoardMeeting.objects.select_related("programme"),
        pk=meeting_id,
    )
    pack = request_pack(meeting, by=request.user)
    messages.success(
        request,
        f"The board pack (version {pack.version}) is being made. This page shows when it is "
        "ready; the attendees are emailed a link then.",
    )
    return redirect("board_pack", pack.pk)


def _pack(request, pack_id: int) -> BoardPack:
    return get_for(
        request.user,
        Action.VIEW,
        BoardPack.objects.select_related(
            "programme__organisation", "meeting", "requested_by__person"
        ),
        pk=pack_id,
    )


@login_required
@require_safe
def board_pack(request, pack_id: int):
    pack = _pack(request, pack_id)
    context = {
        "pack": pack,
        "programme": pack.programme,
        "header_organisation": pack.programme.organisation,
        "may_download": may(request.user, Action.DOWNLOAD_REPORT, pack),
    }
    if request.htmx:
        return render(request, "reporting/includes/pack_status.html", context)
    return render(request, "reporting/board_pack.html", context)


@login_required
@require_safe
def board_pack_download(request, pack_id: int):
    """Only through here, and only for those who may download reports: anyone else is told it
    does not exist."""
    pack = _pack(request, pack_id)
    if not may(request.user, Action.DOWNLOAD_REPORT, pack):
        raise Http404("Not found")
    if pack.status != RunStatus.DONE or not pack.file:
        raise Http404("This board pack is not ready")
    return FileResponse(
        pack.file.open("rb"),
        as_attachment=True,
        filename=pack.filename,
        content_type="application/pdf",
    )
