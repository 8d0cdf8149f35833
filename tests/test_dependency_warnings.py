"""Dependencies that warn (issue 15, part 3): when a milestone's forecast moves past the due
date of a milestone or workstream that depends on it, both are flagged in words, the rating
explains it the same way on every page, in the API and in the reports, the downstream owner
sees it on My work, and the exception report lists it."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import PlanDate, month_start
from programmes.snapshots import Snapshot, end_of_day
from reporting.dashboard import build_dashboard
from reporting.exceptions import detect_exceptions
from reporting.models import BreachKind
from reporting.my_work import my_work
from reporting.reports import gather_exceptions
from reporting.state import load_programme_data
from tests.api import api_url, client_for
from tests.clock import TODAY
from tests.factories import MilestoneFactory, PeriodFactory, PersonFactory
from tests.test_report_content import pdf_pages
from workstreams.assessment import assess, assess_workstream, load_state
from workstreams.models import Milestone, MilestoneStatus, Workstream
from workstreams.services.progress import update_milestone_progress

DOWNSTREAM_WORDS = "at risk from 2.1.1, forecast Jan 2027, 47 days after this is due"
UPSTREAM_WORDS = "1.1.1 depends on this and is due 15 Dec 2026"


@pytest.fixture
def dependency(plan, people):
    """Milestone 1.1.1 (owned by the lead of 1.1, due 15 Dec 2026) depends on 2.1.1 (due
    1 Dec 2026, in another area)."""
    downstream = MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Open the new day centre",
        baseline_date=date(2026, 12, 15),
        owner=people["lead"].person,
    )
    upstream = MilestoneFactory(
        workstream=plan["ws_2_1"],
        reference="2.1.1",
        title="Cabinet approves the lease",
        baseline_date=date(2026, 12, 1),
    )
    downstream.depends_on.add(upstream)
    return {"upstream": upstream, "downstream": downstream}


def forecast(milestone, when: PlanDate | None, *, by):
    milestone.refresh_from_db()
    return update_milestone_progress(
        milestone,
        by=by,
        version=milestone.version,
        status=MilestoneStatus.IN_PROGRESS,
        forecast=when,
        actual_date=None,
        at_risk=False,
    )


def rated(programme):
    rating = assess(load_state(programme, TODAY), TODAY)
    return {m.milestone.reference: m for m in rating.milestones}, rating


def test_the_warning_appears_when_the_forecast_passes_the_due_date_and_clears(
    plan, people, dependency
):
    programme = plan["programme"]
    milestones, rating = rated(programme)
    assert rating.dependency_threats == []
    assert milestones["1.1.1"].result.rag == Rag.GREEN

    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    milestones, rating = rated(programme)
    [threat] = rating.dependency_threats
    assert threat.downstream_words == DOWNSTREAM_WORDS
    assert threat.upstream_words == UPSTREAM_WORDS
    downstream, upstream = milestones["1.1.1"], milestones["2.1.1"]
    assert downstream.threatened_by == [threat] and upstream.threatens == [threat]
    # Amber "at risk", not Red: its own rules say Green.
    assert downstream.result.explanation() == f"Amber because: it is {DOWNSTREAM_WORDS}"
    # The upstream is Red by its own slip, and says whom it threatens.
    assert upstream.result.rag == Rag.RED
    assert (
        "it is forecast after 1.1.1, which depends on it and is due 15 Dec 2026"
        in upstream.result.explanation()
    )
    suggested = rating.workstream(plan["ws_1_1"].pk).suggested
    assert suggested.explanation() == f"Amber because: milestone 1.1.1 is {DOWNSTREAM_WORDS}"

    forecast(dependency["upstream"], PlanDate.of_day(date(2026, 12, 10)), by=people["office"])
    milestones, rating = rated(programme)
    assert rating.dependency_threats == []
    assert milestones["1.1.1"].result.rag == Rag.GREEN
    assert milestones["1.1.1"].threatened_by == []


def test_a_completed_milestone_is_no_longer_threatened(plan, people, dependency):
    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    downstream = dependency["downstream"]
    downstream.refresh_from_db()
    update_milestone_progress(
        downstream,
        by=people["lead"],
        version=downstream.version,
        status=MilestoneStatus.COMPLETE,
        forecast=None,
        actual_date=TODAY,
        at_risk=False,
    )
    assert rated(plan["programme"])[1].dependency_threats == []


def test_the_rating_explains_it_the_same_on_every_page_and_in_the_api(
    client, plan, people, dependency
):
    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    expected = f"Amber because: it is {DOWNSTREAM_WORDS}"
    dashboard = build_dashboard(load_programme_data(plan["programme"]))
    on_dashboard = next(
        m for m in dashboard.rating.milestones if m.milestone.reference == "1.1.1"
    ).result
    assert on_dashboard.explanation() == expected
    on_workstream_page = assess_workstream(plan["ws_1_1"], TODAY)
    assert on_workstream_page.milestones[0].result.explanation() == expected
    assert on_workstream_page.suggested == dashboard.rating.workstream(plan["ws_1_1"].pk).suggested
    upstream_alone = assess_workstream(plan["ws_2_1"], TODAY).milestones[0].result
    assert upstream_alone == next(
        m.result for m in dashboard.rating.milestones if m.milestone.reference == "2.1.1"
    )

    body = client_for(people["board"]).get(api_url("milestone-detail", dependency["downstream"].pk))
    assert body.json()["rag"]["rating"] == "amber"
    assert body.json()["rag"]["explanation"] == expected
    upstream = client_for(people["board"]).get(
        api_url("milestone-detail", dependency["upstream"].pk)
    )
    assert upstream.json()["rag"]["explanation"] == upstream_alone.explanation()

    client.force_login(people["board"])
    page = client.get(reverse("milestone_detail", args=[dependency["downstream"].pk]))
    assert DOWNSTREAM_WORDS in page.content.decode()


def test_the_downstream_owner_sees_it_on_my_work_and_nobody_else(client, plan, people, dependency):
    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    client.force_login(people["lead"])
    html = client.get(reverse("home")).content.decode()
    assert "At risk from a dependency (1)" in html
    assert f"1.1.1 Open the new day centre</a>: {DOWNSTREAM_WORDS}" in html
    for name in ("other_lead", "manager", "sponsor", "board", "office"):
        work = my_work(people[name], TODAY)
        assert work.dependencies_at_risk == [], name

    forecast(dependency["upstream"], None, by=people["office"])
    assert my_work(people["lead"], TODAY).dependencies_at_risk == []


def test_a_workstream_threatened_by_the_workstream_it_depends_on(plan, people):
    """1.2 (led by the other lead) ends 20 Dec 2026 and depends on 2.2, whose last open
    milestone is forecast Feb 2027: both workstreams are flagged; the ratings stay their
    milestones'."""
    ws_1_2, ws_2_2 = plan["ws_1_2"], plan["ws_2_2"]
    ws_1_2.lead = people["other_lead"].person
    ws_1_2.save()
    ws_1_2.depends_on.add(ws_2_2)
    MilestoneFactory(workstream=ws_1_2, reference="1.2.1", baseline_date=date(2026, 12, 20))
    MilestoneFactory(
        workstream=ws_2_2,
        reference="2.2.1",
        baseline_date=date(2027, 2, 1),
        forecast_date=date(2027, 2, 28),
        forecast_precision="month",
    )
    _, rating = rated(plan["programme"])
    [threat] = rating.dependency_threats
    assert threat.is_workstream
    words = "at risk from 2.2.1, forecast Feb 2027, 70 days after this is due"
    assert threat.downstream_words == words
    assert threat.upstream_words == "1.2 depends on this and is due 20 Dec 2026"
    assert rating.workstream(ws_1_2.pk).threatened_by == [threat]
    assert rating.workstream(ws_2_2.pk).threatens == [threat]
    assert [
        t.downstream_words for t in my_work(people["other_lead"], TODAY).dependencies_at_risk
    ] == [words]
    assert my_work(people["lead"], TODAY).dependencies_at_risk == []

    period = PeriodFactory(programme=plan["programme"], month=month_start(TODAY))
    data = load_programme_data(plan["programme"])
    breaches = detect_exceptions(data, build_dashboard(data))
    [breach] = [b for b in breaches if b.kind == BreachKind.DEPENDENCY]
    assert breach.key == f"workstream-dependency:{ws_1_2.pk}"
    assert period.pk


