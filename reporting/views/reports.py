"""Asking for reports and getting them: the programme's report runs, each run's progress
(updating in place, htmx), approval, and the download, which checks who is asking (no public
URL for a report: board members, sponsors, project managers and the programme office may
download; everyone else gets 404)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from programmes.choices import PeriodStatus
from programmes.forms import add_errors
from programmes.models import Programme, ReportingPeriod
from programmes.permissions import Action, access_for, may, require, scope_of
from reporting.models import ReportKind, ReportRun, RunStatus
from reporting.services import approve_run, request_report


class ReportRequestForm(forms.Form):
    period = forms.TypedChoiceField(label="Period", coerce=int)
    kind = forms.ChoiceField(
        label="Report",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which report"},
    )
    reason = forms.CharField(
        label="Reason for a new version",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Needed only when the latest version was approved for the board and is locked.",
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (
                p.pk,
                f"{p.label}{' (open: the report will be a draft)' if p.status == PeriodStatus.OPEN else ''}",
            )
            for p in periods
        ]


def _programme(programme_id: int) -> Programme:
    return get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)


def _runs(programme: Programme, period_id: int | None):
    runs = ReportRun.objects.filter(programme=programme).select_related(
        "period", "requested_by__person", "approved_by__person"
    )
    if period_id:
        runs = runs.filter(period_id=period_id)
    return runs.order_by("-period__month", "kind", "-version")[:60]


@login_required
def report_list(request, programme_id: int):
    programme = _programme(programme_id)
    require(request.user, Action.VIEW, programme)
    periods = list(ReportingPeriod.objects.filter(programme=programme).order_by("-month"))
    can_request = may(request.user, Action.REQUEST_REPORT, programme)
    chosen = request.GET.get("period")
    default_period = next((p for p in periods if p.status == PeriodStatus.CLOSED), None)
    form = None
    if can_request:
        form = ReportRequestForm(
            request.POST or None,
            periods=periods,
            initial={
                "period": int(chosen)
                if chosen and chosen.isdigit()
                else (default_period.pk if default_period else None),
                "kind": ReportKind.HIGHLIGHT,
            },
        )
    if request.method == "POST":
        require(request.user, Action.REQUEST_REPORT, programme)
        if form.is_valid():
            period = next(p for p in periods if p.pk == form.cleaned_data["period"])
            try:
                run = request_report(
                    programme,
                    period,
                    form.cleaned_data["kind"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{run.get_kind_display()} for {period.label} asked for: it will be ready in a minute or so",
                )
                return redirect("report_run", run.pk)
    return render(
        request,
        "reporting/reports.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "form": form,
            "runs": _runs(programme, int(chosen) if chosen and chosen.isdigit() else None),
            "may_download": may(request.user, Action.DOWNLOAD_REPORT, programme),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _run(run_id: int) -> ReportRun:
    return get_object_or_404(
        ReportRun.objects.select_related(
            "programme__organisation",
            "period",
            "requested_by__person",
            "approved_by__person",
            "supersedes",
        ),
        pk=run_id,
    )


@login_required
def report_run(request, run_id: int):
    run = _run(run_id)
    require(request.user, Action.VIEW, run)
    context = {
        "run": run,
        "programme": run.programme,
        "header_organisation": run.programme.organisation,
        "may_download": may(request.user, Action.DOWNLOAD_REPORT, run),
        "may_approve": may(request.user, Action.MANAGE_PROGRAMME, run)
        and run.status == RunStatus.DONE
        and run.approved_at is None
        and run.period.is_closed,
        "other_versions": ReportRun.objects.filter(
            programme=run.programme, period=run.period, kind=run.kind
        )
        .exclude(pk=run.pk)
        .order_by("-version"),
    }
    if request.htmx:
        return render(request, "reporting/includes/run_status.html", context)
    return render(request, "reporting/report_run.html", context)


@login_required
@require_POST
def report_approve(request, run_id: int):
    run = _run(run_id)
    require(request.user, Action.MANAGE_PROGRAMME, run)
    try:
        approve_run(run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {run.version} approved for the board: it is now locked")
    return redirect("report_run", run.pk)


@login_required
def report_download(request, run_id: int):
    """Only through here, and only for those who may: anyone else is told it does not exist."""
    run = get_object_or_404(ReportRun.objects.select_related("programme", "period"), pk=run_id)
    access = access_for(request.user)
    if not access.may(Action.DOWNLOAD_REPORT, scope_of(run)):
        raise Http404("Not found")
    if run.status != RunStatus.DONE or not run.file:
        raise Http404("This report is not ready")
    return FileResponse(
        run.file.open("rb"),
        as_attachment=True,
        filename=run.filename,
        content_type="application/pdf",
    )
