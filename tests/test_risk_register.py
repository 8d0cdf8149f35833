"""Raising and managing risks: validation with messages by the field and nothing half-saved,
closing, mitigation actions, realising into an issue in one step, and the register's bands
and movement since the last period."""

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag
from risks.models import Issue, IssueAction, MitigationAction, Risk
from tests.clock import TODAY
from tests.factories import PeriodFactory, PersonFactory, RiskFactory
from tests.forms import date_parts


def risk_form(**overrides) -> dict:
    data = {
        "reference": "CF6 - 005",
        "title": "Care market capacity",
        "kind": "threat",
        "event": "Providers cannot meet demand for personal budgets",
        "category": "external",
        "current_likelihood": "4",
        "current_impact": "3",
        "response": "reduce",
        **date_parts("raised_on", None),
        **date_parts("proximity", None),
        **date_parts("review_date", None),
    }
    data.update(overrides)
    return data


def raise_as(client, user, programme, **overrides):
    client.force_login(user)
    return client.post(reverse("risk_add", args=[programme.pk]), risk_form(**overrides))


def test_a_project_manager_raises_a_risk_in_their_area(client, people, plan):
    response = raise_as(client, people["manager"], plan["programme"], area=str(plan["area_one"].pk))
    assert response.status_code == 302
    risk = Risk.objects.get(reference="CF6 - 005")
    assert (risk.current_score, risk.current_band, risk.area, risk.raised_on) == (
        12,
        Rag.AMBER,
        plan["area_one"],
        TODAY,
    )
    assert risk.history.get().history_user == people["manager"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"current_likelihood": "6"},
            "current_likelihood",
            "The current likelihood must be a whole number from 1 to 5",
        ),
        (
            {"current_impact": "0"},
            "current_impact",
            "The current impact must be a whole number from 1 to 5",
        ),
        (
            {"current_likelihood": ""},
            "current_likelihood",
            "Choose the current likelihood, from 1 to 5",
        ),
        (
            {"inherent_likelihood": "5"},
            "inherent_impact",
            "Give the inherent impact too, or neither",
        ),
        (
            {"kind": "opportunity", "response": "avoid"},
            "response",
            "The response to an opportunity is one of",
        ),
        ({"event": ""}, "event", "Describe what may happen"),
        ({"title": "x" * 301}, "title", "Ensure this value has at most 300 characters"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    client, people, plan, overrides, field, message
):
    response = raise_as(client, people["office"], plan["programme"], **overrides)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and f'href="#id_{field}' in html and message in html
    assert not Risk.objects.exists()


def test_a_reference_used_twice_is_refused(client, people, plan):
    RiskFactory(programme=plan["programme"], reference="CF6 - 005")
    response = raise_as(client, people["office"], plan["programme"])
    assert response.status_code == 400
    assert "already has a risk with this reference" in response.content.decode()


def test_closing_needs_a_reason(client, people, plan):
    risk = RiskFactory(programme=plan["programme"])
    client.force_login(people["office"])
    url = reverse("risk_close", args=[risk.pk])
    response = client.post(url, {"closing_reason": "", "version": "1"})
    assert response.status_code == 400 and "Say why the risk is closed" in response.content.decode()
    assert Risk.objects.get(pk=risk.pk).status == "open"
    client.post(url, {"closing_reason": "Contract signed", "version": "1"})
    risk.refresh_from_db()
    assert (risk.status, risk.closing_reason) == ("closed", "Contract signed")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"action-owner": ""}, "action-owner", "Choose who owns the action"),
        (
            {"action-due_date_0": "", "action-due_date_1": "", "action-due_date_2": ""},
            "action-due_date",
            "Enter the date the action is due",
        ),
        ({"action-description": ""}, "action-description", "Describe the action"),
    ],
)
def test_an_action_needs_a_description_an_owner_and_a_date(
    client, people, plan, overrides, field, message
):
    risk = RiskFactory(programme=plan["programme"])
    owner = PersonFactory(organisation=plan["programme"].organisation)
    data = {
        "action-description": "Agree the scope with the ACM board",
        "action-owner": str(owner.pk),
        **{f"action-{k}": v for k, v in date_parts("due_date", TODAY + timedelta(days=30)).items()},
    }
    data.update(overrides)
    client.force_login(people["office"])
    response = client.post(reverse("risk_detail", args=[risk.pk]), data)
    assert response.status_code == 400
    assert (
        message in response.content.decode() and f'href="#id_{field}' in response.content.decode()
    )
    assert not MitigationAction.objects.exists()


def test_realising_a_risk_makes_a_linked_issue_in_one_step(client, people, plan):
    owner = PersonFactory(organisation=plan["programme"].organisation, name="Charity Thrussell")
    risk = RiskFactory(
        programme=plan["programme"],
        workstream=plan["ws_1_1"],
        area=plan["area_one"],
        reference="CF6 - 004",
        title="CareStore link",
        owner=owner,
        event="No link to CareStore",
        effect="Documents stay on paper",
    )
    MitigationAction.objects.create(
        risk=risk, description="Test the link", owner=owner, due_date=TODAY + timedelta(days=10)
    )
    MitigationAction.objects.create(
        risk=risk,
        description="Done already",
        owner=owner,
        due_date=TODAY,
        done=True,
        completed_on=TODAY,
    )
    client.force_login(people["lead"])
    response = client.post(
        reverse("risk_realise", args=[risk.pk]),
        {"reference": "CF6 - 004", "severity": "high", "priority": "high", "version": "1"},
    )
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"] == issue.get_absolute_url()
    assert (issue.risk, issue.title, issue.owner, issue.workstream, issue.severity) == (
        risk,
        "CareStore link",
        owner,
        plan["ws_1_1"],
        "high",
    )
    assert issue.description == "No link to CareStore\n\nDocuments stay on paper"
    assert list(IssueAction.objects.values_list("description", flat=True)) == ["Test the link"]
    risk.refresh_from_db()
    assert risk.status == "realised"


