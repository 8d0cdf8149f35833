"""Every API write, for every role, mirroring the pages' tests (tests/test_write_permissions.py
and tests/test_raid_permissions.py): allowed as DOMAIN.md section 2 says, and denied with
nothing changed. Denied means 403 for those who see the programme, 404 for those who do not
(an id in the body they may not see is "does not exist", 400, as for an id that does not
exist), 401 without a working token."""

from datetime import timedelta

import pytest

from programmes.dates import month_start
from risks.models import Risk
from tests.api import api_url, client_for
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    RiskFactory,
    StatusUpdateFactory,
    UserFactory,
)
from tests.made_once import world_made_once
from workstreams.models import MeasureReading, Milestone, StatusUpdate

ROLES = [
    "board",
    "sponsor",
    "manager",
    "lead",
    "other_lead",
    "office",
    "outsider",
    "admin",
    "anonymous",
    "inactive",
]
THIS_MONTH = month_start(TODAY)
LAST_MONTH = month_start(THIS_MONTH - timedelta(days=1))
TWO_MONTHS_AGO = month_start(LAST_MONTH - timedelta(days=1))


def month(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@world_made_once
def world(plan):
    """Things in workstream 1.1 (the lead's), in area one (the manager's) and elsewhere."""
    programme = plan["programme"]
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    last_period = PeriodFactory(
        programme=programme, month=LAST_MONTH, cut_off=LAST_MONTH + timedelta(days=24)
    )
    return {
        "milestone": MilestoneFactory(
            workstream=plan["ws_1_1"], baseline_date=TODAY + timedelta(days=60)
        ),
        "other_area_milestone": MilestoneFactory(
            workstream=plan["ws_2_1"], baseline_date=TODAY + timedelta(days=60)
        ),
        "measure": measure,
        "reading": MeasureReadingFactory(measure=measure, period=THIS_MONTH),
        "period": PeriodFactory(
            programme=programme, month=THIS_MONTH, cut_off=THIS_MONTH + timedelta(days=24)
        ),
        "draft": StatusUpdateFactory(workstream=plan["ws_1_1"], period=last_period, rag="green"),
        "lead_risk": RiskFactory(
            programme=programme, area=plan["area_one"], workstream=plan["ws_1_1"], reference="W1"
        ),
        "area_risk": RiskFactory(programme=programme, area=plan["area_one"], reference="A1"),
        "other_area_risk": RiskFactory(programme=programme, area=plan["area_two"], reference="A2"),
        "programme_risk": RiskFactory(programme=programme, reference="P1"),
    }


def new_risk(plan, **scope) -> dict:
    return {
        "programme": plan["programme"].pk,
        "reference": "NEW",
        "title": "New",
        "event": "It may happen",
        "category": "internal",
        "current_likelihood": 3,
        "current_impact": 3,
    } | scope


def request_for(case: str, plan, world):
    """(method, url, body, whether the change was made)."""
    milestone, measure, risk = world["milestone"], world["measure"], world["lead_risk"]
    if case == "update milestone progress":
        return (
            "patch",
            api_url("milestone-detail", milestone.pk),
            {"status": "in_progress", "note": "Started", "version": 1},
            lambda: Milestone.objects.get(pk=milestone.pk).status == "in_progress",
        )
    if case == "update a milestone of area two":
        other = world["other_area_milestone"]
        return (
            "patch",
            api_url("milestone-detail", other.pk),
            {"at_risk": True, "version": 1},
            lambda: Milestone.objects.get(pk=other.pk).at_risk,
        )
    if case == "enter a reading":
        return (
            "post",
            api_url("measurereading-list"),
            {"measure": measure.pk, "period": month(TWO_MONTHS_AGO), "value": "12"},
            lambda: MeasureReading.objects.filter(period=TWO_MONTHS_AGO).exists(),
        )
    if case == "correct a reading":
        return (
            "patch",
            api_url("measurereading-detail", world["reading"].pk),
            {"value": "11", "version": 1},
            lambda: MeasureReading.objects.get(pk=world["reading"].pk).value == 11,
        )
    if case == "start the status update":
        return (
            "post",
            api_url("statusupdate-list"),
            {"workstream": plan["ws_1_1"].pk, "period": world["period"].pk, "rag": "green"},
            lambda: StatusUpdate.objects.filter(period=world["period"]).exists(),
        )
    if case == "submit the status update":
        return (
            "patch",
            api_url("statusupdate-detail", world["draft"].pk),
            {"submit": True, "version": 1},
            lambda: StatusUpdate.objects.get(pk=world["draft"].pk).is_submitted,
        )
    if case == "raise a risk in the lead's workstream":
        return (
            "post",
            api_url("risk-list"),
            new_risk(plan, workstream=plan["ws_1_1"].pk),
            lambda: Risk.objects.filter(reference="NEW").exists(),
        )
    if case == "raise a risk in area two":
        return (
            "post",
            api_url("risk-list"),
            new_risk(plan, area=plan["area_two"].pk),
            lambda: Risk.objects.filter(reference="NEW").exists(),
        )
    if case == "raise a programme risk":
        return (
            "post",
            api_url("risk-list"),
            new_risk(plan),
            lambda: Risk.objects.filter(reference="NEW").exists(),
        )
    if case.startswith("edit "):
        target = world[case.removeprefix("edit ")]
        return (
            "patch",
            api_url("risk-detail", target.pk),
            {"title": "Renamed", "version": 1},
            lambda: Risk.objects.get(pk=target.pk).title == "Renamed",
        )
    if case == "move the lead's risk to area two":
        return (
            "patch",
            api_url("risk-detail", risk.pk),
            {"workstream": plan["ws_2_1"].pk, "version": 1},
            lambda: Risk.objects.get(pk=risk.pk).workstream_id == plan["ws_2_1"].pk,
        )
    if case == "close the lead's risk":
        return (
            "post",
            api_url("risk-close", risk.pk),
            {"closing_reason": "Gone", "version": 1},
            lambda: Risk.objects.get(pk=risk.pk).status == "closed",
        )
    raise AssertionError(case)


LEAD_AND_UP = {"manager", "lead", "office", "admin"}
CASES = {
    "update milestone progress": LEAD_AND_UP,
    "update a milestone of area two": {"office", "admin"},
    "enter a reading": LEAD_AND_UP,
    "correct a reading": LEAD_AND_UP,
    "start the status update": LEAD_AND_UP,
    "submit the status update": LEAD_AND_UP,
    "raise a risk in the lead's workstream": LEAD_AND_UP,
    "raise a risk in area two": {"office", "admin"},
    "raise a programme risk": {"office", "admin"},
    "edit lead_risk": LEAD_AND_UP,
    "edit area_risk": {"manager", "office", "admin"},
    "edit other_area_risk": {"office", "admin"},
    "edit programme_risk": {"office", "admin"},
    "move the lead's risk to area two": {"office", "admin"},
    "close the lead's risk": LEAD_AND_UP,
}


def client_as(role: str, people):
    if role == "anonymous":
        return client_for(None)
    if role == "inactive":
        user = UserFactory(username="left")
        client = client_for(user)
        user.is_active = False
        user.save()
        return client
    return client_for(people[role])


def denial_for(role: str, url: str) -> int:
    if role in ("anonymous", "inactive"):
        return 401
    if role == "outsider":
        # Creating names the programme, measure or workstream in the body: one they may not
        # see "does not exist" (400). Changing an object they may not see: 404.
        return 400 if url.rstrip("/").endswith(("risks", "readings", "status-updates")) else 404
    return 403


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_change_exactly_what_it_should(people, plan, world, case, role):
    method, url, body, changed = request_for(case, plan, world)
    response = getattr(client_as(role, people), method)(url, body)
    if role in CASES[case]:
        assert response.status_code in (200, 201), (role, case, response.content)
        assert changed(), (role, case)
    else:
        assert response.status_code == denial_for(role, url), (role, case, response.content)
        assert not changed(), (role, case)


READABLE = ["programme", "milestone", "risk", "statusupdate"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_whole_programme_or_nothing(people, plan, world, role):
    client = client_as(role, people)
    for kind in READABLE:
        listed = client.get(api_url(f"{kind}-list"))
        one = client.get(api_url(f"{kind}-detail", _one_of(kind, plan, world).pk))
        if role in ("anonymous", "inactive"):
            assert (listed.status_code, one.status_code) == (401, 401), (role, kind)
        elif role == "outsider":
            assert listed.json()["count"] == 0, kind
            assert one.status_code == 404, kind
        else:
            assert listed.json()["count"] >= 1, (role, kind)
            assert one.status_code == 200, (role, kind)


def _one_of(kind: str, plan, world):
    return {
        "programme": plan["programme"],
        "milestone": world["other_area_milestone"],
        "risk": world["other_area_risk"],
        "statusupdate": world["draft"],
    }[kind]
