"""What every list shares: filter, sort, page, and download exactly what is shown
(DOMAIN.md section 6: "Every list filters and exports to CSV/Excel").

A list loads its filtered rows in a fixed number of queries, rates them in Python with the
rules every other page uses, then sorts them in Python: RAG columns and filters are computed
values, so one path sorts every column the same way, and the download takes all the rows in
the order the pages show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape  # as Django's escape() and the templates' (no lazy wrapper)
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from programmes.as_at import PARAMETER, AsAt, keep_as_at
from programmes.caching import with_changes
from programmes.choices import Rag
from programmes.dates import PlanDate
from programmes.exports import FORMATS, ExportColumn, export_filename, export_response
from programmes.filtersets import ProgrammeFilterSet
from programmes.models import Programme
from programmes.permissions import Action, get_for
from programmes.rules import RagResult, severity_rank

PAGE_SIZE = 50
LISTS = [
    ("Workstreams", "workstream_list"),
    ("Milestones", "milestone_list"),
    ("Measures", "measure_list"),
    ("Risks", "risk_list"),
    ("Issues", "issue_list"),
    ("Decisions", "decision_list"),
    ("Actions", "action_list"),
    ("Benefits", "benefit_list"),
]


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
    """A RAG column's sort value: the one severity order, worst first, so that sorting
    ascending puts the reds at the top (`programmes.rules.severity_rank`)."""
    return severity_rank(rag) if rag else None


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


# ----- Rows written in Python -----
# A long list's rows are written in Python rather than cell by cell in its template (issue 17:
# a template's variables cost the lists most of their time), with the same markup, every
# value escaped. What they share is worked out once a page.


def link_pattern(url_name: str) -> str:
    """The address of an object's page with `{0}` for its id: one reverse() for all rows."""
    return reverse(url_name, args=[987654321]).replace("987654321", "{0}")


def cell_labels(listing: Listing) -> dict[str, str]:
    """Each column's heading by key, escaped, which a cell repeats for a phone (the list's
    `data-label`: there the table's rows are blocks, each cell's heading above it)."""
    return {column.key: escape(column.heading) for column in listing.columns}


def row_start(reference: str, href: str, title: str, after_title: str = "") -> str:
    """A row's opening: its reference, then its title linked to its page (`after_title`:
    markup after the link, such as a tag). Values escaped; `href` as `link_pattern` made it."""
    return (
        '<tr class="govuk-table__row">'
        f'<td class="govuk-table__cell app-table__reference">{escape(reference)}</td>'
        f'<td class="govuk-table__cell"><a class="govuk-link" href="{escape(href)}">'
        f"{escape(title)}</a>{after_title}</td>"
    )


def programme_for(request, programme_id: int, action: Action = Action.VIEW) -> Programme:
    """The programme a page is of, from those the user may see: 404 for anyone who may not
    see it, 403 for those whose role does not allow the action."""
    return get_for(
        request.user,
        action,
        # With its change counter, for what its pages keep in the cache (programmes.caching).
        with_changes(Programme.objects.select_related("organisation")),
        pk=programme_id,
    )


def _chosen_sort(listing: Listing, param: str) -> Sort:
    columns = {column.key: column for column in listing.columns if column.sort_value}
    for wanted in (param, listing.default_sort):
        key = wanted.removeprefix("-")
        if key in columns:
            return Sort(columns[key], wanted.startswith("-"))
    raise ValueError(f"The default sort of {listing.name} is not a sortable column")


def sort_rows(rows: list, sort: Sort) -> list:
    """Sorted by the column, keeping the rows' own order among equals; empty values last."""
    keyed = [(sort.column.sort_value(row), row) for row in rows]  # each row's value once
    present = [(value, row) for value, row in keyed if value is not None]
    present.sort(key=lambda pair: pair[0], reverse=sort.descending)
    return [row for _, row in present] + [row for value, row in keyed if value is None]


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
        links.append(
            {
                "label": label,
                "url": keep_as_at(request, url_name, url),
                "current": url == request.path,
            }
        )
    return links


def render_list(
    request,
    programme: Programme,
    listing: Listing,
    filterset: ProgrammeFilterSet,
    load_rows: Callable[[], list],
    *,
    as_of: date,
    as_at: AsAt | None = None,
    as_at_unavailable: str = "",
    context: dict | None = None,
) -> HttpResponse:
    """Filter, sort, and either download every row or show one page of them.

    With `as_at` from `programmes.as_at.chosen_as_at`, the rows are as at a past period's
    end and the page says so; `as_at_unavailable` names what a list that has no history
    shows of today instead ("The action log"), and the banner says that.

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
    kept = {PARAMETER: as_at.period.pk} if as_at and as_at.is_historical else {}
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
            + _query(QueryDict(), sort=sort.param if explicit_sort else None, **kept),
            "csv_url": request.path + _query(request.GET, format="csv"),
            "xlsx_url": request.path + _query(request.GET, format="xlsx"),
            "pagination": _pagination(request, page),
            "as_of": as_of,
            "other_lists": _other_lists(request, programme),
            "as_at": as_at,
            "as_at_unavailable": as_at_unavailable,
            **(context or {}),
        },
        status=200 if valid else 400,
    )
