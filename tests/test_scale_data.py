"""`generate_scale_data`: a synthetic data set of the size asked for, in flight today, with
natural references, memberships for the plan's people, and a history that says what was true
at the end of past periods; refused a second time unless --replace."""

from datetime import date, datetime, time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from plans.scale_data import ScaleSize, generate_scale_data, scale_programmes
from programmes.choices import MembershipSource, Rag, Role
from programmes.dates import FinancialYear, add_months, month_end, month_start
from programmes.models import Membership, Objective, Organisation, Programme, ProgrammeArea
from programmes.references import reference_sort_key
from risks.models import Decision, Risk
from tests.factories import ProgrammeFactory
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    MilestoneKind,
    StatusUpdate,
    Workstream,
)

TODAY = date(2026, 6, 15)
TINY = ScaleSize(programmes=2, workstreams=3, milestones=4, risks=12, measures=2, months=6)
TINY_OPTIONS = [
    "--programmes=2",
    "--workstreams=3",
    "--milestones=4",
    "--risks=5",
    "--measures=2",
    "--months=6",
]


@pytest.fixture
def tiny(db):
    return generate_scale_data(TINY, seed=1, today=TODAY)


def end_of(month: date):
    return timezone.make_aware(datetime.combine(month_end(month), time(23, 59)))


def test_it_makes_what_was_asked_for(tiny):
    programmes = scale_programmes("SCALE")
    assert programmes.count() == 2
    first = programmes.get(reference="SCALE-1")
    # In flight today: started two thirds of its six months ago.
    assert first.starts_on == add_months(month_start(TODAY), -4)
    assert first.starts_on < TODAY < first.ends_on
    years = len(
        {FinancialYear.containing(month).start_year for month in (first.starts_on, first.ends_on)}
    )

    assert ProgrammeArea.objects.filter(programme__in=programmes).count() == 2 * 3
    assert Workstream.objects.filter(programme__in=programmes).count() == 2 * 3
    assert Milestone.objects.filter(workstream__programme__in=programmes).count() == 2 * 3 * 4
    assert Risk.objects.filter(programme__in=programmes).count() == 2 * 12
    measures = Measure.objects.filter(workstream__programme__in=programmes)
    assert measures.count() == 2 * 2
    assert MeasureTarget.objects.filter(measure__in=measures).count() == 2 * 2 * years
    assert MeasureReading.objects.filter(measure__in=measures).count() == 2 * 2 * 6
    # Periods from the start to this month; updates for every workstream in each closed one.
    assert first.reporting_periods.count() == 5
    assert StatusUpdate.objects.filter(workstream__programme__in=programmes).count() == 6 * 4
    assert BudgetLine.objects.filter(workstream__programme__in=programmes).count() == 6 * years
    assert first.board_meetings.count() == 6
    key_decisions = Milestone.objects.filter(
        workstream__programme__in=programmes, kind=MilestoneKind.KEY_DECISION
    )
    assert Decision.objects.filter(milestone__in=key_decisions).count() == key_decisions.count()

    assert tiny.counts["milestones"] == 24
    assert tiny.counts["status_updates"] == 24
    assert tiny.line().startswith("Created 2 programmes, 6 programme areas, 6 workstreams")


def test_ratings_and_scores_follow_the_rules(tiny):
    for update in StatusUpdate.objects.filter(rag__in=[Rag.AMBER, Rag.RED]):
        assert update.reason
    for risk in Risk.objects.all():
        assert risk.inherent_score >= risk.current_score
        assert 1 <= risk.current_likelihood <= 5 and 1 <= risk.current_impact <= 5
        if risk.status == "closed":
            assert risk.closing_reason


