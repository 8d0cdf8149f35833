"""The timeline as a Gantt chart (issue 15, part 2): where markers, ghosts, bars and dependency
lines are drawn, the zoom levels, the collapsible areas, the table of the same data, the
as-at view, and a fixed number of queries that read only what the chart shows."""

import base64
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.choices import DatePrecision, Role
from programmes.models import ProgrammeArea
from reporting.pdf import render_html
from reporting.reports import gather_highlight
from reporting.timeline import ZOOMS, TimelineFilters, gantt, load_timeline, shorten
from tests.clock import TODAY
from tests.factories import (
    MilestoneFactory,
    PeriodFactory,
    UserFactory,
    grant,
)
from tests.test_pages import build_programme
from workstreams.models import Milestone, Workstream

NOVEMBER = date(2026, 11, 1)


def markers_of(chart) -> dict:
    return {m.reference: m for area in chart.areas for row in area.rows for m in row.markers}


def chart_of(programme, **options):
    options.setdefault("start", NOVEMBER)
    return gantt(load_timeline(programme), **options)


@pytest.fixture
def dated(plan):
    """1.1.1 due on a day, 1.1.2 due in a month, 1.1.3 moved from its baseline, 1.1.4 on its
    baseline, 1.2.1 depending on 1.1.1, 2.1.1 (another area) depending on 1.1.1."""
    ws_1_1, ws_1_2 = plan["ws_1_1"], plan["ws_1_2"]
    day = MilestoneFactory(
        workstream=ws_1_1, reference="1.1.1", title="Cabinet approves the strategy",
        kind="key_decision", baseline_date=date(2026, 12, 16),
    )  # fmt: skip
    MilestoneFactory(
        workstream=ws_1_1, reference="1.1.2", title="Homes let",
        baseline_date=date(2027, 1, 31), baseline_precision=DatePrecision.MONTH,
    )  # fmt: skip
    MilestoneFactory(
        workstream=ws_1_1, reference="1.1.3", title="Contract signed",
        baseline_date=date(2026, 11, 30), forecast_date=date(2027, 2, 10),
    )  # fmt: skip
    MilestoneFactory(
        workstream=ws_1_1, reference="1.1.4", title="Staff trained",
        baseline_date=date(2027, 3, 1), forecast_date=date(2027, 3, 1),
    )  # fmt: skip
    downstream = MilestoneFactory(
        workstream=ws_1_2, reference="1.2.1", title="Service opens",
        baseline_date=date(2027, 4, 15),
    )  # fmt: skip
    elsewhere = MilestoneFactory(
        workstream=plan["ws_2_1"], reference="2.1.1", title="Tenants move in",
        baseline_date=date(2027, 5, 20),
    )  # fmt: skip
    downstream.depends_on.add(day)
    elsewhere.depends_on.add(day)
    return plan


def test_a_day_is_drawn_at_its_share_of_its_month(dated):
    markers = markers_of(chart_of(dated["programme"]))
    # November is the first month, 120 pixels a month: 16 December is 15/31 into the second.
    assert markers["1.1.1"].x == round((1 + 15 / 31) * 120, 1)
    assert markers["1.1.1"].width == 0


def test_a_month_is_drawn_across_its_whole_month(dated):
    markers = markers_of(chart_of(dated["programme"]))
    assert (markers["1.1.2"].x, markers["1.1.2"].width) == (240, 120)
    assert markers["1.1.2"].date_label == "Jan 2027"


def test_the_baseline_is_a_ghost_only_where_the_forecast_moved(dated, client, people):
    markers = markers_of(chart_of(dated["programme"]))
    assert markers["1.1.3"].ghost_x == round(29 / 30 * 120, 1)  # 30 November
    assert markers["1.1.3"].x == round((3 + 9 / 28) * 120, 1)  # 10 February
    assert markers["1.1.4"].ghost_x is None  # forecast on its baseline
    assert markers["1.1.1"].ghost_x is None  # no forecast
    client.force_login(people["board"])
    url = reverse("programme_timeline", args=[dated["programme"].pk])
    html = client.get(url, {"start": "2026-11"}).content.decode()
    assert html.count('class="app-gantt__ghost"') == 1


