"""A measure's page: its targets, readings, trend and RAG, and entering a month's reading; and
the project manager's pages that keep measures in the plan: add, change, and set the targets."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from programmes.charts import as_data_uri, sparkline
from programmes.dates import FinancialYear, format_plan_date
from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.params import read_id, read_int
from programmes.permissions import Action, get_for, may
from workstreams.assessment import assess_workstream
from workstreams.forms import (
    MAX_TARGETS,
    MeasureForm,
    ReadingForm,
    TargetsForm,
    blank_target_rows,
    reading_months,
    target_rows_data,
)
from workstreams.models import Measure, MeasureReading, MeasureTarget, Workstream
from workstreams.rules import Target, target_for_month
from workstreams.services.measures import (
    MeasureDetails,
    add_measure,
    edit_measure,
    programme_years,
    save_targets,
)
from workstreams.services.progress import closed_months, record_reading


def _measure(request, measure_id: int, action: Action = Action.VIEW) -> Measure:
    """The measure from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        Measure.objects.select_related(
            "workstream__programme__organisation", "workstream__area", "owner"
        ),
        pk=measure_id,
    )


def _page(request, measure: Measure, form, *, reading: MeasureReading | None, status=200):
    workstream = measure.workstream
    today = timezone.localdate()
    rating = next(
        m for m in assess_workstream(workstream, today).measures if m.measure.pk == measure.pk
    )
    targets = [Target(t.value, t.financial_year, t.due_date) for t in rating.targets]
    rows = [{"reading": r, "target": target_for_month(targets, r.period)} for r in rating.readings]
    recent = rows[-24:]
    chart = sparkline(
        [r["reading"].value for r in recent], [r["target"] for r in recent], width=480, height=80
    )
    closed = closed_months(workstream.programme)
    for row in rows:
        row["locked"] = row["reading"].period in closed
    return render(
        request,
        "workstreams/measure_detail.html",
        {
            "measure": measure,
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
            "rating": rating,
            "rows": list(reversed(rows)),
            "chart": as_data_uri(chart),
            "chart_summary": _summary(recent, measure),
            "form": form,
            "reading": reading,
            "can_record": may(request.user, Action.RECORD_READING, measure),
            "can_edit_plan": may(request.user, Action.EDIT_PLAN, measure),
            "history": describe_history(
                [
                    HistorySource(Measure.history.filter(id=measure.pk), lambda r: "Measure"),
                    HistorySource(
                        MeasureReading.history.filter(measure_id=measure.pk),
                        lambda r: f"Reading for {r.period:%b %Y}",
                        lambda r: f"Recorded {r.value.normalize():f}",
                    ),
                    _targets_history(measure),
                ],
                limit=40,
            ),
        },
        status=status,
    )


def _summary(rows, measure) -> str:
    if not rows:
        return "No readings yet."
    first, last = rows[0]["reading"], rows[-1]["reading"]
    return (
        f"Trend from {first.period:%b %Y} ({first.value.normalize():f}) to {last.period:%b %Y} "
        f"({last.value.normalize():f}); {measure.get_direction_display().lower()}."
    )


def _save(request, measure: Measure, form: ReadingForm):
    """Enter a month's reading, or correct the one the form opened (with the version seen).
    Returns where to go once saved, or None to show the form again."""
    reading = save_form(
        form,
        lambda data: record_reading(
            measure,
            by=request.user,
            month=data["period"],
            value=data["value"],
            note=data["note"],
            version=data["version"] if form.instance is not None else None,
        ),
        noun="reading",
    )
    if reading is None:
        return None
    messages.success(request, f"Reading for {reading.period:%B %Y} saved")
    return redirect("measure_detail", measure.pk)


@login_required
def measure_detail(request, measure_id: int):
    action = Action.RECORD_READING if request.method == "POST" else Action.VIEW
    measure = _measure(request, measure_id, action)
    form = None
    if may(request.user, Action.RECORD_READING, measure):
        programme = measure.workstream.programme
        months = reading_months(programme, timezone.localdate(), closed=closed_months(programme))
        recorded = set(
            MeasureReading.objects.filter(measure=measure).values_list("period", flat=True)
        )
        default = next((m for m in months if m not in recorded), months[0] if months else None)
        form = ReadingForm(
            posted(request),
            measure=measure,
            months=months,
            initial={"period": default.isoformat() if default else None},
        )
    if request.method == "POST":
        return _save(request, measure, form) or _page(
            request, measure, form, reading=None, status=400
        )
    return _page(request, measure, form, reading=None)


@login_required
def reading_edit(request, measure_id: int, month: str):
    measure = _measure(request, measure_id, Action.RECORD_READING)
    try:
        period = date.fromisoformat(month)
    except ValueError:
        raise Http404("No such month") from None
    reading = get_for(
        request.user, Action.RECORD_READING, MeasureReading, measure=measure, period=period
    )
    # A correction is for the reading's own month (saving refuses it once the month closes).
    form = ReadingForm(posted(request), measure=measure, months=[period], reading=reading)
    return _save(request, measure, form) or _page(
        request, measure, form, reading=reading, status=400 if form.errors else 200
    )


def _target_period(record) -> str:
    if record.financial_year is not None:
        return str(FinancialYear(record.financial_year))
    return "by " + format_plan_date(record.due_date, record.due_precision)


def _targets_history(measure: Measure, **filters) -> HistorySource:
    return HistorySource(
        MeasureTarget.history.filter(measure_id=measure.pk, **filters),
        lambda r: f"Target {_target_period(r)}",
        lambda r: f"Set to {r.value.normalize():f}",
    )


