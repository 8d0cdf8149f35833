"""My work lists only what the user may see (issue 10, defect 2; DOMAIN.md section 2:
"Everyone else sees nothing of a programme").

A person may be named as owner in a programme where their user holds no role (a plan
imported with them as owner, or a role since ended). Nothing of that programme may appear
on their My work page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from programmes.choices import Role
from programmes.dates import FinancialYear
from reporting.my_work import my_work
from risks.models import Issue, IssueAction, MitigationAction
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    RiskFactory,
    WorkstreamFactory,
    grant,
)


@pytest.fixture
def elsewhere(people):
    """Another programme, in which the lead's person owns things but the lead has no role."""
    person = people["lead"].person
    programme = ProgrammeFactory(name="Children's Services Programme")
    workstream = WorkstreamFactory(area__programme=programme, reference="9.1")
    PeriodFactory(programme=programme, month=TODAY.replace(day=1))
    measure = MeasureFactory(workstream=workstream, owner=person, title="Secret measure")
    MeasureTargetFactory(measure=measure, financial_year=FinancialYear.containing(TODAY).start_year)
    risk = RiskFactory(
        programme=programme,
        owner=person,
        title="Secret risk",
        review_date=TODAY - timedelta(days=3),
    )
    issue = Issue.objects.create(
        programme=programme,
        reference="SI1",
        title="Secret issue",
        description="It happened",
        severity="high",
        raised_on=TODAY - timedelta(days=10),
    )
    return {
        "programme": programme,
        "milestone": MilestoneFactory(
            workstream=workstream,
            owner=person,
            title="Secret overdue milestone",
            baseline_date=TODAY - timedelta(days=4),
        ),
        "soon": MilestoneFactory(
            workstream=workstream,
            owner=person,
            title="Secret milestone due soon",
            baseline_date=TODAY + timedelta(days=4),
        ),
        "measure": measure,
        "risk": risk,
        "mitigation": MitigationAction.objects.create(
            risk=risk,
            owner=person,
            description="Secret mitigation",
            due_date=TODAY + timedelta(days=2),
        ),
        "issue_action": IssueAction.objects.create(
            issue=issue,
            owner=person,
            description="Secret issue action",
            due_date=TODAY - timedelta(days=2),
        ),
    }


def test_my_work_lists_nothing_from_a_programme_where_the_user_has_no_role(people, elsewhere):
    work = my_work(people["lead"], TODAY)

    listed = [
        *work.overdue,
        *work.due_soon,
        *work.readings_missing,
        *work.risks_to_review,
        *work.actions_due,
    ]
    assert [item for item in listed if _programme_of(item) == elsewhere["programme"].pk] == []
    assert [due for due in work.updates_due if due.programme_id == elsewhere["programme"].pk] == []


def test_the_my_work_page_shows_none_of_it(client, people, elsewhere):
    client.force_login(people["lead"])

    html = client.get(reverse("home")).content.decode()

    for secret in (
        "Secret overdue milestone",
        "Secret milestone due soon",
        "Secret measure",
        "Secret risk",
        "Secret mitigation",
        "Secret issue action",
        "Children&#x27;s Services Programme",
    ):
        assert secret not in html, secret


def test_the_same_things_appear_once_the_user_has_a_role_there(client, people, elsewhere):
    # Given a role in the other programme (any role: every role sees the whole programme)
    grant(people["lead"], Role.BOARD_MEMBER, programme=elsewhere["programme"])
    client.force_login(people["lead"])

    html = client.get(reverse("home")).content.decode()

    for shown in (
        "Secret overdue milestone",
        "Secret milestone due soon",
        "Secret measure",
        "Secret risk",
        "Secret mitigation",
        "Secret issue action",
    ):
        assert shown in html, shown


def _programme_of(item) -> int:
    for path in ("workstream", "risk", "issue"):
        parent = getattr(item, path, None)
        if parent is not None:
            return parent.programme_id
    return item.programme_id
