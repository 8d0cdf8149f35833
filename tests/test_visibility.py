"""Everyone else sees nothing of a programme (DOMAIN.md section 2): querysets and pages."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from programmes.models import Programme
from risks.models import Risk
from tests.factories import MilestoneFactory, ProgrammeFactory, RiskFactory, WorkstreamFactory
from workstreams.models import Milestone, Workstream


@pytest.fixture
def elsewhere(db):
    programme = ProgrammeFactory(name="Somebody else's programme")
    workstream = WorkstreamFactory(area__programme=programme)
    return {
        "programme": programme,
        "workstream": workstream,
        "milestone": MilestoneFactory(workstream=workstream),
        "risk": RiskFactory(programme=programme),
    }


def test_members_see_their_programme_and_not_others(plan, people, elsewhere):
    for role in ["board", "sponsor", "manager", "lead", "office"]:
        visible = set(Programme.objects.visible_to(people[role]))
        assert visible == {plan["programme"]}, role


def test_a_lead_sees_the_whole_programme_not_only_their_workstream(plan, people, elsewhere):
    visible = set(Workstream.objects.visible_to(people["lead"]))
    assert visible == {plan["ws_1_1"], plan["ws_1_2"], plan["ws_2_1"], plan["ws_2_2"]}


def test_things_below_a_programme_are_scoped_too(plan, people, elsewhere):
    MilestoneFactory(workstream=plan["ws_2_2"])
    assert elsewhere["milestone"] not in Milestone.objects.visible_to(people["lead"])
    assert elsewhere["risk"] not in Risk.objects.visible_to(people["board"])
    assert Milestone.objects.visible_to(people["lead"]).count() == 1


def test_an_outsider_sees_nothing_and_an_administrator_everything(plan, people, elsewhere):
    assert not Programme.objects.visible_to(people["outsider"]).exists()
    assert Programme.objects.visible_to(people["admin"]).count() == 2


def test_the_list_page_shows_only_visible_programmes(client, plan, people, elsewhere):
    client.force_login(people["board"])
    html = client.get(reverse("programme_list")).content.decode()
    assert escape(plan["programme"].name) in html
    assert escape(elsewhere["programme"].name) not in html


@pytest.mark.parametrize("page", ["programme_detail", "workstream_detail"])
def test_an_outsider_gets_page_not_found(client, plan, people, page):
    client.force_login(people["outsider"])
    target = plan["programme"].pk if page == "programme_detail" else plan["ws_1_1"].pk
    response = client.get(reverse(page, args=[target]))
    assert response.status_code == 404
    assert escape(plan["programme"].name) not in response.content.decode()


@pytest.mark.parametrize("page", ["programme_detail", "workstream_detail"])
def test_every_role_may_open_the_pages(client, plan, people, page):
    target = plan["programme"].pk if page == "programme_detail" else plan["ws_1_1"].pk
    for role in ["board", "sponsor", "manager", "lead", "office", "admin"]:
        client.force_login(people[role])
        assert client.get(reverse(page, args=[target])).status_code == 200, role


def test_signed_out_visitors_are_sent_to_sign_in(client, plan):
    response = client.get(reverse("programme_detail", args=[plan["programme"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
