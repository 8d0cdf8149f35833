"""The programme dashboard filters by area, lead, sponsor and RAG, and its five counts add up
(issue 15, part 5); movement in the grid reads Better, Worse, Same or New (part 8)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from programmes.models import ReportingPeriod
from reporting.dashboard import DashboardFilters, build_dashboard
from reporting.models import ReportRun
from reporting.state import load_programme_data
from tests.clock import TODAY
from tests.factories import MilestoneFactory, PeriodFactory, PersonFactory, StatusUpdateFactory

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def rated(plan):
    """1.1 reported Red (Green last month: Worse), 1.2 reported Green, 2.1 complete by its
    plan, 2.2 nothing to rate (Not reported). Leads: Ann leads 1.1 and 2.1; Bob sponsors
    area 2."""
    programme = plan["programme"]
    now, before = (
        PeriodFactory(programme=programme, month=THIS_MONTH),
        PeriodFactory(programme=programme, month=LAST_MONTH),
    )
    ann = PersonFactory(organisation=programme.organisation, name="Ann Lead")
    bob = PersonFactory(organisation=programme.organisation, name="Bob Sponsor")
    for workstream in (plan["ws_1_1"], plan["ws_2_1"]):
        workstream.lead = ann
        workstream.save()
    plan["area_two"].sponsor = bob
    plan["area_two"].save()
    for period, rag in ((before, "green"), (now, "red")):
        StatusUpdateFactory(
            workstream=plan["ws_1_1"],
            period=period,
            rag=rag,
            reason="Late",
            state="submitted",
            submitted_at=timezone.now(),
        )
    StatusUpdateFactory(
        workstream=plan["ws_1_2"],
        period=now,
        rag="green",
        state="submitted",
        submitted_at=timezone.now(),
    )
    for number in range(3):
        MilestoneFactory(
            workstream=plan["ws_2_1"],
            reference=f"2.1.{number}",
            status="complete",
            baseline_date=LAST_MONTH,
            actual_date=LAST_MONTH,
        )
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=TODAY + timedelta(days=40)
    )
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.2",
        status="complete",
        baseline_date=LAST_MONTH,
        actual_date=LAST_MONTH,
    )
    return {"ann": ann, "bob": bob, **plan}


def _counts(dashboard) -> dict:
    return {value: count for value, _, count in dashboard.status_counts}


def _shown(dashboard) -> list[str]:
    return [row.rating.workstream.reference for area in dashboard.grid for row in area.rows]


def test_each_status_is_counted_and_the_counts_add_up(rated):
    dashboard = build_dashboard(load_programme_data(rated["programme"]))
    assert _counts(dashboard) == {
        "red": 1,
        "amber": 0,
        "green": 1,
        "complete": 1,
        "not_reported": 1,
    }
    assert sum(_counts(dashboard).values()) == dashboard.shown == dashboard.total == 4


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        ({"area_id": "area_two"}, ["2.1", "2.2"]),
        ({"lead_id": "ann"}, ["1.1", "2.1"]),
        ({"sponsor_id": "bob"}, ["2.1", "2.2"]),
        ({"status": "red"}, ["1.1"]),
        ({"status": "not_reported"}, ["2.2"]),
        ({"lead_id": "ann", "status": "complete"}, ["2.1"]),
    ],
)
def test_filters_narrow_the_workstreams_and_the_counts(rated, filters, shown):
    chosen = {key: rated[value].pk if key != "status" else value for key, value in filters.items()}
    dashboard = build_dashboard(load_programme_data(rated["programme"]), DashboardFilters(**chosen))
    assert _shown(dashboard) == shown
    assert dashboard.shown == sum(_counts(dashboard).values()) == len(shown)
    assert dashboard.total == 4


def test_the_page_filters_and_says_of_how_many(client, people, rated):
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[rated["programme"].pk])
    html = client.get(url, {"lead": rated["ann"].pk}).content.decode()
    assert "Showing 2 of 4 workstreams." in html
    assert "Day Opportunities" in html and "Extra Care Housing" in html
    assert "Involving users" not in html and "Older People" not in html
    # The areas fold away without JavaScript, open to start with.
    assert html.count('<details class="govuk-details app-area" open') == 2
    every = client.get(url).content.decode()
    assert "Showing" not in every.split('id="workstream-count"')[1].split("</p>")[0]
    for name in ("Day Opportunities", "Involving users", "Extra Care Housing", "Older People"):
        assert name in every


def test_a_filter_that_matches_nothing_says_so(client, people, rated):
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[rated["programme"].pk])
    html = client.get(url, {"status": "amber"}).content.decode()
    assert "Showing 0 of 4 workstreams." in html
    assert "No workstreams match these filters." in html


def test_nonsense_filters_are_ignored(client, people, rated):
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[rated["programme"].pk])
    response = client.get(url, {"area": "x", "lead": "-1", "status": "purple"})
    assert response.status_code == 200
    assert "4 workstreams." in response.content.decode()


def test_each_workstream_shows_its_milestones_complete_of_total(client, people, rated):
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[rated["programme"].pk])).content.decode()
    assert "3 of 3" in html  # 2.1
    assert "1 of 2" in html  # 1.1
    assert html.count("0 of 0") == 2  # 1.2 and 2.2


def test_movement_reads_better_worse_same_or_new_with_arrows(client, people, rated):
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[rated["programme"].pk])).content.decode()
    assert '<span aria-hidden="true">\u2193</span> Worse' in html  # 1.1: Green to Red
    assert "\u25b6" not in html and "\u25b2" not in html


def test_exceptions_decisions_and_the_latest_approved_report_are_above_the_fold(
    client, people, rated
):
    period = ReportingPeriod.objects.get(programme=rated["programme"], month=LAST_MONTH)
    ReportRun.objects.create(
        programme=rated["programme"],
        period=period,
        kind="highlight",
        version=1,
        status="done",
        file="reports/highlight-v1.pdf",
        approved_at=timezone.now(),
    )
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[rated["programme"].pk])).content.decode()
    fold = html.split('id="rag-grid"')[0]
    assert "exception" in fold and "decisions needed" in fold
    assert f"Highlight report {period.label}" in fold
    this_period = ReportingPeriod.objects.get(programme=rated["programme"], month=THIS_MONTH)
    assert reverse("period_exceptions", args=[this_period.pk]) in fold


def test_the_rag_history_shows_each_area_and_the_programme(client, people, rated):
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[rated["programme"].pk])).content.decode()
    assert "Overall rating by period:" in html
    assert "1 rating by period:" in html and "2 rating by period:" in html
    # Last month as at its end, then this month.
    assert f"{LAST_MONTH:%b %Y} " in html.split("Overall rating by period:")[1].split('"')[0]