def test_the_bar_runs_from_the_first_milestone_to_the_last(dated):
    chart = chart_of(dated["programme"])
    row = chart.areas[0].rows[0]
    assert row.reference == "1.1"
    # From 30 November (1.1.3's baseline is not the date it is due: its forecast is) ...
    assert row.bar.x == round((1 + 15 / 31) * 120, 1)  # 1.1.1, 16 December, the first due
    assert row.bar.x + row.bar.width == round((4 + 0 / 31) * 120, 1)  # 1 March, the last


def test_dependency_lines_join_the_right_markers(dated):
    chart = chart_of(dated["programme"])
    markers = markers_of(chart)
    upstream, downstream = markers["1.1.1"], markers["1.2.1"]
    [link] = chart.areas[0].links
    assert (link.upstream, link.downstream) == ("1.1.1", "1.2.1")
    assert link.path.startswith(f"M{upstream.right + 8:.1f},{upstream.y:.1f} ")
    assert link.path.endswith(f"V{downstream.y:.1f} H{downstream.x - 8:.1f}")
    assert upstream.y != downstream.y and not link.is_conflict
    # Across areas no line is drawn, but the marker and the table say what it depends on.
    assert chart.areas[1].links == []
    assert markers["2.1.1"].depends_on == ["1.1.1"]
    assert "depends on 1.1.1" in markers["2.1.1"].label
    assert [row.depends_on for row in chart.table if row.reference == "2.1.1"] == [["1.1.1"]]


def test_a_dependency_due_before_what_it_waits_for_is_drawn_as_a_conflict(dated):
    Milestone.objects.filter(reference="1.2.1").update(baseline_date=date(2026, 12, 1))
    [link] = chart_of(dated["programme"]).areas[0].links
    assert link.is_conflict


def test_zoom_by_month_quarter_and_financial_year(dated, client, people):
    month = chart_of(dated["programme"], zoom=ZOOMS["month"])
    quarter = chart_of(dated["programme"], zoom=ZOOMS["quarter"])
    year = chart_of(dated["programme"], zoom=ZOOMS["year"])
    assert (month.start, month.width, month.ticks[0].label) == (NOVEMBER, 1440, "Nov 2026")
    assert (quarter.start, quarter.width, quarter.ticks[0].label) == (
        date(2026, 10, 1), 1200, "Oct–Dec 2026",
    )  # fmt: skip
    assert (year.start, year.width, year.ticks[0].label) == (date(2026, 4, 1), 1200, "2026/27")
    # The same day at each zoom: 16 December, at 120, 50 and 20 pixels a month.
    assert markers_of(quarter)["1.1.1"].x == round((2 + 15 / 31) * 50, 1)
    assert markers_of(year)["1.1.1"].x == round((8 + 15 / 31) * 20, 1)

    client.force_login(people["board"])
    url = reverse("programme_timeline", args=[dated["programme"].pk])
    assert client.get(url, {"zoom": "quarter"}).context["chart"].zoom.name == "quarter"
    assert client.get(url, {"zoom": "decade"}).context["chart"].zoom.name == "month"
    html = client.get(url, {"zoom": "year"}).content.decode()
    assert '<option value="year" selected>Financial year</option>' in html
    assert 'width="1200" height="40"' in html  # the axis: five years of 240 pixels


def test_each_area_collapses_without_script(dated, client, people):
    client.force_login(people["board"])
    html = client.get(
        reverse("programme_timeline", args=[dated["programme"].pk]), {"start": "2026-11"}
    ).content.decode()
    areas = re.findall(
        r'<details class="app-gantt__area" open>\s*<summary class="app-gantt__summary">'
        r'<span class="app-gantt__summary-text">([^<]+)</span>',
        html,
    )
    assert areas == ["1 Community Services", "2 Accommodation"]


