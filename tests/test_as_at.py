"""Any dashboard can be shown as it stood at the end of a past reporting period, from the
recorded history, and says so."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag
from programmes.models import ProgrammeArea
from reporting.dashboard import build_dashboard
from reporting.state import load_programme_data
from tests.clock import TODAY
from tests.factories import MilestoneFactory, PeriodFactory, RiskFactory
from workstreams.models import Milestone, Workstream

LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


def saved_on(instance, day: date):
    instance._history_date = timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=10)
    )
    instance.save()
    return instance


@pytest.fixture
def changed_since(plan):
    """At the end of last month: 1.1.1 overdue (Red), risk R1 scored 4x4. Since then, 1.1.1
    was completed, R1 fell to 2x2 and a new milestone was added."""
    period = PeriodFactory(programme=plan["programme"], month=LAST_MONTH)
    before = LAST_MONTH + timedelta(days=3)
    # The plan itself was approved before then.
    approved = timezone.make_aware(datetime.combine(LAST_MONTH, datetime.min.time()))
    for model in (ProgrammeArea, Workstream):
        model.history.update(history_date=approved)
    milestone = MilestoneFactory.build(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Consultation",
        baseline_date=LAST_MONTH + timedelta(days=10),
    )
    saved_on(milestone, before)
    risk = RiskFactory.build(
        programme=plan["programme"], reference="R1", current_likelihood=4, current_impact=4
    )
    saved_on(risk, before)
    milestone.status, milestone.actual_date = "complete", TODAY
    saved_on(milestone, TODAY)
    risk.current_likelihood = risk.current_impact = 2
    saved_on(risk, TODAY)
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.2", title="Added later")
    return period


def test_the_past_period_shows_the_earlier_state(plan, changed_since):
    then = build_dashboard(load_programme_data(plan["programme"], period=changed_since))
    now = build_dashboard(load_programme_data(plan["programme"]))
    then_milestones = {
        m.milestone.reference: m.result.rag for w in then.rating.workstreams for m in w.milestones
    }
    now_milestones = {
        m.milestone.reference: m.result.rag for w in now.rating.workstreams for m in w.milestones
    }
    assert then_milestones == {"1.1.1": Rag.RED}
    assert now_milestones["1.1.1"] == Rag.COMPLETE and "1.1.2" in now_milestones
    assert then.top_risks[0].score == 16 and now.top_risks[0].score == 4
    assert then.as_of == changed_since.ends_on
    assert Milestone.objects.get(reference="1.1.1").status == "complete"  # nothing was changed


def test_the_page_is_clearly_marked_as_at(client, people, plan, changed_since):
    client.force_login(people["board"])
    url = reverse("programme_detail", args=[plan["programme"].pk])
    html = client.get(url, {"period": changed_since.pk}).content.decode()
    assert f"As at {changed_since.ends_on.day} {changed_since.ends_on:%B %Y}" in html
    assert "from the recorded history" in html
    timeline = client.get(
        reverse("programme_timeline", args=[plan["programme"].pk]), {"period": changed_since.pk}
    ).content.decode()
    assert "The plan as it stood at the end of" in timeline and "Added later" not in timeline


def test_the_portfolio_as_at_a_past_month(client, people, plan, changed_since):
    client.force_login(people["board"])
    html = client.get(
        reverse("portfolio"), {"as_at": LAST_MONTH.strftime("%Y-%m")}
    ).content.decode()
    assert "The portfolio as it stood at the end of" in html


def test_changes_saved_in_the_same_instant_give_one_object_as_at(plan):
    """The demo and bulk imports save several changes at one moment: the later one wins."""
    from programmes.snapshots import Snapshot

    instant = timezone.make_aware(datetime(2026, 5, 1, 9, 0))
    milestone = MilestoneFactory.build(workstream=plan["ws_1_1"], reference="1.1.9", title="First")
    milestone._history_date = instant
    milestone.save()
    milestone.title = "Second"
    milestone._history_date = instant
    milestone.save()
    then = list(Snapshot(instant + timedelta(hours=1)).rows(Milestone, workstream=plan["ws_1_1"]))
    assert [m.title for m in then] == ["Second"]


def test_the_programme_itself_is_read_as_it_stood(plan, changed_since):
    """The board's rating and the tolerances of a past period are those of the time."""
    programme = plan["programme"]
    programme.history.update(history_date=timezone.make_aware(datetime(2020, 1, 1)))
    programme.overall_rag, programme.risk_red_from = "red", 10
    programme.save()
    then = load_programme_data(programme, period=changed_since)
    assert (then.programme.overall_rag, then.programme.risk_red_from) == ("", 15)
    assert load_programme_data(programme).programme.overall_rag == "red"
