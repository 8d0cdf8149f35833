"""The highlight report's Gantt chart has no links, so making it resolves no URL: the first
reverse() in a worker's process imports every view (a quarter of a second of a report). The
timeline page's chart keeps its links."""

import pytest
from django.urls import reverse

from reporting import timeline
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
