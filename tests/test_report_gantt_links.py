"""The highlight report's Gantt chart has no links, so making it resolves no URL: the first
reverse() in a worker's process imports every view (a quarter of a second of a report). The
timeline page's chart keeps its links. Its pictures carry no text: the names beside them and
over their axes are the report's own."""

import base64
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from programmes.choices import PeriodStatus
from reporting import timeline
from reporting.pdf import html_to_pdf, render_html
from reporting.reports import gather_highlight
from reporting.timeline import gantt, load_timeline
from tests.factories import MilestoneFactory, PeriodFactory
from tests.test_report_content import LAST_MONTH
from workstreams.models import Milestone


@pytest.fixture
def charted(plan):
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=LAST_MONTH)
    return plan["programme"]


@pytest.fixture
def no_url_resolving(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a URL was resolved")

    monkeypatch.setattr(timeline, "reverse", refuse)


def test_the_reports_chart_resolves_no_url(charted, no_url_resolving):
    chart = gantt(load_timeline(charted), links=False)
    rows = [row for area in chart.areas for row in area.rows]
    assert rows and all(row.url == "" for row in rows)
    assert chart.table and all(line.url == "" for line in chart.table)


def test_the_highlight_report_gathers_its_chart_without_resolving_a_url(charted, no_url_resolving):
    period = PeriodFactory(programme=charted, month=LAST_MONTH)
    report = gather_highlight(charted, period, author="Programme office")
    assert report.timeline is not None


def test_the_pages_chart_links_each_workstream_and_milestone(charted):
    chart = gantt(load_timeline(charted))
    [row] = [row for area in chart.areas for row in area.rows if row.reference == "1.1"]
    assert row.url == reverse("workstream_detail", args=[row.workstream_id])
    milestone = Milestone.objects.get(reference="1.1.1")
    [line] = [line for line in chart.table if line.reference == "1.1.1"]
    assert line.url == reverse("milestone_detail", args=[milestone.pk])


def _svg_of(data_uri: str) -> str:
    head, data = data_uri.split(",", 1)
    return (base64.b64decode(data) if ";base64" in head else unquote(data).encode()).decode()


def test_the_reports_chart_names_each_quarter_as_text_over_a_picture_with_no_text(demo):
    """WeasyPrint draws an SVG's text a letter at a time, so the report's pictures carry no
    text: the workstreams' names beside them and the quarters' names over their axes are the
    report's own, read back from the PDF (Harrow's last closed period)."""
    harrow = demo["HARROW-TPP"]
    period = harrow.reporting_periods.filter(status=PeriodStatus.CLOSED).order_by("-month").first()
    report = gather_highlight(harrow, period, author="Programme office")
    pictures = report.timeline_pictures
    quarters = [tick.label for tick in report.timeline.ticks]
    assert quarters and [tick.label for tick in pictures.ticks] == quarters
    lefts = [tick.left_mm for tick in pictures.ticks]
    assert lefts == sorted(lefts) and lefts[0] > 0 and lefts[-1] < pictures.chart_mm
    assert pictures.areas and all("<text" not in _svg_of(area.src) for area in pictures.areas)

    text = " ".join(
        page.extract_text()
        for page in PdfReader(BytesIO(html_to_pdf(render_html(report)).content)).pages
    )
    for quarter in quarters:
        assert quarter in text
    for area in pictures.areas:
        assert area.title in text and all(name in text for name in area.rows)