def test_the_exception_report_lists_it(plan, people, dependency):
    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    period = PeriodFactory(programme=plan["programme"], month=month_start(TODAY))
    report = gather_exceptions(plan["programme"], period, author="Programme office")
    [breach] = [b for b in report.breaches if b.kind == BreachKind.DEPENDENCY]
    assert breach.title == "Milestone 1.1.1 Open the new day centre"
    text = " ".join(pdf_pages(report))
    assert "Dependency at risk" in text
    assert (
        "At risk from 2.1.1, forecast Jan 2027, 47 days after this is due "
        "(Cabinet approves the lease, workstream 2.1)"
    ) in text

    # The exceptions page links it to the milestone.
    client = pytest.importorskip("django.test").Client()
    client.force_login(people["office"])
    page = client.get(reverse("period_exceptions", args=[period.pk])).content.decode()
    assert reverse("milestone_detail", args=[dependency["downstream"].pk]) in page
    assert "Dependencies at risk" in page


def test_as_at_a_past_period_the_warning_is_as_it_stood(plan, people, dependency):
    """Last month 2.1.1 was forecast Jan 2027; since then it moved back. As at last month's
    end the dashboard warns; today it does not."""
    last_month = month_start(month_start(TODAY) - timedelta(days=1))
    period = PeriodFactory(programme=plan["programme"], month=last_month)
    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    then = timezone.make_aware(datetime.combine(last_month, datetime.min.time()))
    for model in (Milestone, Workstream):
        model.history.update(history_date=then)
    forecast(dependency["upstream"], PlanDate.of_day(date(2026, 12, 1)), by=people["office"])

    past = build_dashboard(load_programme_data(plan["programme"], period=period))
    assert past.data.snapshot == Snapshot(end_of_day(period.ends_on))
    assert [t.downstream.reference for t in past.rating.dependency_threats] == ["1.1.1"]
    now = build_dashboard(load_programme_data(plan["programme"]))
    assert now.rating.dependency_threats == []


