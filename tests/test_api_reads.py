"""The API reads what the pages show, to whoever may see it (DOMAIN.md section 2): every list
holds only the programmes the user has a role in, and anything else is 404 by id."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from programmes.choices import DatePrecision
from programmes.dates import FinancialYear, month_start
from risks.models import BoardMeeting, Decision, Issue
from tests.api import api_url, client_for
from tests.clock import TODAY
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
    WorkstreamFactory,
)

# Every list, by its route name, and how to make one row of it in a workstream.
KINDS = [
    "programme",
    "programmearea",
    "reportingperiod",
    "workstream",
    "milestone",
    "measure",
    "measurereading",
    "statusupdate",
    "budgetline",
    "risk",
    "issue",
    "decision",
    "boardmeeting",
]


def fill(workstream) -> dict:
    """One of everything in the workstream's programme; returns the rows by kind."""
    programme = workstream.programme
    period = PeriodFactory(programme=programme, month=month_start(TODAY))
    measure = MeasureFactory(workstream=workstream)
    meeting = BoardMeeting.objects.create(programme=programme, held_on=TODAY)
    return {
        "programme": programme,
        "programmearea": workstream.area,
        "reportingperiod": period,
        "workstream": workstream,
        "milestone": MilestoneFactory(workstream=workstream),
        "measure": measure,
        "measurereading": MeasureReadingFactory(measure=measure, period=month_start(TODAY)),
        "statusupdate": StatusUpdateFactory(workstream=workstream, period=period),
        "budgetline": BudgetLineFactory(workstream=workstream),
        "risk": RiskFactory(programme=programme),
        "issue": Issue.objects.create(
            programme=programme,
            reference="I1",
            title="It happened",
            description="Something happened",
            severity="high",
            raised_on=TODAY,
        ),
        "decision": Decision.objects.create(
            programme=programme, reference="D1", title="Decide", meeting=meeting
        ),
        "boardmeeting": meeting,
    }


@pytest.fixture
def ours_and_theirs(plan):
    return {
        "ours": fill(plan["ws_1_1"]),
        "theirs": fill(WorkstreamFactory(area__programme=ProgrammeFactory())),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_each_list_holds_only_the_programmes_the_user_has_a_role_in(people, ours_and_theirs, kind):
    response = client_for(people["lead"]).get(api_url(f"{kind}-list"))
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ours_and_theirs["ours"][kind].pk in ids
    assert ours_and_theirs["theirs"][kind].pk not in ids


@pytest.mark.parametrize("kind", KINDS)
def test_by_id_a_visible_object_is_read_and_another_programmes_is_not_found(
    people, ours_and_theirs, kind
):
    client = client_for(people["board"])
    ours = client.get(api_url(f"{kind}-detail", ours_and_theirs["ours"][kind].pk))
    theirs = client.get(api_url(f"{kind}-detail", ours_and_theirs["theirs"][kind].pk))
    assert ours.status_code == 200
    assert ours.json()["id"] == ours_and_theirs["ours"][kind].pk
    assert theirs.status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_an_outsider_lists_nothing_and_an_administrator_everything(people, ours_and_theirs, kind):
    assert client_for(people["outsider"]).get(api_url(f"{kind}-list")).json()["count"] == 0
    rows = client_for(people["admin"]).get(api_url(f"{kind}-list")).json()["results"]
    ids = {row["id"] for row in rows}
    assert {ours_and_theirs["ours"][kind].pk, ours_and_theirs["theirs"][kind].pk} <= ids


def test_a_milestone_carries_its_rag_with_the_reason(people, plan):
    late = MilestoneFactory(
        workstream=plan["ws_1_1"], baseline_date=TODAY - timedelta(days=47), reference="3.6.2"
    )
    body = client_for(people["board"]).get(api_url("milestone-detail", late.pk)).json()
    assert body["rag"]["rating"] == "red"
    assert body["rag"]["explanation"] == "Red because: it is 47 days late"


def test_plan_dates_keep_their_precision(people, plan):
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"],
        baseline_date=date(2027, 9, 30),
        baseline_precision=DatePrecision.MONTH,
        forecast_date=date(2027, 10, 15),
        forecast_precision=DatePrecision.DAY,
    )
    body = client_for(people["board"]).get(api_url("milestone-detail", milestone.pk)).json()
    assert body["baseline"] == "2027-09"
    assert body["forecast"] == "2027-10-15"
    assert body["due"] == "2027-10-15"


def test_a_measure_carries_its_targets_latest_reading_and_rag(people, plan):
    measure = MeasureFactory(workstream=plan["ws_1_1"], direction="higher")
    year = FinancialYear.containing(TODAY).start_year
    MeasureTargetFactory(measure=measure, financial_year=year, value=Decimal(100))
    MeasureReadingFactory(measure=measure, period=month_start(TODAY), value=Decimal(80))
    body = client_for(people["board"]).get(api_url("measure-detail", measure.pk)).json()
    assert body["targets"][0]["period_label"] == str(FinancialYear(year))
    assert body["latest_reading"] == {
        "period": f"{TODAY.year:04d}-{TODAY.month:02d}",
        "value": "80.00",
    }
    assert body["rag"]["rating"] == "red"
    assert "missed its target of 100 by 20%" in body["rag"]["explanation"]


def test_a_workstream_carries_its_leads_latest_submitted_rating(people, plan):
    period = PeriodFactory(programme=plan["programme"], month=month_start(TODAY))
    StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=period,
        rag="amber",
        reason="Slipping",
        state="submitted",
        submitted_at=timezone.now(),
    )
    StatusUpdateFactory(workstream=plan["ws_1_2"], period=period, rag="red")  # a draft
    rows = client_for(people["board"]).get(api_url("workstream-list")).json()["results"]
    reported = {row["reference"]: row["reported_rag"] for row in rows}
    assert reported == {"1.1": "amber", "1.2": None, "2.1": None, "2.2": None}


def test_a_risk_carries_its_scores_and_bands_by_the_programmes_thresholds(people, plan):
    plan["programme"].risk_red_from = 9
    plan["programme"].save()
    risk = RiskFactory(
        programme=plan["programme"],
        current_likelihood=3,
        current_impact=3,
        inherent_likelihood=1,
        inherent_impact=2,
    )
    body = client_for(people["board"]).get(api_url("risk-detail", risk.pk)).json()
    assert (body["current_score"], body["current_band"]) == (9, "red")
    assert (body["inherent_score"], body["inherent_band"]) == (2, "green")
    assert (body["target_score"], body["target_band"]) == (None, None)


def test_lists_come_in_pages_of_fifty_and_up_to_two_hundred_on_request(people, plan):
    for number in range(210):
        MilestoneFactory(workstream=plan["ws_1_1"], reference=f"1.1.{number}")
    client = client_for(people["board"])
    first = client.get(api_url("milestone-list")).json()
    assert (first["count"], len(first["results"])) == (210, 50)
    assert first["next"].endswith("?page=2")
    big = client.get(api_url("milestone-list"), {"page_size": 500}).json()
    assert len(big["results"]) == 200


def test_signed_out_clients_are_refused_with_401(plan):
    response = client_for(None).get(api_url("programme-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_token_of_an_inactive_user_no_longer_works(people, plan):
    client = client_for(people["office"])
    people["office"].is_active = False
    people["office"].save()
    assert client.get(api_url("programme-list")).status_code == 401