def test_every_marker_is_a_link_named_with_its_details(dated, client, people):
    client.force_login(people["board"])
    html = client.get(
        reverse("programme_timeline", args=[dated["programme"].pk]), {"start": "2026-11"}
    ).content.decode()
    moved = Milestone.objects.get(reference="1.1.3")
    assert (
        f'<a class="app-gantt__marker" href="/milestones/{moved.pk}/" aria-label="1.1.3 '
        "Contract signed, Milestone, forecast 10 Feb 2027, baseline 30 Nov 2026, "
    ) in html
    assert html.count('<a class="app-gantt__marker"') == 6


def test_the_table_lists_every_milestone_even_undated_or_outside_the_chart(dated):
    MilestoneFactory(workstream=dated["ws_2_2"], reference="2.2.1", baseline_date=None)
    MilestoneFactory(workstream=dated["ws_2_2"], reference="2.2.2", baseline_date=date(2030, 1, 1))
    chart = chart_of(dated["programme"], months=6)
    assert [row.reference for row in chart.table] == [
        "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2.1", "2.1.1", "2.2.1", "2.2.2",
    ]  # fmt: skip
    assert chart.undated == 1
    assert chart.shown == 5  # November to April: all but 2.1.1 (May) and the 2.2s


def test_filters_keep_their_rows_and_table(dated):
    chart = chart_of(dated["programme"], filters=TimelineFilters(kind="key_decision"))
    assert [row.reference for row in chart.table] == ["1.1.1"]
    assert [area.reference for area in chart.areas] == ["1"]


def test_no_name_is_cut_mid_word():
    assert shorten("Developing more Extra Care Housing", 60) == (
        "Developing more Extra Care Housing"
    )
    assert shorten("Developing more Extra Care Housing across the borough", 30) == (
        "Developing more Extra Care…"
    )
    assert shorten("Supercalifragilistic housing", 10) == "Supercalifragilistic…"


def test_a_long_workstream_name_is_shortened_at_a_word_on_its_row(plan):
    Workstream.objects.filter(pk=plan["ws_1_1"].pk).update(
        name="Modernising Day Opportunities for all service users and their carers in Harrow"
    )
    MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=date(2026, 12, 1))
    row = chart_of(plan["programme"]).areas[0].rows[0]
    assert row.label == "1.1 Modernising Day Opportunities for all service users and…"
    assert row.short_label == "1.1 Modernising Day…"
    assert row.name.endswith("carers in Harrow")  # whole, in the link's title and the table


@pytest.fixture
def dependency_added_later(dated):
    """At the end of last month the plan had 1.1.1 and 1.2.1 but 1.2.1 depended on nothing,
    and 1.1.1 was due on 16 November; since, it moved to 16 December and 1.2.1 came to
    depend on it. 2.1.1 depended on 1.1.1 then as now."""
    last_month = date(2026, 10, 1)
    period = PeriodFactory(programme=dated["programme"], month=last_month)
    then = timezone.make_aware(datetime.combine(last_month, time(9)))
    for model in (ProgrammeArea, Workstream, Milestone):
        model.history.update(history_date=then)
    first = Milestone.history.filter(reference="1.1.1").earliest("history_date")
    first.baseline_date = date(2026, 11, 16)
    first.save()
    dependency_records = Milestone.history.model._meta.get_field(
        "historicalmilestone_depends_on"
    ).related_model
    # 1.2.1's dependency was recorded today, with its record of today; 2.1.1's stands.
    downstream = Milestone.objects.get(reference="1.2.1")
    dependency_records.objects.filter(from_milestone_id=downstream.pk).delete()
    downstream.depends_on.clear()
    downstream.depends_on.add(Milestone.objects.get(reference="1.1.1"))
    return period