def test_references_get_their_sort_keys_and_sort_naturally(tiny):
    programme = Programme.objects.get(reference="SCALE-1")
    risks = list(Risk.objects.filter(programme=programme).values_list("reference", flat=True))
    assert risks == [f"R{number}" for number in range(1, 13)]  # R2 before R10
    for model in (Programme, ProgrammeArea, Workstream, Milestone, Measure, Risk, Objective):
        for reference, sort_key in model.objects.values_list("reference", "sort_key"):
            assert sort_key == reference_sort_key(reference), (model.__name__, reference)


def test_history_says_what_was_true_at_the_end_of_a_past_period(tiny):
    milestones = Milestone.objects.filter(workstream__programme__in=scale_programmes("SCALE"))
    now = {m.pk: (m.status, m.forecast_date, m.actual_date) for m in milestones}
    two_months_ago = add_months(month_start(TODAY), -2)
    then = {
        m.id: (m.status, m.forecast_date, m.actual_date)
        for m in Milestone.history.as_of(end_of(two_months_ago)).filter(id__in=now)
    }
    assert set(then) == set(now)
    assert then != now
    completed_then = sum(status == "complete" for status, _, _ in then.values())
    completed_now = sum(status == "complete" for status, _, _ in now.values())
    assert completed_then < completed_now

    # Every record is dated when its change happened: from the plan's approval to today.
    programme = Programme.objects.get(reference="SCALE-1")
    dates = Milestone.history.filter(workstream__programme=programme).values_list(
        "history_date", flat=True
    )
    assert min(dates) == timezone.make_aware(datetime.combine(programme.starts_on, time(9)))
    assert max(dates) <= timezone.make_aware(datetime.combine(TODAY, time(23, 59)))
    assert Risk.history.filter(history_type="~").exists()


def test_leads_sponsors_and_project_managers_have_their_memberships(tiny):
    for workstream in Workstream.objects.filter(programme__in=scale_programmes("SCALE")):
        assert Membership.objects.filter(
            person=workstream.lead,
            role=Role.WORKSTREAM_LEAD,
            workstream=workstream,
            source=MembershipSource.PLAN,
        ).exists()
    for area in ProgrammeArea.objects.filter(programme__in=scale_programmes("SCALE")):
        for role, person in (
            (Role.SPONSOR, area.sponsor),
            (Role.PROJECT_MANAGER, area.project_manager),
        ):
            assert Membership.objects.filter(
                person=person, role=role, area=area, source=MembershipSource.PLAN
            ).exists()


def test_the_same_seed_makes_the_same_data(db):
    def plan():
        return list(
            Milestone.objects.order_by("workstream__programme__reference", "sort_key").values_list(
                "reference", "baseline_date", "forecast_date", "status"
            )
        )

    generate_scale_data(TINY, seed=7, today=TODAY)
    first = plan()
    generate_scale_data(TINY, seed=7, today=TODAY, replace=True)
    assert plan() == first
    generate_scale_data(TINY, seed=8, today=TODAY, replace=True)
    assert plan() != first


def test_a_second_run_is_refused_and_replace_starts_again(db, capsys):
    other = ProgrammeFactory(reference="SCALE-OTHER")
    call_command("generate_scale_data", *TINY_OPTIONS)
    assert "Created 2 programmes" in capsys.readouterr().out
    history_after_one_run = Milestone.history.count()

    with pytest.raises(CommandError, match="already there"):
        call_command("generate_scale_data", *TINY_OPTIONS)

    call_command("generate_scale_data", *TINY_OPTIONS, "--replace")
    assert scale_programmes("SCALE").count() == 2
    assert Organisation.objects.filter(slug__startswith="scale--").count() == 1
    assert Milestone.objects.count() == 2 * 3 * 4
    assert Milestone.history.count() == history_after_one_run  # no records left behind
    assert Programme.objects.filter(pk=other.pk).exists()  # not ours: left alone


def test_another_prefix_runs_beside_it(tiny):
    generate_scale_data(TINY, prefix="LOAD", today=TODAY)
    assert scale_programmes("SCALE").count() == 2
    assert scale_programmes("LOAD").count() == 2
