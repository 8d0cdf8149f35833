"""The risk register reads less per request (issue 17): its rows as values written once in
Python, its filters' choices and its heat map's counts kept until the programme next changes,
the heat map drawn once per change. Whatever is kept, a change shows at once."""

from datetime import timedelta

import pytest
from django.urls import reverse

from programmes.choices import Role
from tests.clock import TODAY
from tests.factories import PersonFactory, RiskFactory, UserFactory, grant


@pytest.fixture
def register(plan):
    programme = plan["programme"]
    owner = PersonFactory(organisation=programme.organisation, name="Ann <Owner>")
    RiskFactory(
        programme=programme,
        reference="R1",
        title="Care & <market> fails",
        workstream=plan["ws_1_1"],
        owner=owner,
        current_likelihood=4,
        current_impact=5,
        inherent_likelihood=5,
        inherent_impact=5,
        escalated=True,
        review_date=TODAY - timedelta(days=3),
    )
    RiskFactory(programme=programme, reference="R2", area=plan["area_two"])
    return plan


def get(client, programme, query=""):
    response = client.get(reverse("risk_list", args=[programme.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def board(client, plan):
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=plan["programme"])
    client.force_login(user)
    return client


def test_a_row_says_what_the_template_said(board, register):
    programme = register["programme"]
    risk = programme.risks.get(reference="R1")
    html = get(board, programme, "?scores=inherent")
    assert (
        '<td class="govuk-table__cell"><a class="govuk-link" '
        f'href="{reverse("risk_detail", args=[risk.pk])}">Care &amp; &lt;market&gt; fails</a>'
        ' <strong class="govuk-tag govuk-tag--purple app-rag--small">Escalated</strong></td>'
    ) in html
    assert '<td class="govuk-table__cell app-nowrap" data-label="Scope">Workstream 1.1</td>' in html
    assert '<td class="govuk-table__cell" data-label="Owner">Ann &lt;Owner&gt;</td>' in html
    assert "5 x 5 = 25<br>" in html
    assert "4 x 5 = 20</td>" in html
    assert (
        f"{(TODAY - timedelta(days=3)).day} "
        f"{(TODAY - timedelta(days=3)):%b %Y}"
        ' <strong class="govuk-tag govuk-tag--pink app-rag--small">Overdue</strong>'
    ) in html
    assert '<span class="app-muted">Not scored</span>' in html  # R2 has no inherent score
    assert ">Area 2</td>" in html


@pytest.mark.parametrize("size", [1, 5])
def test_once_kept_the_register_reads_fewer_queries(
    board, register, size, django_assert_max_num_queries
):
    """The second request finds the filters' choices, the heat map and the last period kept:
    session, user, programme, roles, the rows, and the two the base page reads."""
    programme = register["programme"]
    for number in range(size * 10):
        RiskFactory(programme=programme, workstream=register["ws_2_1"], title=f"More {number}")
    get(board, programme)
    with django_assert_max_num_queries(7):
        get(board, programme, "?sort=owner")


def test_a_new_owner_and_a_rescored_risk_show_at_once(board, register):
    programme = register["programme"]
    html = get(board, programme)  # the choices and the heat map are now kept
    assert "Bo Newowner" not in html
    assert "risks of likelihood 2 and impact 2</span>" not in html
    risk = programme.risks.get(reference="R2")
    risk.owner = PersonFactory(organisation=programme.organisation, name="Bo Newowner")
    risk.current_likelihood, risk.current_impact = 2, 2
    risk.save()
    html = get(board, programme)
    assert '">Bo Newowner</option>' in html
    assert "risks of likelihood 2 and impact 2</span>" in html


def test_a_persons_new_name_shows_at_once_in_the_owner_choices(board, register):
    programme = register["programme"]
    assert ">Ann &lt;Owner&gt;</option>" in get(board, programme)
    owner = programme.risks.get(reference="R1").owner
    owner.name = "Ann Renamed"
    owner.save()
    assert ">Ann Renamed</option>" in get(board, programme)


def test_an_owner_from_elsewhere_is_refused_as_before(board, register):
    stranger = PersonFactory()
    response = board.get(
        reverse("risk_list", args=[register["programme"].pk]) + f"?owner={stranger.pk}"
    )
    assert response.status_code == 400
    assert "That choice is not one of the available choices." in response.content.decode()


def test_a_scope_deleted_since_a_past_period_is_named_as_such_not_none():
    from risks.views.lists import _scope

    gone = {"workstream_id": 7, "workstream__reference": None, "workstream__sort_key": None}
    assert _scope({**gone, "area_id": None}) == ("A workstream since deleted", (2, ""))
    area_gone = {"workstream_id": None, "area_id": 3, "area__reference": None}
    assert _scope({**area_gone, "area__sort_key": None}) == ("An area since deleted", (1, ""))
    kept = {"workstream_id": 7, "workstream__reference": "1.2", "workstream__sort_key": "k"}
    assert _scope({**kept, "area_id": 3}) == ("Workstream 1.2", (2, "k"))
