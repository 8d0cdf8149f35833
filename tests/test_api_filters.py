"""The API's lists filter as the pages do (DOMAIN.md section 6), across the programmes the
user sees, with ids for areas, workstreams and people; bad filters are a 400 saying why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programmes.choices import Role
from programmes.dates import month_start
from tests.api import api_url, client_for
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)


def references(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["reference"] for row in response.json()["results"]}


def test_milestones_filter_by_programme_area_workstream_kind_status_and_search(people, plan):
    client = client_for(people["board"])
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1", title="Staff consultation")
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.2", title="Cabinet", kind="key_decision"
    )
    MilestoneFactory(
        workstream=plan["ws_1_2"], reference="1.2.1", title="Launch", status="in_progress"
    )
    MilestoneFactory(workstream=plan["ws_2_1"], reference="2.1.1", title="Consultation ends")
    url = api_url("milestone-list")
    assert references(client.get(url, {"workstream": plan["ws_1_1"].pk})) == {"1.1.1", "1.1.2"}
    assert references(client.get(url, {"area": plan["area_one"].pk})) == {
        "1.1.1",
        "1.1.2",
        "1.2.1",
    }
    assert references(client.get(url, {"kind": "key_decision"})) == {"1.1.2"}
    assert references(client.get(url, {"status": "in_progress"})) == {"1.2.1"}
    assert references(client.get(url, {"q": "consultation"})) == {"1.1.1", "2.1.1"}
    assert references(client.get(url, {"programme": plan["programme"].pk + 1000})) == set()


def test_a_user_with_two_programmes_narrows_to_one(plan):
    other = WorkstreamFactory(area__programme=ProgrammeFactory())
    MilestoneFactory(workstream=plan["ws_1_1"], reference="ours")
    MilestoneFactory(workstream=other, reference="theirs")
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=plan["programme"])
    grant(user, Role.BOARD_MEMBER, programme=other.programme)
    client = client_for(user)
    url = api_url("milestone-list")
    assert references(client.get(url)) == {"ours", "theirs"}
    assert references(client.get(url, {"programme": other.programme_id})) == {"theirs"}


def test_workstreams_filter_on_the_leads_reported_rating(people, plan):
    period = PeriodFactory(programme=plan["programme"], month=month_start(TODAY))
    StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=period,
        rag="amber",
        reason="Late",
        state="submitted",
        submitted_at=timezone.now(),
    )
    client = client_for(people["board"])
    url = api_url("workstream-list")
    assert references(client.get(url, {"rag": "amber"})) == {"1.1"}
    assert references(client.get(url, {"rag": "not_reported"})) == {"1.2", "2.1", "2.2"}


def test_measures_filter_by_owner(people, plan):
    owner = PersonFactory(organisation=plan["programme"].organisation)
    MeasureFactory(workstream=plan["ws_1_1"], reference="NI 141", owner=owner)
    MeasureFactory(workstream=plan["ws_1_1"], reference="NI 142")
    client = client_for(people["board"])
    assert references(client.get(api_url("measure-list"), {"owner": owner.pk})) == {"NI 141"}


def test_readings_filter_by_month(people, plan):
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    this_month = month_start(TODAY)
    last_month = month_start(this_month - timedelta(days=1))
    MeasureReadingFactory(measure=measure, period=this_month)
    MeasureReadingFactory(measure=measure, period=last_month)
    response = client_for(people["board"]).get(
        api_url("measurereading-list"), {"period": f"{last_month:%Y-%m}"}
    )
    assert [row["period"] for row in response.json()["results"]] == [f"{last_month:%Y-%m}"]


@pytest.fixture
def register(plan):
    programme = plan["programme"]
    return [
        RiskFactory(programme=programme, reference="P1", current_likelihood=5, current_impact=4),
        RiskFactory(
            programme=programme,
            reference="A1",
            area=plan["area_one"],
            current_likelihood=3,
            current_impact=3,
            inherent_likelihood=5,
            inherent_impact=5,
        ),
        RiskFactory(
            programme=programme,
            reference="W1",
            area=plan["area_one"],
            workstream=plan["ws_1_1"],
            current_likelihood=1,
            current_impact=2,
        ),
        RiskFactory(
            programme=programme,
            reference="X1",
            status="closed",
            closing_reason="Gone",
            area=plan["area_two"],
        ),
    ]


def test_risks_filter_as_the_register_does(people, plan, register):
    client = client_for(people["board"])
    url = api_url("risk-list")
    assert references(client.get(url)) == {"P1", "A1", "W1", "X1"}
    assert references(client.get(url, {"status": "open"})) == {"P1", "A1", "W1"}
    assert references(client.get(url, {"area": plan["area_one"].pk})) == {"A1", "W1"}
    assert references(client.get(url, {"likelihood": 3, "impact": 3})) == {"A1", "X1"}
    assert references(client.get(url, {"band": "red"})) == {"P1"}
    assert references(client.get(url, {"band": "green"})) == {"W1"}
    assert references(client.get(url, {"scores": "inherent", "band": "red"})) == {"A1"}
    assert references(client.get(url, {"q": "w1"})) == {"W1"}


@pytest.mark.parametrize(
    ("route", "query", "field"),
    [
        ("milestone-list", {"workstream": "1.1"}, "workstream"),
        ("milestone-list", {"status": "finished"}, "status"),
        ("risk-list", {"band": "purple"}, "band"),
        ("measurereading-list", {"period": "last month"}, "period"),
        ("statusupdate-list", {"month": "2026-13"}, "month"),
    ],
)
def test_a_filter_that_makes_no_sense_is_refused_saying_why(people, plan, route, query, field):
    response = client_for(people["board"]).get(api_url(route), query)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0]
