"""Every API list runs a fixed number of queries whatever the data size (STYLE.md: "a page is
a few queries whatever the data size"), ratings included."""

import pytest

from programmes.choices import Role
from risks.models import BoardMeeting, Decision, Issue, IssueAction, MitigationAction, Risk
from tests.api import api_url, client_for
from tests.clock import TODAY
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    PeriodFactory,
    PersonFactory,
    UserFactory,
    grant,
)
from tests.test_list_query_counts import build_programme
from workstreams.models import Milestone, Workstream

# (list, most queries): the token and its user, the page's count and rows, and one query per
# prefetched relation (roles, dependencies, targets, actions, decisions).
LISTS = [
    ("programme", 4),
    ("programmearea", 4),  # and the key documents
    ("reportingperiod", 3),
    ("workstream", 4),
    ("milestone", 5),  # dependencies both ways, with their dates, for the rating (issue 15)
    ("measure", 4),
    ("measurereading", 3),
    ("statusupdate", 3),
    ("budgetline", 3),
    ("risk", 4),
    ("issue", 4),
    ("decision", 3),
    ("boardmeeting", 4),
]


def build_everything(size: int):
    """The lists' programme (tests/test_list_query_counts.py) with budget lines, actions,
    issues, dependencies and board meetings too."""
    programme = build_programme(size)
    owner = PersonFactory(organisation=programme.organisation)
    workstreams = list(Workstream.objects.filter(programme=programme))
    for index, workstream in enumerate(workstreams):
        BudgetLineFactory(workstream=workstream)
        workstream.depends_on.add(workstreams[index - 1])
        milestones = list(Milestone.objects.filter(workstream=workstream))
        milestones[1].depends_on.add(milestones[0])
        issue = Issue.objects.create(
            programme=programme,
            workstream=workstream,
            area=workstream.area,
            reference=f"I{index}",
            title="It happened",
            description="It happened",
            severity="high",
            raised_on=TODAY,
            owner=owner,
        )
        IssueAction.objects.create(issue=issue, description="Fix", owner=owner, due_date=TODAY)
        meeting = BoardMeeting.objects.create(programme=programme, held_on=TODAY, chair=owner)
        Decision.objects.filter(programme=programme, reference=f"D{index}").update(meeting=meeting)
    for risk in Risk.objects.filter(programme=programme):
        MitigationAction.objects.create(risk=risk, description="Act", owner=owner, due_date=TODAY)
    return programme


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("name, most", LISTS)
def test_each_list_runs_a_fixed_number_of_queries(
    db, size, name, most, django_assert_max_num_queries
):
    programme = build_everything(size)
    user = UserFactory()
    grant(user, Role.PROGRAMME_OFFICE, programme=programme)
    for _ in range(size):  # programmes, areas and periods grow too
        another = AreaFactory().programme
        PeriodFactory(programme=another)
        grant(user, Role.BOARD_MEMBER, programme=another)
    client = client_for(user)
    with django_assert_max_num_queries(most):
        response = client.get(api_url(f"{name}-list"), {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= size
