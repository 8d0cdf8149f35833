"""My work: what needs the signed-in person, each item linking to where it is done."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.dates import FinancialYear
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
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

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


@pytest.fixture
def lead_work(plan, people):
    period = PeriodFactory(
        programme=plan["programme"], month=THIS_MONTH, cut_off=TODAY + timedelta(days=4)
    )
    measure = MeasureFactory(workstream=plan["ws_1_1"], reference="NI 141")
    MeasureTargetFactory(measure=measure, financial_year=FinancialYear.containing(TODAY).start_year)
    return {
        "overdue": MilestoneFactory(
            workstream=plan["ws_1_1"],
            title="Overdue thing",
            baseline_date=TODAY - timedelta(days=12),
        ),
        "soon": MilestoneFactory(
            workstream=plan["ws_1_1"], title="Soon thing", baseline_date=TODAY + timedelta(days=20)
        ),
        "later": MilestoneFactory(
            workstream=plan["ws_1_1"], title="Later thing", baseline_date=TODAY + timedelta(days=45)
        ),
        "done": MilestoneFactory(
            workstream=plan["ws_1_1"],
            title="Done thing",
            status="complete",
            baseline_date=TODAY - timedelta(days=5),
            actual_date=TODAY - timedelta(days=6),
        ),
        "theirs": MilestoneFactory(
            workstream=plan["ws_1_2"],
            title="Other lead's thing",
            baseline_date=TODAY - timedelta(days=3),
        ),
        "period": period,
        "measure": measure,
        "risk": RiskFactory(
            programme=plan["programme"],
            workstream=plan["ws_1_1"],
            owner=people["lead"].person,
            title="Venue risk",
            review_date=TODAY - timedelta(days=2),
        ),
    }


def page(client, user):
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_a_lead_sees_their_overdue_and_due_milestones_update_reading_and_risk(
    client, people, lead_work
):
    html = page(client, people["lead"])
    assert "Overdue milestones (1)" in html and "Overdue thing" in html and ">12<" in html
    assert "Soon thing" in html
    for absent in ("Later thing", "Done thing", "Other lead&#x27;s thing"):
        assert absent not in html
    assert reverse("milestone_detail", args=[lead_work["overdue"].pk]) in html
    assert (
        reverse("status_update", args=[lead_work["overdue"].workstream_id, lead_work["period"].pk])
        in html
    )
    assert lead_work["period"].cut_off.strftime("%-d %b %Y") in html
    assert f"Readings to enter for {LAST_MONTH:%B %Y}" in html and "NI 141" in html
    assert "Venue risk" in html


def test_done_work_drops_off(client, people, lead_work, plan):
    StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=lead_work["period"],
        state="submitted",
        submitted_at=timezone.now(),
    )
    MeasureReadingFactory(measure=lead_work["measure"], period=LAST_MONTH, value=Decimal(1))
    html = page(client, people["lead"])
    assert "Status updates not yet submitted" not in html
    assert "Readings to enter" not in html


def test_a_project_manager_sees_their_areas_milestones_and_the_updates_to_chase(
    client, people, lead_work
):
    html = page(client, people["manager"])
    assert "Overdue thing" in html and "Other lead&#x27;s thing" in html
    assert "Status updates not yet submitted (2)" in html  # 1.1 and 1.2, not area two's


def test_the_programme_office_sees_every_update_still_to_come(client, people, lead_work):
    html = page(client, people["office"])
    assert "Status updates not yet submitted (4)" in html


def test_someone_without_a_role_has_nothing_to_do(client, people, lead_work):
    assert "Nothing needs you today" in page(client, people["board"])


@pytest.mark.parametrize("size", [1, 4])
def test_my_work_runs_a_fixed_number_of_queries(client, db, size, django_assert_max_num_queries):
    lead, office = UserFactory(), UserFactory()
    for _ in range(size):
        programme = ProgrammeFactory()
        PeriodFactory(programme=programme, month=THIS_MONTH)
        grant(office, Role.PROGRAMME_OFFICE, programme=programme)
        for _ in range(3):
            workstream = WorkstreamFactory(area__programme=programme)
            grant(lead, Role.WORKSTREAM_LEAD, workstream=workstream)
            MilestoneFactory(workstream=workstream, baseline_date=TODAY - timedelta(days=3))
            MeasureTargetFactory(measure=MeasureFactory(workstream=workstream))
        for _ in range(3):  # led by people who are not signed in: the office chases them
            WorkstreamFactory(area__programme=programme, lead=PersonFactory())
    client.force_login(lead)
    # Issue 17: the roles read once (`access_for`), the person read with what they own by name
    # (no query for a list they own none of), the periods and the updates read once.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home"))
    assert response.content.decode().count("/milestones/") >= 3 * size
    client.force_login(office)
    with django_assert_max_num_queries(8):  # issue 17, as above
        response = client.get(reverse("home"))
    assert f"Status updates not yet submitted ({6 * size})" in response.content.decode()
