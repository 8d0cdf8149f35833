"""Who may change the RAID log (DOMAIN.md section 2): leads their workstream's risks and
issues, project managers their area's, the programme office all; board members and sponsors
read only. Denied requests change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from risks.models import Issue, MitigationAction, Risk
from tests.clock import TODAY
from tests.factories import PersonFactory, RiskFactory
from tests.forms import date_parts

ROLES = ["board", "sponsor", "manager", "lead", "other_lead", "office", "outsider", "admin"]


@pytest.fixture
def raid(plan):
    return {
        "lead_risk": RiskFactory(
            programme=plan["programme"],
            workstream=plan["ws_1_1"],
            area=plan["area_one"],
            reference="W1",
        ),
        "area_risk": RiskFactory(
            programme=plan["programme"], area=plan["area_one"], reference="A1"
        ),
        "other_area_risk": RiskFactory(
            programme=plan["programme"], area=plan["area_two"], reference="A2"
        ),
        "programme_risk": RiskFactory(programme=plan["programme"], reference="P1"),
        "owner": PersonFactory(organisation=plan["programme"].organisation),
    }


def edit_data(risk) -> dict:
    return {
        "reference": risk.reference,
        "title": "Renamed",
        "kind": "threat",
        "event": risk.event,
        "category": risk.category,
        "current_likelihood": "2",
        "current_impact": "2",
        "area": str(risk.area_id or ""),
        "workstream": str(risk.workstream_id or ""),
        "version": str(risk.version),
        **date_parts("raised_on", risk.raised_on),
        **date_parts("proximity", None),
        **date_parts("review_date", None),
    }


CASES = {
    # (what, which risk): roles allowed
    ("edit", "lead_risk"): {"manager", "lead", "office", "admin"},
    ("edit", "area_risk"): {"manager", "office", "admin"},
    ("edit", "other_area_risk"): {"office", "admin"},
    ("edit", "programme_risk"): {"office", "admin"},
    ("close", "lead_risk"): {"manager", "lead", "office", "admin"},
    ("mitigate", "lead_risk"): {"manager", "lead", "office", "admin"},
    ("mitigate", "programme_risk"): {"office", "admin"},
    ("realise", "lead_risk"): {"manager", "lead", "office", "admin"},
    ("realise", "area_risk"): {"manager", "office", "admin"},
}


def attempt(client, user, what, risk, owner):
    client.force_login(user)
    if what == "edit":
        response = client.post(reverse("risk_edit", args=[risk.pk]), edit_data(risk))
        return response, Risk.objects.get(pk=risk.pk).title == "Renamed"
    if what == "close":
        response = client.post(
            reverse("risk_close", args=[risk.pk]),
            {"closing_reason": "Gone", "version": str(risk.version)},
        )
        return response, Risk.objects.get(pk=risk.pk).status == "closed"
    if what == "mitigate":
        data = {
            "action-description": "Do it",
            "action-owner": str(owner.pk),
            **{
                f"action-{k}": v
                for k, v in date_parts("due_date", TODAY + timedelta(days=9)).items()
            },
        }
        response = client.post(reverse("risk_detail", args=[risk.pk]), data)
        return response, MitigationAction.objects.filter(risk=risk).exists()
    response = client.post(
        reverse("risk_realise", args=[risk.pk]),
        {
            "reference": risk.reference,
            "severity": "low",
            "priority": "low",
            "version": str(risk.version),
        },
    )
    return response, Issue.objects.filter(risk=risk).exists()


@pytest.mark.parametrize(
    ("case", "allowed"), list(CASES.items()), ids=[f"{what} {which}" for what, which in CASES]
)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_change_exactly_the_risks_it_should(
    client, people, raid, case, allowed, role
):
    what, which = case
    response, changed = attempt(client, people[role], what, raid[which], raid["owner"])
    if role in allowed:
        assert response.status_code == 302, (role, case, response.status_code)
        assert changed
    else:
        assert response.status_code == (404 if role == "outsider" else 403), (role, case)
        assert not changed


@pytest.mark.parametrize("role", ROLES)
def test_raising_risks_and_issues_follows_the_same_rules(client, people, plan, role):
    client.force_login(people[role])
    data = {
        "reference": "NEW",
        "title": "New",
        "kind": "threat",
        "event": "It may happen",
        "category": "internal",
        "current_likelihood": "3",
        "current_impact": "3",
        "workstream": str(plan["ws_2_1"].pk),
        "area": str(plan["area_two"].pk),
        **date_parts("raised_on", None),
        **date_parts("proximity", None),
        **date_parts("review_date", None),
    }
    response = client.post(reverse("risk_add", args=[plan["programme"].pk]), data)
    # Only the programme office (and site administrators) may raise risks in area two.
    if role in ("office", "admin"):
        assert response.status_code == 302
        assert Risk.objects.filter(reference="NEW").exists()
    else:
        assert response.status_code in (403, 404), role
        assert not Risk.objects.filter(reference="NEW").exists()


def test_a_lead_can_raise_a_risk_in_their_own_workstream(client, people, plan):
    client.force_login(people["lead"])
    data = {
        "reference": "MINE",
        "title": "Mine",
        "kind": "threat",
        "event": "It may happen",
        "category": "internal",
        "current_likelihood": "3",
        "current_impact": "3",
        "workstream": str(plan["ws_1_1"].pk),
        **date_parts("raised_on", None),
        **date_parts("proximity", None),
        **date_parts("review_date", None),
    }
    assert client.post(reverse("risk_add", args=[plan["programme"].pk]), data).status_code == 302
    assert Risk.objects.get(reference="MINE").area == plan["area_one"]
