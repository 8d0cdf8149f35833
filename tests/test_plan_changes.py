"""Project managers and the programme office change the plan: add, edit, reorder, remove,
and re-baseline with a reason kept in the history."""

from datetime import date

from django.urls import reverse

from tests import forms
from tests.factories import MilestoneFactory
from workstreams.models import BaselineChange, Milestone


def test_adding_a_milestone_with_a_month_for_its_due_date(client, people, plan):
    client.force_login(people["manager"])
    data = {"reference": "1.1.10", "title": "Building handover", "kind": "deliverable"}
    data.update(forms.date_parts("baseline", (6, 2027)))
    response = client.post(reverse("milestone_add", args=[plan["ws_1_1"].pk]), data)
    assert response.status_code == 302
    milestone = Milestone.objects.get(reference="1.1.10")
    assert milestone.baseline_date == date(2027, 6, 30) and milestone.baseline_precision == "month"
    assert milestone.baseline_label == "Jun 2027"


def test_a_reference_used_twice_in_a_workstream_is_refused(client, people, plan):
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1")
    client.force_login(people["manager"])
    data = {"reference": "1.1.1", "title": "Again", "kind": "milestone"}
    response = client.post(reverse("milestone_add", args=[plan["ws_1_1"].pk]), data)
    assert response.status_code == 400
    assert "already has a milestone 1.1.1" in response.content.decode()
    assert Milestone.objects.filter(reference="1.1.1").count() == 1


def test_re_baselining_needs_a_reason_and_keeps_it(client, people, plan):
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"], baseline_date=date(2026, 9, 30), baseline_precision="month"
    )
    url = reverse("milestone_rebaseline", args=[milestone.pk])
    client.force_login(people["manager"])
    without = {"reason": "", "version": "1", **forms.date_parts("baseline", (11, 2026))}
    response = client.post(url, without)
    assert response.status_code == 400
    assert "Give the reason for re-baselining" in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).baseline_date == date(2026, 9, 30)

    client.post(url, {**without, "reason": "Cabinet moved to November"})
    milestone.refresh_from_db()
    assert milestone.baseline_date == date(2026, 11, 30)
    change = BaselineChange.objects.get(milestone=milestone)
    assert (change.previous_label, change.new_label, change.reason) == (
        "Sep 2026",
        "Nov 2026",
        "Cabinet moved to November",
    )
    page = client.get(reverse("milestone_detail", args=[milestone.pk])).content.decode()
    assert "Baseline moved from Sep 2026 to Nov 2026" in page
    assert "Reason: Re-baselined: Cabinet moved to November" in page


def test_the_plan_form_cannot_move_the_baseline(client, people, plan):
    milestone = MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=date(2026, 9, 30))
    client.force_login(people["manager"])
    data = {
        "reference": milestone.reference,
        "title": "Renamed",
        "kind": "milestone",
        "version": "1",
        **forms.date_parts("baseline", date(2030, 1, 1)),
    }
    client.post(reverse("milestone_edit", args=[milestone.pk]), data)
    milestone.refresh_from_db()
    assert milestone.title == "Renamed" and milestone.baseline_date == date(2026, 9, 30)


def test_reordering_and_removing(client, people, plan):
    first = MilestoneFactory(workstream=plan["ws_1_1"], reference="A", position=1)
    second = MilestoneFactory(workstream=plan["ws_1_1"], reference="B", position=2)
    client.force_login(people["office"])
    client.post(reverse("milestone_move", args=[second.pk]), {"direction": "up"})
    assert list(
        Milestone.objects.filter(workstream=plan["ws_1_1"]).values_list("reference", flat=True)
    ) == ["B", "A"]
    current = Milestone.objects.get(pk=first.pk).version  # the move raised it
    client.post(reverse("milestone_remove", args=[first.pk]), {"version": str(current)})
    assert not Milestone.objects.filter(pk=first.pk).exists()
    assert Milestone.history.filter(id=first.pk, history_type="-").exists()