def test_a_realised_risk_cannot_be_realised_again(client, people, plan):
    risk = RiskFactory(programme=plan["programme"])
    client.force_login(people["office"])
    url = reverse("risk_realise", args=[risk.pk])
    client.post(
        url, {"reference": risk.reference, "severity": "low", "priority": "low", "version": "1"}
    )
    risk.refresh_from_db()
    response = client.post(
        url,
        {
            "reference": "Another",
            "severity": "low",
            "priority": "low",
            "version": str(risk.version),
        },
    )
    assert response.status_code == 400
    assert "already linked to an issue" in response.content.decode()
    assert Issue.objects.count() == 1


def test_band_edges_follow_the_councils_own_bands_on_the_register(client, people, plan):
    programme = plan["programme"]
    programme.risk_amber_from, programme.risk_red_from = 5, 12
    programme.save()
    for reference, likelihood, impact in (
        ("R4", 2, 2),
        ("R5", 5, 1),
        ("R11", 1, 11 // 11 * 5),
        ("R12", 4, 3),
        ("R15", 5, 3),
    ):
        RiskFactory(
            programme=programme,
            reference=reference,
            current_likelihood=likelihood,
            current_impact=impact,
        )
    client.force_login(people["board"])
    rows = client.get(reverse("risk_list", args=[programme.pk]), {"format": "csv"}).content.decode()
    bands = {line.split(",")[0]: line for line in rows.splitlines()[1:]}
    assert ",Green," in bands["R4"] and ",Amber," in bands["R5"]
    assert ",Red," in bands["R12"] and ",Red," in bands["R15"]


def test_movement_since_the_last_period_comes_from_the_history(client, people, plan):
    last = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    PeriodFactory(programme=plan["programme"], month=last)
    back_then = timezone.make_aware(datetime.combine(last, datetime.min.time()))
    risks = {}
    for reference, score in (("UP", (2, 3)), ("DOWN", (4, 4)), ("SAME", (3, 3))):
        risk = RiskFactory.build(
            programme=plan["programme"],
            reference=reference,
            current_likelihood=score[0],
            current_impact=score[1],
        )
        risk._history_date = back_then
        risk.save()
        del risk._history_date  # later changes happen now
        risks[reference] = risk
    risks["UP"].current_likelihood = 4
    risks["UP"].save()
    risks["DOWN"].current_impact = 2
    risks["DOWN"].save()
    RiskFactory(programme=plan["programme"], reference="NEW")
    client.force_login(people["board"])
    csv = client.get(
        reverse("risk_list", args=[plan["programme"].pk]), {"format": "csv"}
    ).content.decode()
    movement = {line.split(",")[0]: line for line in csv.splitlines()[1:]}
    assert ",Worse,6," in movement["UP"] and ",Better,16," in movement["DOWN"]
    assert ",Same,9," in movement["SAME"] and ",New,," in movement["NEW"]


def test_the_risk_page_shows_its_score_over_time_and_history(client, people, plan):
    risk = RiskFactory(programme=plan["programme"], current_likelihood=3, current_impact=3)
    risk.current_likelihood = 5
    risk.save()
    client.force_login(people["board"])
    html = client.get(reverse("risk_detail", args=[risk.pk])).content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and "5 x 3" in html and "3 x 3" in html
    assert "Current likelihood changed from 3 to 5" in html


def test_the_register_and_the_dashboard_say_a_risks_movement_in_the_same_words(client, demo):
    """A score that went up is Worse, with the down arrow, on the register, in its CSV and on
    the dashboard alike (programmes.movement); the register once said "Up" beside "↓"."""
    from django.contrib.auth import get_user_model

    harrow = demo["HARROW-TPP"]
    client.force_login(get_user_model().objects.get(username="board"))
    register = client.get(reverse("risk_list", args=[harrow.pk])).content.decode()
    dashboard = client.get(reverse("programme_detail", args=[harrow.pk])).content.decode()
    row = re.search(r">R2</td>.*?</tr>", register, re.S).group(0)
    risk = re.search(r">R2 Financial instability</a>.*?</tr>", dashboard, re.S).group(0)
    worse = '<span aria-hidden="true">\u2193</span> Worse'
    assert worse in row and worse in risk
    assert "was 3" in row and "(was 3)" in risk
    assert ">Up<" not in row and " Up<" not in row
    csv = client.get(reverse("risk_list", args=[harrow.pk]), {"format": "csv"})
    [r2] = [line for line in csv.content.decode().splitlines() if line.startswith("R2,")]
    assert ",Worse," in r2
