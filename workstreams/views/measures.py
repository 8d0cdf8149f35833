"""A measure's page: its targets, readings, trend and RAG, and entering a month's reading."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from programmes.charts import as_data_uri, sparkline
from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.permissions import Action, get_for, may
from workstreams.assessment import assess_workstream
from workstreams.forms import ReadingForm, reading_months
from workstreams.models import Measure, MeasureReading
from workstreams.rules import Target, target_for_month
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
            "history": describe_history(
                [
                    HistorySource(Measure.history.filter(id=measure.pk), lambda r: "Measure"),
                    HistorySource(
                        MeasureReading.history.filter(measure_id=measure.pk),
                        lambda r: f"Reading for {r.period:%b %Y}",
                        lambda r: f"Recorded {r.value.normalize():f}",
                    ),
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
    months = reading_months(measure.workstream.programme, timezone.localdate())
    if may(request.user, Action.RECORD_READING, measure):
        recorded = set(
            MeasureReading.objects.filter(measure=measure).values_list("period", flat=True)
        )
        closed = closed_months(measure.workstream.programme)
        open_months = [m for m in months if m not in closed] or months
        default = next((m for m in open_months if m not in recorded), open_months[0])
        form = ReadingForm(
            posted(request), measure=measure, months=months, initial={"period": default.isoformat()}
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
    months = reading_months(measure.workstream.programme, timezone.localdate())
    form = ReadingForm(posted(request), measure=measure, months=months, reading=reading)
    return _save(request, measure, form) or _page(
        request, measure, form, reading=reading, status=400 if form.errors else 200
    )
