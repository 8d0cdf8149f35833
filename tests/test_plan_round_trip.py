"""A plan exported to Excel and imported into an empty programme is the same plan."""

from datetime import date
from decimal import Decimal

import pytest

from plans.export import export_plan, plan_rows
from plans.importer import import_plan
from programmes.choices import DatePrecision
from programmes.models import Objective, OutcomeCategory, Programme
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    MeasureFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    WorkstreamFactory,
)
from workstreams.models import Milestone


def empty_programme_beside(programme: Programme) -> Programme:
    return Programme.objects.create(
        organisation=programme.organisation,
        reference=f"{programme.reference}-COPY",
        name=f"{programme.name} (copy)",
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
    )


def assert_same_plan(original: Programme, copy: Programme) -> None:
    expected, actual = plan_rows(original), plan_rows(copy)
    for sheet, rows in expected.items():
        assert actual[sheet] == rows, sheet


@pytest.fixture
def harrow(demo):
    """The Harrow demo programme with its history."""
    return demo["HARROW-TPP"]


def test_the_harrow_plan_exports_and_imports_into_a_fresh_programme_unchanged(harrow):
    copy = empty_programme_beside(harrow)
    exported = plan_rows(harrow)
    assert len(exported["Workstreams"]) == 61 and len(exported["Milestones"]) > 300

    result = import_plan(copy, export_plan(harrow), check_permission=False)

    assert result.is_ok, result.problems[:5]
    assert not result.new_people
    assert_same_plan(harrow, copy)


def test_a_plan_using_every_column_survives_the_round_trip(db):
    programme = ProgrammeFactory(reference="CHESHIRE-EAST", risk_amber_from=6, risk_red_from=16)
    organisation = programme.organisation
    sponsor, manager, lead, partner = (
        PersonFactory(organisation=organisation, name=name)
        for name in (
            "Lorraine Butcher",
            "Ian Brown",
            "Peter Kirkham",
            "Harrow Association for Disabled People",
        )
    )
    objective = Objective.objects.create(
        organisation=organisation, level="service", reference="SCAR001", title="Choice"
    )
    area = AreaFactory(
        programme=programme,
        reference="1",
        name="Care",
        aim="Better care",
        sponsor=sponsor,
        project_manager=manager,
        time_tolerance_days=14,
        cost_tolerance_percent=Decimal("7.5"),
    )
    first = WorkstreamFactory(
        area=area,
        reference="1.10",
        name="Direct payments",
        lead=lead,
        objective=objective,
        outcomes="More choice",
        funding_notes="Grant",
    )
    first.supported_by.set([partner, manager])
    first.outcome_categories.set(OutcomeCategory.objects.all()[:2])
    second = WorkstreamFactory(area=area, reference="1.2", name="Reablement")
    second.depends_on.set([first])
    one = MilestoneFactory(
        workstream=first,
        reference="M1",
        title="Policy; signed off, by Cabinet",
        kind="key_decision",
        forum="Cabinet",
        owner=partner,
        start_date=date(2026, 4, 30),
        start_precision=DatePrecision.MONTH,
        baseline_date=date(2026, 10, 15),
        forecast_date=date(2026, 11, 30),
        forecast_precision=DatePrecision.MONTH,
        at_risk=True,
        status="in_progress",
        position=1,
    )
    done = MilestoneFactory(
        workstream=first,
        reference="M2",
        title="Consultation",
        status="complete",
        actual_date=date(2026, 9, 1),
        position=2,
    )
    same_ref = MilestoneFactory(
        workstream=second, reference="M1", title="Another M1", baseline_date=None, position=1
    )
    one.depends_on.set([done])
    same_ref.depends_on.set([one])
    measure = MeasureFactory(
        workstream=first,
        reference="NI 130",
        unit="percent",
        direction="lower",
        baseline_value=Decimal("12.50"),
        tolerance_percent=Decimal("5"),
        owner=lead,
    )
    MeasureTargetFactory(measure=measure, financial_year=2026, value=Decimal("10"))
    MeasureTargetFactory(
        measure=measure,
        financial_year=None,
        due_date=date(2027, 9, 30),
        due_precision=DatePrecision.MONTH,
        value=Decimal("8.25"),
    )
    BudgetLineFactory(
        workstream=first,
        financial_year=2026,
        description="Staffing",
        funding_source="Grant",
        allocated=Decimal("50000"),
        spent=Decimal("1250.50"),
        forecast=Decimal("51000"),
        variance_explanation="Agency cover",
    )
    RiskFactory(
        programme=programme,
        reference="CF6 - 001",
        area=area,
        workstream=first,
        kind="opportunity",
        category="financial",
        owner=sponsor,
        cause="Cause",
        effect="Effect",
        inherent_likelihood=4,
        inherent_impact=4,
        current_likelihood=2,
        current_impact=4,
        target_likelihood=1,
        target_impact=2,
        proximity=date(2027, 1, 31),
        response="exploit",
        review_date=date(2026, 12, 1),
        escalated=True,
    )
    RiskFactory(programme=programme, reference="R2", status="closed", closing_reason="Passed")
    copy = empty_programme_beside(programme)
    copy.risk_amber_from, copy.risk_red_from = 6, 16
    copy.save()

    result = import_plan(copy, export_plan(programme), check_permission=False)

    assert result.is_ok, result.problems
    assert_same_plan(programme, copy)
    dependency = Milestone.objects.get(workstream__programme=copy, workstream__reference="1.2")
    assert [(m.workstream.reference, m.reference) for m in dependency.depends_on.all()] == [
        ("1.10", "M1")
    ]


def test_importing_its_own_export_changes_nothing(harrow):
    result = import_plan(harrow, export_plan(harrow), check_permission=False)

    assert result.is_ok
    assert (result.created, result.changed, result.new_people) == (0, 0, [])
