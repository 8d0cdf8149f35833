"""Every page that changes data, for every role: allowed as DOMAIN.md section 2 says, and
denied with nothing changed (DOMAIN.md section 2; issue: "test the denial as carefully as the
permission")."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import PeriodStatus
from tests import forms
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    StatusUpdateFactory,
)
from tests.made_once import world_made_once
from workstreams.models import MeasureReading, Milestone, StatusUpdate

ROLES = ["board", "sponsor", "manager", "lead", "other_lead", "office", "outsider", "admin"]


@world_made_once
def world(plan):
    """Things in workstream 1.1 (the lead's), one milestone in area two, and periods."""
    this_month = TODAY.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    period = PeriodFactory(
        programme=plan["programme"], month=this_month, cut_off=this_month + timedelta(days=24)
    )
    closed = PeriodFactory(
        programme=plan["programme"],
        month=last_month,
        status=PeriodStatus.CLOSED,
        cut_off=last_month + timedelta(days=24),
    )
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    return {
        "milestone": MilestoneFactory(
            workstream=plan["ws_1_1"], baseline_date=TODAY + timedelta(days=60)
        ),
        "other_area_milestone": MilestoneFactory(workstream=plan["ws_2_1"]),
        "measure": measure,
        "reading": MeasureReadingFactory(measure=measure, period=this_month, value=Decimal(10)),
        "period": period,
        "locked_update": StatusUpdateFactory(
            workstream=plan["ws_1_1"],
            period=closed,
            rag="green",
            state="submitted",
            submitted_at=timezone.now(),
        ),
        "workstream": plan["ws_1_1"],
    }


def attempt(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def outcome(response) -> str:
    return "allowed" if response.status_code in (200, 302) else str(response.status_code)


# (name, roles allowed); everyone else gets 403, or 404 when they cannot see the programme.
CASES = {
    "update milestone progress": {"manager", "lead", "office", "admin"},
    "preview milestone rating": {"manager", "lead", "office", "admin"},
    "add a milestone": {"manager", "office", "admin"},
    "change a milestone's plan": {"manager", "office", "admin"},
    "re-baseline a milestone": {"manager", "office", "admin"},
    "reorder milestones": {"manager", "office", "admin"},
    "remove a milestone": {"manager", "office", "admin"},
    "enter a reading": {"manager", "lead", "office", "admin"},
    "correct a reading": {"manager", "lead", "office", "admin"},
    "write the status update": {"manager", "lead", "office", "admin"},
    "reopen a locked update": {"office", "admin"},
}


def request_for(case, world):
    milestone, measure = world["milestone"], world["measure"]
    this_month = TODAY.replace(day=1)
    if case == "update milestone progress":
        return (
            reverse("milestone_detail", args=[milestone.pk]),
            forms.progress(milestone, status="in_progress", note="Consultation started"),
            lambda: Milestone.objects.get(pk=milestone.pk).status == "in_progress",
        )
    if case == "preview milestone rating":
        return reverse("milestone_preview", args=[milestone.pk]), forms.progress(milestone), None
    if case == "add a milestone":
        data = {"reference": "1.1.99", "title": "New milestone", "kind": "milestone", "version": ""}
        data.update(forms.date_parts("baseline", (9, 2027)))
        return (
            reverse("milestone_add", args=[world["workstream"].pk]),
            data,
            (lambda: Milestone.objects.filter(reference="1.1.99").exists()),
        )
    if case == "change a milestone's plan":
        data = {
            "reference": milestone.reference,
            "title": "Renamed",
            "kind": "milestone",
            "version": str(milestone.version),
        }
        return (
            reverse("milestone_edit", args=[milestone.pk]),
            data,
            (lambda: Milestone.objects.get(pk=milestone.pk).title == "Renamed"),
        )
    if case == "re-baseline a milestone":
        data = {"reason": "Cabinet date moved", "version": str(milestone.version)}
        data.update(forms.date_parts("baseline", (12, 2027)))
        return (
            reverse("milestone_rebaseline", args=[milestone.pk]),
            data,
            (lambda: Milestone.objects.get(pk=milestone.pk).baseline_date == date(2027, 12, 31)),
        )
    if case == "reorder milestones":
        MilestoneFactory(workstream=world["workstream"], position=1)
        Milestone.objects.filter(pk=milestone.pk).update(position=2)
        return (
            reverse("milestone_move", args=[milestone.pk]),
            {"direction": "up"},
            (lambda: Milestone.objects.get(pk=milestone.pk).position == 1),
        )
    if case == "remove a milestone":
        return (
            reverse("milestone_remove", args=[milestone.pk]),
            {"version": str(milestone.version)},
            lambda: not Milestone.objects.filter(pk=milestone.pk).exists(),
        )
    if case == "enter a reading":
        two_months_ago = (this_month - timedelta(days=40)).replace(day=1)
        two_months_ago = (two_months_ago - timedelta(days=1)).replace(day=1)
        return (
            reverse("measure_detail", args=[measure.pk]),
            {
                "period": two_months_ago.isoformat(),
                "value": "12",
            },
            lambda: MeasureReading.objects.filter(measure=measure, period=two_months_ago).exists(),
        )
    if case == "correct a reading":
        return (
            reverse("reading_edit", args=[measure.pk, this_month.isoformat()]),
            {
                "period": this_month.isoformat(),
                "value": "11",
                "version": "1",
            },
            lambda: MeasureReading.objects.get(pk=world["reading"].pk).value == Decimal(11),
        )
    if case == "write the status update":
        return (
            reverse("status_update", args=[world["workstream"].pk, world["period"].pk]),
            (forms.status_update()),
            lambda: StatusUpdate.objects.filter(period=world["period"]).exists(),
        )
    if case == "reopen a locked update":
        return (
            reverse("status_update_reopen", args=[world["locked_update"].pk]),
            {},
            (lambda: StatusUpdate.objects.get(pk=world["locked_update"].pk).reopened),
        )
    raise AssertionError(case)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_change_exactly_what_it_should(client, people, world, case, role):
    url, data, changed = request_for(case, world)
    response = attempt(client, people[role], url, data)
    if role in CASES[case]:
        assert outcome(response) == "allowed", (role, case, response.content[:2000])
        if changed is not None:
            assert changed(), (role, case)
    else:
        expected = "404" if role == "outsider" else "403"
        assert outcome(response) == expected, (role, case)
        if changed is not None:
            assert not changed(), (role, case)


def test_a_lead_posting_to_another_leads_milestone_is_refused_and_nothing_changes(
    client, people, plan
):
    theirs = MilestoneFactory(workstream=plan["ws_1_2"])
    response = attempt(
        client,
        people["lead"],
        reverse("milestone_detail", args=[theirs.pk]),
        forms.progress(theirs, status="complete", actual_date=TODAY),
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "not_started" and theirs.actual_date is None
    assert theirs.history.count() == 1
