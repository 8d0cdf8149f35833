"""Lists of a programme's workstreams, milestones and measures, and what every list shares:
filter, sort, page, and download exactly what is shown (DOMAIN.md section 6: "Every list
filters and exports to CSV/Excel"). The risk register and decision log use the same.

A list loads its filtered rows in a fixed number of queries, rates them in Python with the
rules every other page uses, then sorts them in Python: RAG columns and filters are computed
values, so one path sorts every column the same way, and the download takes all the rows in
the order the pages show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import PlanDate, day_label, format_plan_date, month_label, month_start
from programmes.filtersets import ProgrammeFilterSet
from programmes.models import Programme, ProgrammeArea
from programmes.permissions import Action, require
from programmes.rules import RagResult
from reporting.exports import FORMATS, ExportColumn, export_filename, export_response
from workstreams.assessment import (
    ProgrammeState,
    WorkstreamRating,
    assess,
    load_state,
    rate_milestone,
)
from workstreams.filtersets import MeasureFilterSet, MilestoneFilterSet, WorkstreamFilterSet
from workstreams.models import (
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    ProgressNote,
    Workstream,
)
from workstreams.rules import Target, target_for_month

PAGE_SIZE = 50
LISTS = [
    ("Workstreams", "workstream_list"),
    ("Milestones", "milestone_list"),
    ("Measures", "measure_list"),
    ("Risks", "risk_list"),
    ("Issues", "issue_list"),
    ("Decisions", "decision_list"),
]

# Worst first, so that sorting a RAG column ascending puts the reds at the top.
RAG_ORDER = {
    Rag.RED: 0,
    Rag.AMBER_RED: 1,
    Rag.AMBER: 2,
    Rag.AMBER_GREEN: 3,
    Rag.GREEN: 4,
    Rag.COMPLETE: 5,
    Rag.NOT_STARTED: 6,
    Rag.NO_DATA: 7,
}


# ----- What every list shares -----


@dataclass(frozen=True)
class Column:
    """A column on screen: its heading as users name it, its key in `?sort=`, and the value
    it sorts by (None: it does not sort; rows with no value go last either way)."""

    key: str
    heading: str
    sort_value: Callable[[Any], Any] | None = None
    numeric: bool = False
    css: str = ""


@dataclass(frozen=True)
class Listing:
    """One kind of list: its words, its template, its columns on screen and in downloads."""

    name: str  # in the download's file name: "milestones"
    singular: str
    plural: str
    template: str
    columns: Sequence[Column]
    export_columns: Sequence[ExportColumn]
    default_sort: str  # a column key, "-" first for descending

    def count_label(self, count: int) -> str:
        return f"{count:,} {self.singular if count == 1 else self.plural}"


@dataclass(frozen=True)
class Sort:
    column: Column
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.column.key}" if self.descending else self.column.key


def rag_rank(rag) -> int | None:
    return RAG_ORDER[Rag(rag)] if rag else None


def text_key(text: str | None) -> str | None:
    return text.casefold() if text else None


def plan_date_key(value: date | None, precision: str | None) -> date | None:
    """Month-precision dates sort as the month's last day, as they are due."""
    plan_date = PlanDate.from_fields(value, precision)
    return plan_date.value if plan_date else None


def reason_text(result: RagResult) -> str:
    """Why a rating is what it is, for ratings that are not plainly fine ("It is 47 days
    late"); blank for Green and Complete, as on every list."""
    if result.rag in (Rag.GREEN, Rag.COMPLETE) or not result.reasons:
        return ""
    text = "; ".join(reason.text("it") for reason in result.reasons)
    return text[:1].upper() + text[1:]


def programme_for(request, programme_id: int) -> Programme:
    """The programme a list is of: 404 for anyone who may not see it."""
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)
    require(request.user, Action.VIEW, programme)
    return programme


def _chosen_sort(listing: Listing, param: str) -> Sort:
    columns = {column.key: column for column in listing.columns if column.sort_value}
    for wanted in (param, listing.default_sort):
        key = wanted.removeprefix("-")
        if key in columns:
            return Sort(columns[key], wanted.startswith("-"))
    raise ValueError(f"The default sort of {listing.name} is not a sortable column")


def sort_rows(rows: list, sort: Sort) -> list:
    """Sorted by the column, keeping the rows' own order among equals; empty values last."""
    value = sort.column.sort_value
    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    return sorted(present, key=value, reverse=sort.descending) + missing


def _query(params: QueryDict, **changes) -> str:
    """The list's parameters with some changed (None removes one); never the page's number
    or a download's format unless asked."""
    query = params.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def _headers(request, listing: Listing, sort: Sort) -> list[dict]:
    headers = []
    for column in listing.columns:
        header = {"column": column, "url": None, "aria_sort": None, "next": None}
        if column.sort_value:
            is_sorted = column is sort.column
            descending_next = is_sorted and not sort.descending
            header["url"] = request.path + _query(
                request.GET, sort=f"-{column.key}" if descending_next else column.key
            )
            header["next"] = "descending" if descending_next else "ascending"
            if is_sorted:
                header["aria_sort"] = "descending" if sort.descending else "ascending"
        headers.append(header)
    return headers


def _pagination(request, page) -> dict | None:
    paginator = page.paginator
    if paginator.num_pages < 2:
        return None

    def url(number: int) -> str:
        return request.path + _query(request.GET, page=number if number > 1 else None)

    items = [
        {"ellipsis": True}
        if number == paginator.ELLIPSIS
        else {"number": number, "url": url(number), "current": number == page.number}
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "items": items,
        "first": page.start_index(),
        "last": page.end_index(),
    }


