"""The timeline's Gantt chart as the highlight report draws it (annex C): each area a block of
its own, never split across pages: the area's name, then each workstream's name beside the
picture of its row (the axis, then the rows: markers, ghosts, bars and dependency lines).

The positions are reporting.timeline.gantt()'s, as the timeline page draws them, except that a
row is lower (REPORT_ROW_HEIGHT): the same picture on fewer pages. The picture goes into the
report as an image, not inline: WeasyPrint reads an image's SVG with the XML parser and styles
none of it with the report's stylesheet, where an inline SVG's thousand elements went through
the HTML parser and the cascade. The names are the report's own text beside it rather than
SVG text, which WeasyPrint lays out and draws a letter at a time (the names were half of the
chart's cost). No links and no focus details: a report is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from programmes.charts import as_data_uri
from reporting.timeline import AXIS_HEIGHT, Gantt, GanttArea, Marker, _link

REPORT_ROW_HEIGHT = 28  # pixels; the page draws 56
# The page's 180 mm: the workstreams' names, then the picture.
LABEL_MM = 38
CHART_MM = 142
INK, GREY, LIGHT = "#0b0c0c", "#505a5f", "#f3f2f1"


@dataclass(frozen=True)
class GanttPicture:
    """One area's chart: its name, its workstreams' names (one a row), the picture as a data:
    URI with its text alternative and size in pixels."""

    title: str
    rows: list[str]
    label: str
    src: str
    width: int
    height: int


@dataclass(frozen=True)
class AxisLabel:
    """A quarter's name over its box of the axis, in millimetres from the picture's left."""

    left_mm: float
    label: str


@dataclass(frozen=True)
class ReportGantt:
    """The pictures, the quarters' names over their axes, and the millimetres that line the
    names up with the rows."""

    areas: list[GanttPicture]
    row_mm: float
    axis_mm: float
    ticks: list[AxisLabel]
    tick_font_mm: float  # the page's 13 px bold, and its top 4 px down the axis
    tick_top_mm: float
    label_mm: float = LABEL_MM
    chart_mm: float = CHART_MM


def _f(value: float) -> str:
    """A coordinate in as few characters as it needs."""
    return f"{value:.1f}".removesuffix(".0")


def _marker_svg(marker: Marker) -> str:
    parts = []
    if marker.width:
        parts.append(
            f'<rect x="{_f(marker.x)}" y="{_f(marker.top)}" width="{_f(marker.width)}" '
            f'height="20" fill="{marker.colour}" fill-opacity="0.3" stroke="{marker.colour}"/>'
        )
    if marker.kind == "key_decision":
        parts.append(f'<polygon points="{marker.diamond}" fill="{marker.colour}" stroke="{INK}"/>')
    elif marker.kind == "deliverable":
        parts.append(
            f'<rect x="{_f(marker.shape_x)}" y="{_f(marker.shape_y)}" width="12" height="12" '
            f'fill="{marker.colour}" stroke="{INK}"/>'
        )
    else:
        parts.append(
            f'<circle cx="{_f(marker.centre)}" cy="{_f(marker.y)}" r="6" '
            f'fill="{marker.colour}" stroke="{INK}"/>'
        )
    return "".join(parts)


def _ghost_svg(marker: Marker) -> str:
    """The baseline the forecast moved from: a dashed outline joined to the marker."""
    parts = [
        f'<line x1="{_f(marker.ghost_centre)}" y1="{_f(marker.y)}" x2="{_f(marker.centre)}" '
        f'y2="{_f(marker.y)}" stroke="{GREY}" stroke-dasharray="3 3"/>'
    ]
    if marker.ghost_width:
        parts.append(
            f'<rect x="{_f(marker.ghost_x)}" y="{_f(marker.top)}" width="{_f(marker.ghost_width)}" '
            f'height="20" fill="none" stroke="{GREY}" stroke-dasharray="4 3"/>'
        )
    else:
        parts.append(
            f'<circle cx="{_f(marker.ghost_x)}" cy="{_f(marker.y)}" r="6" fill="#ffffff" '
            f'stroke="{GREY}" stroke-dasharray="2 2"/>'
        )
    return "".join(parts)


def area_svg(chart: Gantt, area: GanttArea) -> tuple[str, int, int]:
    """One area's picture as SVG (the axis, then the rows), with its width and height."""
    rows_height = len(area.rows) * REPORT_ROW_HEIGHT
    width = chart.width
    height = AXIS_HEIGHT + rows_height
    # Each row's markers moved to the row's new middle; the dependency lines drawn again
    # between the moved markers, as the page draws them.
    moved: dict[str, Marker] = {}
    rows = []
    for index, row in enumerate(area.rows):
        y = index * REPORT_ROW_HEIGHT + REPORT_ROW_HEIGHT / 2
        markers = [replace(marker, y=y) for marker in row.markers]
        moved.update((marker.reference, marker) for marker in markers)
        rows.append((y, row, markers))
    links = [
        _link(moved[link.upstream], moved[link.downstream])
        for link in area.links
        if link.upstream in moved and link.downstream in moved
    ]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Liberation Sans, Arial, sans-serif">'
    ]
    # The axis's quarters as boxes; their names are the report's own text over them
    # (ReportGantt.ticks), as WeasyPrint draws SVG text a letter at a time.
    for tick in chart.ticks:
        out.append(
            f'<rect x="{_f(tick.x)}" y="0" width="{_f(tick.width)}" height="{AXIS_HEIGHT}" '
            f'fill="{LIGHT if tick.shaded else "#ffffff"}" stroke="#b1b4b6" stroke-width="0.5"/>'
        )
    out.append(
        f'<g transform="translate(0,{AXIS_HEIGHT})">'
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="{GREY}"/></marker></defs>'
    )
    for tick in chart.ticks:
        if tick.shaded:
            out.append(
                f'<rect x="{_f(tick.x)}" y="0" width="{_f(tick.width)}" height="{rows_height}" '
                f'fill="{LIGHT}"/>'
            )
    for y, row, _ in rows:
        top = y - REPORT_ROW_HEIGHT / 2
        out.append(
            f'<line x1="0" y1="{_f(top)}" x2="{chart.width}" y2="{_f(top)}" stroke="#e5e6e7"/>'
        )
        if row.bar:
            out.append(
                f'<rect x="{_f(row.bar.x)}" y="{_f(y - 5)}" width="{_f(row.bar.width)}" '
                f'height="10" rx="5" fill="#b1b4b6"/>'
            )
    if chart.today_x is not None:
        out.append(
            f'<line x1="{_f(chart.today_x)}" y1="0" x2="{_f(chart.today_x)}" '
            f'y2="{rows_height}" stroke="{INK}" stroke-width="2"/>'
        )
    for _, _, markers in rows:
        out.extend(_ghost_svg(marker) for marker in markers if marker.ghost_x is not None)
    for link in links:
        colour = "#d4351c" if link.is_conflict else GREY
        dashes = ' stroke-dasharray="5 3"' if link.is_conflict else ""
        out.append(
            f'<path d="{link.path}" fill="none" stroke="{colour}" stroke-width="1.5"{dashes} '
            'marker-end="url(#arrow)"/>'
        )
    for _, _, markers in rows:
        out.extend(_marker_svg(marker) for marker in markers)
    out.append("</g></svg>")
    return "".join(out), width, height


def gantt_pictures(chart: Gantt | None) -> ReportGantt | None:
    """Each area of the chart as a picture, in the chart's order."""
    if chart is None or not chart.areas:
        return None
    pictures = []
    for area in chart.areas:
        svg, width, height = area_svg(chart, area)
        title = f"{area.reference} {area.name}"
        pictures.append(
            GanttPicture(
                title,
                [row.short_label for row in area.rows],
                f"Timeline of area {title}",
                as_data_uri(svg),
                width,
                height,
            )
        )
    scale = CHART_MM / chart.width  # millimetres a pixel
    return ReportGantt(
        pictures,
        round(REPORT_ROW_HEIGHT * scale, 3),
        round(AXIS_HEIGHT * scale, 3),
        [AxisLabel(round(tick.text_x * scale, 2), tick.label) for tick in chart.ticks],
        tick_font_mm=round(13 * scale, 3),
        tick_top_mm=round(4 * scale, 3),
    )
