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
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from programmes.choices import PeriodStatus
from programmes.comments import comment_thread
from programmes.forms import add_errors, posted
from programmes.lists import programme_for
from programmes.models import Programme, ReportingPeriod
from programmes.params import read_id
from programmes.permissions import Action, get_for, may
from reporting.approvals import name_of, send_back_run
from reporting.forms import SendBackForm
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


def _runs(programme: Programme, period_id: int | None):
    runs = ReportRun.objects.filter(programme=programme).select_related(
        "period", "requested_by__person", "approved_by__person"
    )
    if period_id:
        runs = runs.filter(period_id=period_id)
    return runs.order_by("-period__month", "kind", "-version")[:60]


@login_required
def report_list(request, programme_id: int):
    action = Action.REQUEST_REPORT if request.method == "POST" else Action.VIEW
    programme = programme_for(request, programme_id, action)
    periods = list(
        ReportingPeriod.objects.visible_to(request.user)
        .filter(programme=programme)
        .order_by("-month")
    )
    can_request = may(request.user, Action.REQUEST_REPORT, programme)
    chosen = read_id(request.GET.get("period"))
    default_period = next((p for p in periods if p.status == PeriodStatus.CLOSED), None)
    form = None
    if can_request:
        form = ReportRequestForm(
            posted(request),
            periods=periods,
            initial={
                "period": chosen or (default_period.pk if default_period else None),
                "kind": ReportKind.HIGHLIGHT,
            },
        )
    if request.method == "POST" and form.is_valid():
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
            "runs": _runs(programme, chosen),
            "may_download": may(request.user, Action.DOWNLOAD_REPORT, programme),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _run(request, run_id: int, action: Action = Action.VIEW) -> ReportRun:
    """The run from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        ReportRun.objects.select_related(
            "programme__organisation",
            "period",
            "requested_by__person",
            "approved_by__person",
            "sent_back_by__person",
            "supersedes",
        ),
        pk=run_id,
    )


@login_required
@require_safe
def report_run(request, run_id: int):
    run = _run(request, run_id)
    context = {
        "run": run,
        "programme": run.programme,
        "header_organisation": run.programme.organisation,
        "may_download": may(request.user, Action.DOWNLOAD_REPORT, run),
        "may_approve": may(request.user, Action.MANAGE_PROGRAMME, run)
        and run.status == RunStatus.DONE
        and run.approved_at is None
        and run.period.is_closed,
        "other_versions": ReportRun.objects.visible_to(request.user)
        .filter(programme=run.programme, period=run.period, kind=run.kind)
        .exclude(pk=run.pk)
        .order_by("-version"),
    }
    if request.htmx:
        return render(request, "reporting/includes/run_status.html", context)
    context["comments"] = comment_thread(
        run, user=request.user, post_url=reverse("report_comment", args=[run.pk])
    )
    return render(request, "reporting/report_run.html", context)


def _approval_page(request, run: ReportRun, *, send_back_form=None, status=200):
    """What approving does, with Approve, and Send back with a comment."""
    sent_back = None
    if run.sent_back_at is not None:
        sent_back = {
            "at": run.sent_back_at,
            "by": name_of(run.sent_back_by),
        }
    return render(
        request,
        "reporting/confirm.html",
        {
            "programme": run.programme,
            "header_organisation": run.programme.organisation,
            "caption": f"{run.programme.name}, {run.period.label}",
            "heading": f"Approve the {run.get_kind_display().lower()}, version {run.version}, "
            "for the board?",
            "explanation": [
                "Approving locks this version: it cannot be changed, only replaced by a new "
                "version made with a reason. Its cover will say who approved it and when.",
                "Once every report of the period is approved, each board member is emailed "
                "one link to each, once.",
            ],
            "sent_back": sent_back,
            "action_url": reverse("report_approve", args=[run.pk]),
            "button": "Approve for the board",
            "cancel_url": reverse("report_run", args=[run.pk]),
            "send_back_url": reverse("report_send_back", args=[run.pk]),
            "send_back_form": send_back_form or SendBackForm(),
            "send_back_to": "Whoever asked for the report (for a monthly report, the "
            "programme's project managers) is emailed your comment with a link.",
        },
        status=status,
    )


def _may_be_approved(run: ReportRun) -> str:
    """Why the run cannot be approved now, or "" if it can."""
    if run.status != RunStatus.DONE:
        return "Only a finished report can be approved"
    if run.approved_at is not None:
        return "This report is already approved"
    if not run.period.is_closed:
        return "Close the period before approving its report: an open period's report is a draft"
    return ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_approve(request, run_id: int):
    """Asks first (what approving does), with Send back beside it; then approves."""
    run = _run(request, run_id, Action.MANAGE_PROGRAMME)
    if request.method != "POST":
        problem = _may_be_approved(run)
        if problem:
            messages.error(request, problem)
            return redirect("report_run", run.pk)
        return _approval_page(request, run)
    try:
        approve_run(run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {run.version} approved for the board: it is now locked")
    return redirect("report_run", run.pk)


@login_required
@require_POST
def report_send_back(request, run_id: int):
    run = _run(request, run_id, Action.MANAGE_PROGRAMME)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            send_back_run(run, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Version {run.version} sent back: its author is told")
            return redirect("report_run", run.pk)
    return _approval_page(request, run, send_back_form=form, status=400)


@login_required
@require_safe
def report_download(request, run_id: int):
    """Only through here, and only for those who may: anyone else is told it does not exist."""
    run = get_for(
        request.user,
        Action.VIEW,
        ReportRun.objects.select_related("programme", "period"),
        pk=run_id,
    )
    if not may(request.user, Action.DOWNLOAD_REPORT, run):
        raise Http404("Not found")
    if run.status != RunStatus.DONE or not run.file:
        raise Http404("This report is not ready")
    return FileResponse(
        run.file.open("rb"),
        as_attachment=True,
        filename=run.filename,
        content_type="application/pdf",
    )