def _other_lists(request, programme: Programme) -> list[dict]:
    links = []
    for label, url_name in LISTS:
        url = reverse(url_name, args=[programme.pk])
        links.append({"label": label, "url": url, "current": url == request.path})
    return links


def render_list(
    request,
    programme: Programme,
    listing: Listing,
    filterset: ProgrammeFilterSet,
    load_rows: Callable[[], list],
    *,
    as_of: date,
    context: dict | None = None,
) -> HttpResponse:
    """Filter, sort, and either download every row or show one page of them.

    `load_rows` gives the rows the query left, rated; they are loaded only when the filters
    are valid. With `?format=csv` or `?format=xlsx` the response is a file of all the rows,
    in the order the pages show them.
    """
    valid = filterset.is_valid()
    rows = filterset.filter_rows(load_rows()) if valid else []
    sort = _chosen_sort(listing, request.GET.get("sort", ""))
    rows = sort_rows(rows, sort)
    file_format = request.GET.get("format")
    if valid and file_format in FORMATS:
        return export_response(
            file_format,
            columns=listing.export_columns,
            rows=rows,
            filename=export_filename(listing.name, programme.reference, as_of, file_format),
            title=listing.plural.capitalize(),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    explicit_sort = request.GET.get("sort") == sort.param
    return render(
        request,
        listing.template,
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "today": as_of,
            "listing": listing,
            "filterset": filterset,
            "page": page,
            "count_label": listing.count_label(len(rows)),
            "headers": _headers(request, listing, sort),
            "sort": sort,
            "sort_param": sort.param if explicit_sort else "",
            "clear_url": request.path
            + _query(QueryDict(), sort=sort.param if explicit_sort else None),
            "csv_url": request.path + _query(request.GET, format="csv"),
            "xlsx_url": request.path + _query(request.GET, format="xlsx"),
            "pagination": _pagination(request, page),
            "as_of": as_of,
            "other_lists": _other_lists(request, programme),
            **(context or {}),
        },
        status=200 if valid else 400,
    )


# ----- Workstreams -----


@dataclass
class WorkstreamRow:
    rating: WorkstreamRating
    area: ProgrammeArea

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
        Column("area", "Area", lambda r: r.area.sort_key),
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


def _workstream_rows(programme: Programme, filterset: WorkstreamFilterSet, as_of: date):
    def load() -> list[WorkstreamRow]:
        rating = assess(load_state(programme, as_of), as_of)
        wanted = set(filterset.qs.values_list("pk", flat=True))
        areas = {area_rating.area.pk: area_rating.area for area_rating in rating.areas}
        return [
            WorkstreamRow(workstream_rating, areas[workstream_rating.workstream.area_id])
            for workstream_rating in rating.workstreams
            if workstream_rating.workstream.pk in wanted
        ]

    return load


@login_required
def workstream_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_of = timezone.localdate()
    filterset = WorkstreamFilterSet(
        request.GET,
        programme=programme,
        queryset=Workstream.objects.filter(programme=programme),
    )
    return render_list(
        request,
        programme,
        WORKSTREAMS,
        filterset,
        _workstream_rows(programme, filterset, as_of),
        as_of=as_of,
    )


# ----- Milestones -----


@dataclass
class MilestoneRow:
    milestone: Milestone
    result: RagResult
    tolerance_days: int

    @property
    def reason(self) -> str:
        return reason_text(self.result)


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


def _milestone_rows(programme: Programme, filterset: MilestoneFilterSet, as_of: date):
    def load() -> list[MilestoneRow]:
        milestones = filterset.qs.select_related("workstream__area")
        with_notes = set(
            ProgressNote.objects.filter(
                milestone__workstream__programme=programme, noted_on__lte=as_of
            ).values_list("milestone_id", flat=True)
        )
        tolerances: dict[int, int] = {}
        rows = []
        for milestone in milestones:
            area = milestone.workstream.area
            if area.pk not in tolerances:
                tolerances[area.pk] = area.tolerances_within(programme).time_days
            tolerance = tolerances[area.pk]
            result = rate_milestone(
                milestone,
                as_of=as_of,
                tolerance_days=tolerance,
                has_notes=milestone.pk in with_notes,
            )
            rows.append(MilestoneRow(milestone, result, tolerance))
        return rows

    return load


@login_required
def milestone_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_of = timezone.localdate()
    filterset = MilestoneFilterSet(
        request.GET,
        programme=programme,
        queryset=Milestone.objects.filter(workstream__programme=programme),
        as_of=as_of,
    )
    return render_list(
        request,
        programme,
        MILESTONES,
        filterset,
        _milestone_rows(programme, filterset, as_of),
        as_of=as_of,
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


def _measure_rows(programme: Programme, filterset: MeasureFilterSet, as_of: date):
    """Rated as on the workstream page: `assess` over the filtered measures alone."""

    def load() -> list[MeasureRow]:
        measures = filterset.qs
        state = ProgrammeState(
            programme=programme,
            areas=list(ProgrammeArea.objects.filter(programme=programme)),
            workstreams=list(Workstream.objects.filter(programme=programme).order_by("sort_key")),
            milestones=[],
            milestones_with_notes=set(),
            measures=list(measures.order_by("sort_key")),
            targets=list(MeasureTarget.objects.filter(measure__in=measures.values("pk"))),
            readings=list(
                MeasureReading.objects.filter(
                    measure__in=measures.values("pk"), period__lte=as_of
                ).order_by("period")
            ),
            updates=[],
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
def measure_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    as_of = timezone.localdate()
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
        _measure_rows(programme, filterset, as_of),
        as_of=as_of,
    )