def _details(data) -> MeasureDetails:
    return MeasureDetails(
        reference=data["reference"],
        title=data["title"],
        unit=data["unit"],
        direction=data["direction"],
        baseline_value=data.get("baseline_value"),
        tolerance_percent=data.get("tolerance_percent"),
        owner_id=data["owner"].pk if data.get("owner") else None,
    )


def _form_page(request, form: MeasureForm, workstream: Workstream, measure: Measure | None):
    return render(
        request,
        "workstreams/measure_form.html",
        {
            "form": form,
            "measure": measure,
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
        },
        status=400 if form.errors else 200,
    )


@login_required
def measure_add(request, workstream_id: int):
    workstream = get_for(
        request.user,
        Action.EDIT_PLAN,
        Workstream.objects.select_related("programme__organisation", "area"),
        pk=workstream_id,
    )
    form = MeasureForm(posted(request), workstream=workstream)
    measure = save_form(
        form,
        lambda data: add_measure(workstream, by=request.user, details=_details(data)),
        noun="measure",
    )
    if measure is not None:
        messages.success(request, f"Measure {measure.reference} added: now set its targets")
        return redirect("measure_targets", measure.pk)
    return _form_page(request, form, workstream, None)


@login_required
def measure_edit(request, measure_id: int):
    measure = _measure(request, measure_id, Action.EDIT_PLAN)
    workstream = measure.workstream
    form = MeasureForm(posted(request), workstream=workstream, measure=measure)
    if save_form(
        form,
        lambda data: edit_measure(
            measure, by=request.user, version=data["version"], details=_details(data)
        ),
        noun="measure",
    ):
        messages.success(request, f"Measure {measure.reference} changed")
        return redirect("measure_detail", measure.pk)
    return _form_page(request, form, workstream, measure)


_TARGET_ROW = re.compile(r"target-([0-9]{1,3})-")


def _rows_sent(post) -> int:
    """How many target rows the page sent: its count, or more if more rows' fields came, so
    that a count lost or garbled on the way never removes the targets the user kept."""
    stated = read_int(post.get("rows"), minimum=0, maximum=MAX_TARGETS) or 0
    counted = [int(found[1]) + 1 for key in post if (found := _TARGET_ROW.match(key))]
    return min(max([stated, *counted]), MAX_TARGETS)


def _targets_form(request, measure: Measure, targets: list[MeasureTarget]) -> TargetsForm:
    """The targets form as the user asked for it: as stored (GET); with a row added or taken
    out, not yet judged ("Add another target", "Remove"); or as sent, to save, without the
    rows left empty."""
    if request.method != "POST":
        rows = max(len(targets), 1)
        return TargetsForm(measure=measure, targets=targets, rows=rows)
    rows = _rows_sent(request.POST)
    if "add" in request.POST or "remove" in request.POST:
        remove = read_int(request.POST.get("remove"), minimum=0, maximum=MAX_TARGETS)
        data, rows = target_rows_data(request.POST, rows, drop=remove, add="add" in request.POST)
        return TargetsForm(data, measure=measure, targets=targets, rows=rows, check=False)
    data = request.POST
    for index in reversed(blank_target_rows(data, rows)):
        data, rows = target_rows_data(data, rows, drop=index)
    return TargetsForm(data, measure=measure, targets=targets, rows=rows)


def _targets_changed_since(measure: Measure, version: int | None) -> str:
    """What others did to the targets after the version the user started from, in words: a
    save of the targets first claims the measure (a new version), then writes them."""
    if version is None:
        return ""
    since = (
        Measure.history.filter(id=measure.pk, version__gt=version)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    if since is None:
        return ""
    changes = describe_history([_targets_history(measure, history_date__gte=since)], limit=20)
    return "; ".join(
        f"{change.who} on {timezone.localtime(change.when):%-d %b %Y at %H:%M}: "
        f"{change.subject}: {change.sentence}"
        for change in changes
    )


@login_required
def measure_targets(request, measure_id: int):
    """All of a measure's targets on one page, saved together (or not at all) under the
    measure's version."""
    measure = _measure(request, measure_id, Action.EDIT_PLAN)
    workstream = measure.workstream
    targets = list(MeasureTarget.objects.filter(measure=measure))
    form = _targets_form(request, measure, targets)
    acting = request.method == "POST" and "add" not in request.POST and "remove" not in request.POST
    sent_version = read_id(request.POST.get("version")) if acting else None
    if acting and save_form(
        form,
        lambda data: (
            save_targets(measure, by=request.user, version=data["version"], targets=form.targets)
            or True
        ),
        noun="measure",
        outcome="Your targets are below and have not been saved: check them and save again.",
    ):
        messages.success(request, f"Targets of {measure.reference} saved")
        return redirect("measure_detail", measure.pk)
    conflict = ""
    if form.conflict is not None:
        conflict = _targets_changed_since(measure, sent_version)
    first, last = programme_years(workstream.programme)
    return render(
        request,
        "workstreams/measure_targets.html",
        {
            "form": form,
            "rows": form.row_fields(),
            "measure": measure,
            "workstream": workstream,
            "programme": workstream.programme,
            "header_organisation": workstream.programme.organisation,
            "stored_targets": MeasureTarget.objects.filter(measure=measure)
            if form.conflict
            else targets,
            "targets_conflict": conflict,
            "first_year": first,
            "last_year": last,
            "can_add_row": form.row_count < MAX_TARGETS,
        },
        status=409 if form.conflict else 400 if acting and form.errors else 200,
    )
