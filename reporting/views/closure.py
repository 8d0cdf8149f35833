"""The closure report of a programme or a workstream as a PDF (issue 16, part 4), made while
the user waits (a few pages, well under a few seconds; reporting/closure.py). Everyone whose
role downloads reports may have it; before closing it is a draft, and says so."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from programmes.lists import programme_for
from programmes.permissions import Action, get_for
from reporting.closure import ClosureReport, closure_filename, closure_pdf, gather_closure
from workstreams.models import Workstream


def _pdf(report: ClosureReport) -> HttpResponse:
    rendered = closure_pdf(report)
    return HttpResponse(
        rendered.content,
        content_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition_header(True, closure_filename(report)),
            "Cache-Control": "private, no-store",
        },
    )


@login_required
@require_safe
def programme_closure_report(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.DOWNLOAD_REPORT)
    return _pdf(gather_closure(programme))


@login_required
@require_safe
def workstream_closure_report(request, workstream_id: int):
    workstream = get_for(
        request.user,
        Action.DOWNLOAD_REPORT,
        Workstream.objects.select_related("programme__organisation", "objective", "lead"),
        pk=workstream_id,
    )
    return _pdf(gather_closure(workstream.programme, workstream))
