"""Who may do what (DOMAIN.md section 2), for every role, allowed and denied.

The expectations are written out here from DOMAIN.md, not derived from the permission
table, so that a change to the table that breaks the rules fails a test.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from programmes.choices import ProgrammeStatus, Role
from programmes.permissions import Action, access_for, may, require
from tests.factories import (
    MilestoneFactory,
    ProgrammeFactory,
    RiskFactory,
    UserFactory,
    grant_portfolio_office,
)

ROLES = ["board", "sponsor", "manager", "lead", "other_lead", "office", "outsider", "admin"]


@pytest.fixture
def things(plan):
    return {
        "own_milestone": MilestoneFactory(workstream=plan["ws_1_1"]),
        "other_leads_milestone": MilestoneFactory(workstream=plan["ws_1_2"]),
        "other_areas_milestone": MilestoneFactory(workstream=plan["ws_2_1"]),
        "own_workstream_risk": RiskFactory(
            programme=plan["programme"], area=plan["area_one"], workstream=plan["ws_1_1"]
        ),
        "area_one_risk": RiskFactory(programme=plan["programme"], area=plan["area_one"]),
        "programme_risk": RiskFactory(programme=plan["programme"]),
        "area_one": plan["area_one"],
        "area_two": plan["area_two"],
        "programme": plan["programme"],
    }


def allowed_users(people, action, thing, things):
    return {role for role in ROLES if may(people[role], action, things[thing])}


# (action, object, the roles that may) - everyone else may not.
EXPECTED = [
    (
        Action.VIEW,
        "programme",
        {"board", "sponsor", "manager", "lead", "other_lead", "office", "admin"},
    ),
    (Action.UPDATE_MILESTONE, "own_milestone", {"manager", "lead", "office", "admin"}),
    (
        Action.UPDATE_MILESTONE,
        "other_leads_milestone",
        {"manager", "other_lead", "office", "admin"},
    ),
    (Action.UPDATE_MILESTONE, "other_areas_milestone", {"office", "admin"}),
    (Action.EDIT_PLAN, "own_milestone", {"manager", "office", "admin"}),
    (Action.EDIT_PLAN, "other_areas_milestone", {"office", "admin"}),
    (Action.EDIT_PLAN, "area_one", {"manager", "office", "admin"}),
    (Action.RECORD_READING, "own_milestone", {"manager", "lead", "office", "admin"}),
    (Action.RECORD_READING, "other_areas_milestone", {"office", "admin"}),
    (Action.SUBMIT_STATUS_UPDATE, "own_milestone", {"manager", "lead", "office", "admin"}),
    (
        Action.SUBMIT_STATUS_UPDATE,
        "other_leads_milestone",
        {"manager", "other_lead", "office", "admin"},
    ),
    (Action.MANAGE_RISKS, "own_workstream_risk", {"manager", "lead", "office", "admin"}),
    (Action.MANAGE_RISKS, "area_one_risk", {"manager", "office", "admin"}),
    (Action.MANAGE_RISKS, "programme_risk", {"office", "admin"}),
    (Action.WRITE_EXCEPTION, "own_milestone", {"manager", "office", "admin"}),
    (Action.APPROVE_EXCEPTION, "area_one", {"sponsor", "office", "admin"}),
    (Action.APPROVE_EXCEPTION, "area_two", {"office", "admin"}),
    (Action.REQUEST_REPORT, "programme", {"manager", "office", "admin"}),
    (Action.DOWNLOAD_REPORT, "programme", {"board", "sponsor", "manager", "office", "admin"}),
    (Action.MANAGE_PROGRAMME, "programme", {"office", "admin"}),
    (Action.MANAGE_DECISIONS, "own_milestone", {"manager", "office", "admin"}),
    (Action.MANAGE_DECISIONS, "other_areas_milestone", {"office", "admin"}),
    (Action.MANAGE_DECISIONS, "programme", {"office", "admin"}),
    (
        Action.COMMENT,
        "programme",
        {"board", "sponsor", "manager", "lead", "other_lead", "office", "admin"},
    ),
]


@pytest.mark.parametrize(("action", "thing", "expected"), EXPECTED)
def test_each_role_may_do_exactly_what_domain_md_says(people, things, action, thing, expected):
    assert allowed_users(people, action, thing, things) == expected


def test_a_lead_cannot_change_another_leads_milestone(people, things):
    with pytest.raises(PermissionDenied):
        require(people["lead"], Action.UPDATE_MILESTONE, things["other_leads_milestone"])


def test_a_lead_can_change_their_own_milestone(people, things):
    require(people["lead"], Action.UPDATE_MILESTONE, things["own_milestone"])


def test_an_outsider_is_told_nothing_exists(people, things):
    with pytest.raises(Http404):
        require(people["outsider"], Action.VIEW, things["own_milestone"])


def test_a_deactivated_user_loses_every_right(people, things):
    office = people["office"]
    office.is_active = False
    office.save()
    office.__dict__.pop("_programme_access", None)
    assert not may(office, Action.VIEW, things["programme"])
    assert not may(office, Action.EDIT_PLAN, things["own_milestone"])


def test_roles_in_one_programme_give_nothing_in_another(people, things):
    from tests.factories import MilestoneFactory as Milestones

    elsewhere = Milestones()
    for role in ["board", "sponsor", "manager", "lead", "office"]:
        assert not may(people[role], Action.VIEW, elsewhere)
        assert not may(people[role], Action.UPDATE_MILESTONE, elsewhere)
    assert may(people["admin"], Action.UPDATE_MILESTONE, elsewhere)


def test_each_user_reads_their_own_roles_from_the_statement_made_once(plan, people):
    """The roles' statement is built once a process (`programmes.permissions._role_rows`):
    each user, read one after another, still gets their own roles, and only the closed
    programmes they see (every one, for the site administrator)."""
    programme = plan["programme"]
    elsewhere = ProgrammeFactory(status=ProgrammeStatus.CLOSED)
    type(programme).objects.filter(pk=programme.pk).update(status=ProgrammeStatus.CLOSED)
    portfolio = UserFactory()
    grant_portfolio_office(portfolio, programme.organisation)
    for user in (people["lead"], people["admin"], people["outsider"], portfolio, people["board"]):
        user._programme_access = None  # read afresh
    lead, admin = access_for(people["lead"]), access_for(people["admin"])
    outsider, office, board = (
        access_for(people["outsider"]),
        access_for(portfolio),
        access_for(people["board"]),
    )

    assert lead.roles_in(programme.pk) == {Role.WORKSTREAM_LEAD}
    assert [g.workstream_id for g in lead.grants[programme.pk]] == [plan["ws_1_1"].pk]
    assert board.roles_in(programme.pk) == {Role.BOARD_MEMBER}
    assert office.roles_in(programme.pk) == {Role.PORTFOLIO_OFFICE}
    assert office.portfolio_organisations == {programme.organisation_id}
    assert not outsider.grants and not outsider.closed_programmes
    assert lead.closed_programmes == {programme.pk}
    assert office.closed_programmes == {programme.pk}
    assert admin.is_administrator
    assert admin.closed_programmes >= {programme.pk, elsewhere.pk}