def test_as_at_a_past_period_the_chart_shows_the_plan_as_it_stood(
    dependency_added_later, client, people
):
    client.force_login(people["board"])
    url = reverse("programme_timeline", args=[dependency_added_later.programme_id])
    then = client.get(url, {"period": dependency_added_later.pk, "start": "2026-11"})
    now = client.get(url, {"start": "2026-11"})
    then_markers, now_markers = markers_of(then.context["chart"]), markers_of(now.context["chart"])
    assert then_markers["1.1.1"].x == round(15 / 30 * 120, 1)  # 16 November, as it was
    assert now_markers["1.1.1"].x == round((1 + 15 / 31) * 120, 1)
    assert then.context["chart"].areas[0].links == []
    assert then_markers["2.1.1"].depends_on == ["1.1.1"]
    assert [link.downstream for link in now.context["chart"].areas[0].links] == ["1.2.1"]
    html = then.content.decode()
    assert "As at 31 October 2026" in html and "The plan as it stood at the end of" in html
    assert f'name="period" value="{dependency_added_later.pk}"' in html  # the filters keep it


def _timeline_programme(size):
    programme, _first = build_programme(workstreams=3 * size, milestones=3 * size)
    milestones = list(Milestone.objects.filter(workstream__programme=programme))
    for upstream, downstream in zip(milestones, milestones[1:], strict=False):
        downstream.depends_on.add(upstream)
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=programme)
    return programme, user


@pytest.mark.parametrize("size", [1, 4])
def test_the_timeline_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme, user = _timeline_programme(size)
    client.force_login(user)
    url = reverse("programme_timeline", args=[programme.pk])
    for zoom in ZOOMS:
        with django_assert_max_num_queries(11):
            response = client.get(url, {"zoom": zoom, "start": "2026-01"})
        assert response.context["chart"].shown == 9 * size * size


@pytest.mark.parametrize("size", [1, 4])
def test_the_timeline_as_at_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme, user = _timeline_programme(size)
    past = PeriodFactory(programme=programme, month=TODAY.replace(day=1) - timedelta(days=31))
    client.force_login(user)
    url = reverse("programme_timeline", args=[programme.pk])
    with django_assert_max_num_queries(13):
        response = client.get(url, {"period": past.pk})
    assert b"As at" in response.content


def test_the_timeline_reads_no_measures_updates_or_risks(client, db):
    programme, user = _timeline_programme(1)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("programme_timeline", args=[programme.pk]))
    read = " ".join(query["sql"] for query in queries.captured_queries)
    for table in ("measurereading", "statusupdate", "risks_risk", "budgetline", "measuretarget"):
        assert table not in read, table


def test_the_highlight_reports_annex_draws_the_same_chart(dated):
    period = PeriodFactory(programme=dated["programme"], month=NOVEMBER)
    report = gather_highlight(dated["programme"], period, author="Programme office")
    # Around the period by financial quarter: from July 2026, five quarters.
    assert (report.timeline.start, report.timeline.zoom.name) == (date(2026, 7, 1), "quarter")
    markers = markers_of(report.timeline)
    assert markers["1.1.1"].x == round((5 + 15 / 31) * 50, 1)  # 16 December
    html = render_html(report)
    annex = html[html.index('id="annex-b"') :]
    # One block an area: its name, its workstreams' names as text, its rows as a picture.
    assert annex.count('<div class="r-gantt">') == 2
    assert '<p class="r-gantt__title">1 Community Services</p>' in annex
    assert "<p>1.1 Day Opportunities</p>" in annex
    assert 'alt="Timeline of area 1 Community Services"' in annex
    pictures = [
        base64.b64decode(src).decode()
        for src in re.findall(
            r'class="r-gantt__chart" src="data:image/svg\+xml;base64,([^"]+)"', annex
        )
    ]
    assert len(pictures) == 2
    assert "".join(pictures).count("<polygon points=") == 1  # 1.1.1, the key decision
    # The dependency 1.1.1 -> 1.2.1 drawn as on the page, between rows 28 pixels high (the
    # page's are 56): from the first row's middle to the second's.
    page_path = report.timeline.areas[0].links[0].path
    assert ",28.0 " in page_path and " V84.0 " in page_path
    report_path = page_path.replace(",28.0 ", ",14.0 ").replace(" V84.0 ", " V42.0 ")
    assert f'd="{report_path}"' in pictures[0]