def test_an_owner_outside_the_programme_sees_nothing_of_it(client, plan, people, dependency):
    """A person named as owner whose user holds no role in the programme sees nothing."""
    stranger = PersonFactory(user=people["outsider"])
    downstream = dependency["downstream"]
    downstream.owner = stranger
    downstream.save()
    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    assert my_work(people["outsider"], TODAY).dependencies_at_risk == []


def test_the_dependency_map_shows_each_workstream_with_its_rating_and_the_arrows(
    client, plan, people, dependency
):
    forecast(dependency["upstream"], PlanDate.of_month(2027, 1), by=people["office"])
    plan["ws_1_2"].depends_on.add(plan["ws_2_2"])
    client.force_login(people["lead"])
    response = client.get(reverse("programme_dependencies", args=[plan["programme"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dependencies at risk (1)" in html
    assert f"is {DOWNSTREAM_WORDS}" in html and UPSTREAM_WORDS in html
    # Each workstream a link with its rating in words; arrows, the at-risk one dashed red.
    for workstream in ("ws_1_1", "ws_1_2", "ws_2_1", "ws_2_2"):
        assert reverse("workstream_detail", args=[plan[workstream].pk]) in html
    assert re.search(r'fill="#1d70b8">1.1</tspan> <tspan>Amber</tspan>', html)
    assert html.count('fill="none"') == 2  # the arrows (the arrow heads are filled)
    assert html.count('marker-end="url(#arrow-at-risk)"') == 1
    # The table of the same arrows.
    assert "The same dependencies as a table (2)" in html
    assert "Milestone 1.1.1 on 2.1.1" in html
    assert "The workstream itself" in html

    # The dashboard links to it.
    dashboard = client.get(reverse("programme_detail", args=[plan["programme"].pk]))
    assert reverse("programme_dependencies", args=[plan["programme"].pk]) in (
        dashboard.content.decode()
    )


def test_the_dependency_map_is_for_those_in_the_programme(client, plan, people):
    url = reverse("programme_dependencies", args=[plan["programme"].pk])
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("size", [1, 4])
def test_the_dependency_map_runs_a_fixed_number_of_queries(
    client, plan, people, size, django_assert_max_num_queries
):
    workstreams = [plan["ws_1_1"], plan["ws_1_2"], plan["ws_2_1"], plan["ws_2_2"]]
    for index in range(size):
        for position, workstream in enumerate(workstreams):
            upstream = MilestoneFactory(
                workstream=workstream,
                reference=f"{workstream.reference}.{index}a",
                baseline_date=date(2026, 12, 1) + timedelta(days=index),
                forecast_date=date(2027, 2, 1),
            )
            downstream = MilestoneFactory(
                workstream=workstreams[(position + 1) % 4],
                reference=f"{workstream.reference}.{index}b",
                baseline_date=date(2026, 12, 20),
            )
            downstream.depends_on.add(upstream)
    plan["ws_1_2"].depends_on.add(plan["ws_2_2"])
    client.force_login(people["board"])
    # The session, its user, the programme and the user's roles, then the rating state.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("programme_dependencies", args=[plan["programme"].pk]))
    # Each milestone pair; the workstream 1.2 ends with its own late milestone, so 2.2 is
    # not after it.
    assert f"Dependencies at risk ({4 * size})" in response.content.decode()
