"""Lists of a programme's workstreams, milestones and measures, built on the list framework
of `programmes.lists`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape  # as Django's escape() and the templates' (no lazy wrapper)

from django.contrib.auth.decorators import login_required
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from programmes.as_at import AsAt, chosen_as_at, keep_as_at
from programmes.choices import Rag
from programmes.dates import day_label, format_plan_date, month_label, month_start
from programmes.exports import ExportColumn
from programmes.lists import (
    Column,
    Listing,
    cell_labels,
    link_pattern,
    plan_date_key,
    programme_for,
    rag_rank,
    reason_text,
    render_list,
    row_start,
    text_key,
)
from programmes.models import Programme, ProgrammeArea
from programmes.rules import RagResult
from programmes.templatetags.plan import rag_tag
from workstreams.assessment import (
    MilestoneRating,
    WorkstreamRating,
    assess,
    assessed,
    load_state,
)
from workstreams.filtersets import MeasureFilterSet, MilestoneFilterSet, WorkstreamFilterSet
from workstreams.models import Measure, MeasureReading, Milestone, Workstream
from workstreams.rules import Target, target_for_month


@dataclass(frozen=True)
class RowCells:
    """What the rows of one page's table share (`programmes.lists`, rows written in Python):
    the pattern of each row's link, and the cells' labels for a phone."""

    link: str
    labels: dict[str, str]


def _explanation(text: str) -> str:
    return f'<p class="app-explanation">{escape(text)}</p>' if text else ""


# ----- Workstreams -----


@dataclass
class WorkstreamRow:
    rating: WorkstreamRating
    area: ProgrammeArea
    cells: RowCells

    @property
    def workstream(self) -> Workstream:
        return self.rating.workstream

    @property
    def reported(self) -> Rag | None:
        return self.rating.reported

    @property
    def reported_for(self) -> str:
        update = self.rating.latest_update
        return update.period.short_label if update else ""

    @property
    def suggested(self) -> RagResult:
        return self.rating.suggested

    @property
    def suggested_reason(self) -> str:
        return reason_text(self.rating.suggested)

    @property
    def html(self) -> str:
        workstream, area, label = self.workstream, self.area, self.cells.labels
        lead = workstream.lead.name if workstream.lead else "Not named"
        reported_for = f"For {self.reported_for}" if self.reported_for else ""
        return mark_safe(  # noqa: S308 (every value escaped)
            row_start(workstream.reference, self.cells.link.format(workstream.pk), workstream.name)
            + f'<td class="govuk-table__cell" data-label="{label["area"]}">'
            f"{escape(area.reference)} {escape(area.name)}</td>"
            f'<td class="govuk-table__cell" data-label="{label["lead"]}">{escape(lead)}</td>'
            f'<td class="govuk-table__cell" data-label="{label["reported"]}">'
            f"{rag_tag(self.reported, small=True)}{_explanation(reported_for)}</td>"
            f'<td class="govuk-table__cell" data-label="{label["suggested"]}">'
            f"{rag_tag(self.suggested, small=True)}{_explanation(self.suggested_reason)}</td>"
            "</tr>"
        )


def _rag_word(rag) -> str:
    return Rag(rag).label if rag else "Not reported"


WORKSTREAMS = Listing(
    name="workstreams",
    singular="workstream",
    plural="workstreams",
    template="lists/workstreams.html",
    columns=[
        Column("reference", "Ref", lambda r: r.workstream.sort_key, css="app-table__reference"),
        Column("name", "Workstream", lambda r: text_key(r.workstream.name)),
        Column("area", "Area", lambda r: (r.area.position, r.area.sort_key)),
        Column("lead", "Lead", lambda r: text_key(r.workstream.lead and r.workstream.lead.name)),
        Column("reported", "Reported RAG", lambda r: rag_rank(r.reported)),
        Column("suggested", "Suggested RAG", lambda r: rag_rank(r.suggested.rag)),
    ],
    export_columns=[
        ExportColumn("Reference", lambda r: r.workstream.reference),
        ExportColumn("Workstream", lambda r: r.workstream.name),
        ExportColumn("Area", lambda r: str(r.area)),
        ExportColumn("Lead", lambda r: r.workstream.lead.name if r.workstream.lead else ""),
        ExportColumn("Reported RAG", lambda r: _rag_word(r.reported)),
        ExportColumn("Reported for", lambda r: r.reported_for),
        ExportColumn("Suggested RAG", lambda r: r.suggested.label),
        ExportColumn("Why suggested", lambda r: r.suggested_reason),
    ],
    default_sort="reference",
)


def _workstream_rows(
    programme: Programme, filterset: WorkstreamFilterSet, as_at: AsAt, cells: RowCells
):
    def load() -> list[WorkstreamRow]:
        # The programme's assessment, computed once per change of it (issue 17).
        _state, rating = assessed(programme, as_at.as_of, as_at.snapshot)
        wanted = set(filterset.qs.values_list("pk", flat=True))
        areas = {area_rating.area.pk: area_rating.area for area_rating in rating.areas}
        return [
            WorkstreamRow(workstream_rating, areas[workstream_rating.workstream.area_id], cells)
            for workstream_rating in rating.workstreams
            if workstream_rating.workstream.pk in wanted
        ]

    return load


@login_required
@require_safe
def workstream_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_at = chosen_as_at(request, programme)
    filterset = WorkstreamFilterSet(
        request.GET,
        programme=programme,
        queryset=Workstream.objects.filter(programme=programme),
    )
    # Each workstream's page as at the period shown, if one is.
    link = keep_as_at(request, "workstream_detail", link_pattern("workstream_detail"))
    cells = RowCells(link, cell_labels(WORKSTREAMS))
    return render_list(
        request,
        programme,
        WORKSTREAMS,
        filterset,
        _workstream_rows(programme, filterset, as_at, cells),
        as_of=as_at.as_of,
        as_at=as_at,
    )


# ----- Milestones -----


@dataclass
class MilestoneRow:
    rating: MilestoneRating
    cells: RowCells

    @property
    def milestone(self) -> Milestone:
        return self.rating.milestone

    @property
    def result(self) -> RagResult:
        return self.rating.result

    @property
    def reason(self) -> str:
        return reason_text(self.result)

    @property
    def html(self) -> str:
        milestone, label = self.milestone, self.cells.labels
        workstream = milestone.workstream
        return mark_safe(  # noqa: S308 (every value escaped)
            row_start(milestone.reference, self.cells.link.format(milestone.pk), milestone.title)
            + f'<td class="govuk-table__cell" data-label="{label["workstream"]}">'
            f"{escape(workstream.reference)} "
            f"{escape(Truncator(workstream.name).words(6, truncate=' …'))}</td>"
            f'<td class="govuk-table__cell" data-label="{label["kind"]}">'
            f"{escape(milestone.get_kind_display())}</td>"
            f'<td class="govuk-table__cell app-nowrap" data-label="{label["baseline"]}">'
            f"{escape(_baseline(self))}</td>"
            f'<td class="govuk-table__cell app-nowrap" data-label="{label["forecast"]}">'
            f"{escape(_forecast(self))}</td>"
            f'<td class="govuk-table__cell app-nowrap" data-label="{label["completed"]}">'
            f"{escape(_completed(self))}</td>"
            f'<td class="govuk-table__cell app-list-table__rag" data-label="{label["rag"]}">'
            f"{rag_tag(self.result, small=True)}{_explanation(self.reason)}</td>"
            "</tr>"
        )


def _baseline(row) -> str:
    return format_plan_date(row.milestone.baseline_date, row.milestone.baseline_precision)


def _forecast(row) -> str:
    return format_plan_date(row.milestone.forecast_date, row.milestone.forecast_precision)


def _completed(row) -> str:
    return day_label(row.milestone.actual_date) if row.milestone.actual_date else ""


MILESTONES = Listing(
    name="milestones",
    singular="milestone",
    plural="milestones",
    template="lists/milestones.html",
    columns=[
        Column("reference", "Ref", lambda r: r.milestone.sort_key, css="app-table__reference"),
        Column("title", "Milestone", lambda r: text_key(r.milestone.title)),
        Column(
            "workstream",
            "Workstream",
            lambda r: (r.milestone.workstream.sort_key, r.milestone.position, r.milestone.sort_key),
        ),
        Column("kind", "Kind", lambda r: r.milestone.get_kind_display()),
        Column(
            "baseline",
            "Baseline",
            lambda r: plan_date_key(r.milestone.baseline_date, r.milestone.baseline_precision),
        ),
        Column(
            "forecast",
            "Forecast",
            lambda r: plan_date_key(r.milestone.forecast_date, r.milestone.forecast_precision),
        ),
        Column("completed", "Completed", lambda r: r.milestone.actual_date),
        Column("rag", "RAG", lambda r: rag_rank(r.result.rag)),
    ],
    export_columns=[
        ExportColumn("Reference", lambda r: r.milestone.reference),
        ExportColumn("Milestone", lambda r: r.milestone.title),
        ExportColumn("Workstream", lambda r: str(r.milestone.workstream)),
        ExportColumn("Kind", lambda r: r.milestone.get_kind_display()),
        ExportColumn("Baseline", _baseline),
        ExportColumn("Forecast", _forecast),
        ExportColumn("Completed", _completed),
        ExportColumn("RAG", lambda r: r.result.label),
        ExportColumn("RAG reason", lambda r: r.reason),
    ],
    default_sort="workstream",
)


def _milestone_rows(programme: Programme, filterset: MilestoneFilterSet, as_at: AsAt):
    """Rated as on every page: the programme's plan as its timeline rates it (as it was at
    the as-at moment, when one is chosen), computed once per change of the programme and
    kept (`assessed`, issue 17); the filtered milestones of it."""

    def load() -> list[MilestoneRow]:
        _state, rating = assessed(programme, as_at.as_of, as_at.snapshot, plan_only=True)
        wanted = set(filterset.qs.values_list("pk", flat=True))
        cells = RowCells(link_pattern("milestone_detail"), cell_labels(MILESTONES))
        return [
            MilestoneRow(item, cells)
            for workstream_rating in rating.workstreams
            for item in workstream_rating.milestones
            if item.milestone.pk in wanted
        ]

    return load


@login_required
@require_safe
def milestone_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_at = chosen_as_at(request, programme)
    filterset = MilestoneFilterSet(
        request.GET,
        programme=programme,
        queryset=Milestone.objects.filter(workstream__programme=programme),
        as_of=as_at.as_of,
    )
    return render_list(
        request,
        programme,
        MILESTONES,
        filterset,
        _milestone_rows(programme, filterset, as_at),
        as_of=as_at.as_of,
        as_at=as_at,
    )


# ----- Measures -----


@dataclass
class MeasureRow:
    measure: Measure
    workstream: Workstream
    result: RagResult
    target_now: Decimal | None
    latest: MeasureReading | None

    @property
    def reason(self) -> str:
        return reason_text(self.result)

    @property
    def latest_month(self) -> str:
        return month_label(self.latest.period) if self.latest else ""


MEASURES = Listing(
    name="measures",
    singular="measure",
    plural="measures",
    template="lists/measures.html",
    columns=[
        Column("reference", "Ref", lambda r: r.measure.sort_key, css="app-table__reference"),
        Column("title", "Measure", lambda r: text_key(r.measure.title)),
        Column("workstream", "Workstream", lambda r: (r.workstream.sort_key, r.measure.sort_key)),
        Column("target", "Target now", lambda r: r.target_now, numeric=True),
        Column(
            "latest", "Latest actual", lambda r: r.latest.value if r.latest else None, numeric=True
        ),
        Column("rag", "RAG", lambda r: rag_rank(r.result.rag)),
    ],
    export_columns=[
        ExportColumn("Reference", lambda r: r.measure.reference),
        ExportColumn("Measure", lambda r: r.measure.title),
        ExportColumn("Workstream", lambda r: str(r.workstream)),
        ExportColumn("Target now", lambda r: r.target_now),
        ExportColumn("Latest actual", lambda r: r.latest.value if r.latest else None),
        ExportColumn("Latest month", lambda r: r.latest_month),
        ExportColumn("RAG", lambda r: r.result.label),
        ExportColumn("RAG reason", lambda r: r.reason),
    ],
    default_sort="workstream",
)


def _measure_rows(programme: Programme, filterset: MeasureFilterSet, as_at: AsAt):
    """Rated as on the workstream page: `assess` over the filtered measures alone, with the
    readings known at the as-at moment, when one is chosen."""

    def load() -> list[MeasureRow]:
        as_of = as_at.as_of
        state = load_state(
            programme,
            as_of,
            snapshot=as_at.snapshot,
            milestones=Milestone.objects.none(),
            measures=filterset.qs,
            updates=False,
        )
        this_month = month_start(as_of)
        return [
            MeasureRow(
                item.measure,
                workstream_rating.workstream,
                item.result,
                target_for_month(
                    [Target(t.value, t.financial_year, t.due_date) for t in item.targets],
                    this_month,
                ),
                item.latest,
            )
            for workstream_rating in assess(state, as_of).workstreams
            for item in workstream_rating.measures
        ]

    return load


@login_required
@require_safe
def measure_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_at = chosen_as_at(request, programme)
    filterset = MeasureFilterSet(
        request.GET,
        programme=programme,
        queryset=Measure.objects.filter(workstream__programme=programme),
    )
    return render_list(
        request,
        programme,
        MEASURES,
        filterset,
        _measure_rows(programme, filterset, as_at),
        as_of=as_at.as_of,
        as_at=as_at,
    )
