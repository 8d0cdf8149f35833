"""Importing a plan workbook: all or nothing, matched on references, idempotent, with a dry
run that writes nothing and the same rules as the pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from plans.importer import import_plan
from programmes.choices import DatePrecision, Role
from programmes.models import Person, ProgrammeArea
from risks.models import Risk
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from tests.plan_workbooks import area, make_workbook, milestone, risk, small_plan, workstream
from workstreams.models import (
    BaselineChange,
    BudgetLine,
    Measure,
    MeasureTarget,
    Milestone,
    Workstream,
)


@pytest.fixture
def programme(db):
    return ProgrammeFactory(reference="HARROW-TPP")


@pytest.fixture
def office(programme):
    user = UserFactory(username="office")
    grant(user, Role.PROGRAMME_OFFICE, programme=programme)
    return user


def counts(programme) -> dict:
    return {
        "areas": ProgrammeArea.objects.filter(programme=programme).count(),
        "workstreams": Workstream.objects.filter(programme=programme).count(),
        "milestones": Milestone.objects.filter(workstream__programme=programme).count(),
        "risks": Risk.objects.filter(programme=programme).count(),
        "people": Person.objects.count(),
        "milestone history": Milestone.history.count(),
    }


def test_a_plan_is_imported_with_month_only_dates_read_as_plans_write_them(programme, office):
    plan = small_plan(
        Milestones=[
            milestone(Ref="1.1.2", **{"Action milestone": "Policy signed off"}, Due="April 2010")
        ]
    )

    result = import_plan(programme, make_workbook(plan), by=office)

    assert result.is_ok, result.problems
    assert result.created == 4
    first = Milestone.objects.get(reference="1.1.1")
    assert (first.baseline_date, first.baseline_precision) == (
        date(2026, 9, 30),
        DatePrecision.MONTH,
    )
    second = Milestone.objects.get(reference="1.1.2")
    assert (second.baseline_date, second.baseline_precision) == (
        date(2010, 4, 30),
        DatePrecision.MONTH,
    )
    assert [m.reference for m in Milestone.objects.order_by("position")] == ["1.1.1", "1.1.2"]
    assert Workstream.objects.get().area.name == "Community Services"


def test_importing_the_same_file_twice_changes_nothing(programme, office):
    data = make_workbook(
        small_plan(
            Risks=[risk()],
            Measures=[
                {"Workstream": "1.1", "Ref": "NI 141", "Outcome measure": "Helped to live at home"}
            ],
            Targets=[
                {
                    "Workstream": "1.1",
                    "Measure": "NI 141",
                    "Financial year": "2026/27",
                    "Target": 110,
                }
            ],
            Budget=[
                {
                    "Workstream": "1.1",
                    "Financial year": "2026/27",
                    "Description": "Staffing",
                    "Allocated (£)": 50000,
                }
            ],
        )
    )
    assert import_plan(programme, data, by=office).created == 7
    before = counts(programme)

    again = import_plan(programme, data, by=office)

    assert again.is_ok
    assert (again.created, again.changed) == (0, 0)
    assert sum(sheet.unchanged for sheet in again.sheets) == 7
    assert counts(programme) == before


def test_a_dry_run_reports_what_would_change_and_writes_nothing(programme, office):
    MilestoneFactory(
        workstream=WorkstreamFactory(
            area=AreaFactory(programme=programme, reference="1"), reference="1.1"
        ),
        reference="1.1.1",
        title="Old title",
        baseline_date=date(2026, 9, 30),
        baseline_precision=DatePrecision.MONTH,
    )
    before = counts(programme)

    result = import_plan(programme, make_workbook(small_plan()), by=office, dry_run=True)

    assert result.is_ok and result.dry_run
    milestones = next(sheet for sheet in result.sheets if sheet.title == "Milestones")
    assert milestones.changed == [("1.1 / 1.1.1 Staff consultation meetings", ["Action milestone"])]
    areas = next(sheet for sheet in result.sheets if sheet.title == "Areas")
    assert areas.changed == [("1 Community Services", ["Programme area"])]
    assert counts(programme) == before
    assert Milestone.objects.get().title == "Old title"


def test_only_what_differs_is_changed_and_recorded_in_the_history(programme, office):
    import_plan(programme, make_workbook(small_plan()), by=office)
    history_before = Milestone.history.count()

    result = import_plan(
        programme,
        make_workbook(
            small_plan(Milestones=[])
            | {"Milestones": [milestone(Due="Sept 26", Status="In progress")]}
        ),
        by=office,
    )

    assert result.changed == 1
    assert Milestone.objects.get().status == "in_progress"
    assert Milestone.history.count() == history_before + 1
    latest = Milestone.history.latest("history_date")
    assert latest.history_user == office
    assert latest.history_change_reason == "Plan import"


def test_nothing_in_the_programme_is_deleted_by_a_file_that_leaves_it_out(programme, office):
    import_plan(
        programme,
        make_workbook(small_plan(Milestones=[milestone(Ref="1.1.2", Due="Oct 26")])),
        by=office,
    )

    result = import_plan(programme, make_workbook(small_plan()), by=office)

    assert Milestone.objects.count() == 2
    milestones = next(sheet for sheet in result.sheets if sheet.title == "Milestones")
    assert milestones.not_in_file == 1


def test_moving_a_due_date_re_baselines_and_needs_a_reason(programme, office):
    import_plan(programme, make_workbook(small_plan()), by=office)
    moved = make_workbook(
        {"Areas": [area()], "Workstreams": [workstream()], "Milestones": [milestone(Due="Dec 26")]}
    )

    dry_run = import_plan(programme, moved, by=office, dry_run=True)
    refused = import_plan(programme, moved, by=office)
    done = import_plan(
        programme, moved, by=office, rebaseline_reason="Consultation extended by Cabinet"
    )

    assert dry_run.is_ok and dry_run.rebaselined == ["1.1 / 1.1.1 Staff consultation meetings"]
    assert [str(p) for p in refused.problems] == [
        "Milestones: The file moves the due date (baseline) of 1 milestones: give the reason for re-baselining"
    ]
    assert done.is_ok
    change = BaselineChange.objects.get()
    assert (change.previous_date, change.new_date) == (date(2026, 9, 30), date(2026, 12, 31))
    assert change.reason == "Consultation extended by Cabinet"
    assert change.changed_by == office


def test_a_lead_who_is_not_known_is_offered_in_the_dry_run_and_added_only_when_asked(
    programme, office
):
    data = make_workbook(
        {"Areas": [area()], "Workstreams": [workstream(**{"Responsible lead": "Keith Holmes"})]}
    )
    people_before = Person.objects.count()

    dry_run = import_plan(programme, data, by=office, dry_run=True)
    refused = import_plan(programme, data, by=office)

    assert dry_run.is_ok and dry_run.new_people == ["Keith Holmes"]
    assert not refused.is_ok
    assert "'Keith Holmes' is not a known person" in str(refused.problems[0])
    assert "Workstreams row 2, Responsible lead" in str(refused.problems[0])
    assert Person.objects.count() == people_before
    assert Workstream.objects.count() == 0

    done = import_plan(programme, data, by=office, create_people=True)

    assert done.is_ok
    lead = Workstream.objects.get().lead
    assert (lead.name, lead.organisation) == ("Keith Holmes", programme.organisation)


def test_known_people_are_matched_whatever_the_spacing_and_case(programme, office):
    known = PersonFactory(organisation=programme.organisation, name="Vince O'Toole")
    data = make_workbook({"Areas": [area(Sponsor="  vince   o'toole ")]})

    result = import_plan(programme, data, by=office)

    assert result.is_ok and not result.new_people
    assert ProgrammeArea.objects.get().sponsor == known


def test_targets_budget_lines_and_dependencies_are_imported(programme, office):
    plan = small_plan(
        Workstreams=[workstream(Ref="1.2", Workstream="Involving users", **{"Depends on": "1.1"})],
        Milestones=[milestone(Ref="1.1.2", Due="Oct 26", **{"Depends on": "1.1.1"})],
        Measures=[
            {
                "Workstream": "1.1",
                "Ref": "NI 141",
                "Outcome measure": "Helped to live at home",
                "Unit": "Percentage",
                "Direction": "Higher is better",
                "Baseline": 100,
            }
        ],
        Targets=[
            {"Workstream": "1.1", "Measure": "NI 141", "Financial year": "2026/27", "Target": 110},
            {"Workstream": "1.1", "Measure": "NI 141", "By": "March 2028", "Target": "121.5"},
        ],
        Budget=[
            {
                "Workstream": "1.1",
                "Financial year": "2026/27",
                "Description": "Staffing",
                "Allocated (£)": "£50,000",
                "Spent (£)": 1250.5,
                "Forecast outturn (£)": 48000,
            }
        ],
    )

    result = import_plan(programme, make_workbook(plan), by=office)

    assert result.is_ok, result.problems
    measure = Measure.objects.get()
    assert (measure.unit, measure.baseline_value) == ("percent", Decimal("100"))
    targets = {(t.financial_year, t.due_date): t.value for t in MeasureTarget.objects.all()}
    assert targets == {(2026, None): Decimal("110"), (None, date(2028, 3, 31)): Decimal("121.5")}
    line = BudgetLine.objects.get()
    assert (line.financial_year, line.allocated, line.spent) == (
        2026,
        Decimal("50000"),
        Decimal("1250.50"),
    )
    assert [w.reference for w in Workstream.objects.get(reference="1.2").depends_on.all()] == [
        "1.1"
    ]
    assert [m.reference for m in Milestone.objects.get(reference="1.1.2").depends_on.all()] == [
        "1.1.1"
    ]


def test_a_risk_log_rag_that_disagrees_with_the_score_is_refused(programme, office):
    data = make_workbook(
        {
            "Risks": [
                risk(**{"Probability (1-5)": 4, "Impact (1-5)": 4, "Score": 16, "RAG": "Green"})
            ]
        }
    )

    result = import_plan(programme, data, by=office)

    assert [str(p) for p in result.problems] == [
        "Risks row 2, RAG: 'Green' does not match the score 16, which is Red in this programme "
        "(Amber from 5, Red from 15). Correct it, or leave it blank"
    ]
    assert Risk.objects.count() == 0


def test_a_risk_takes_its_area_from_its_workstream_and_a_wrong_pair_is_refused(programme, office):
    plan = small_plan(Areas=[area(Ref="2", **{"Programme area": "Accommodation"})])

    good = import_plan(
        programme, make_workbook(plan | {"Risks": [risk(Workstream="1.1")]}), by=office
    )
    bad = import_plan(
        programme,
        make_workbook(
            plan
            | {"Risks": [risk(**{"Risk ID": "R2", "Programme area": "2", "Workstream": "1.1"})]}
        ),
        by=office,
    )

    assert good.is_ok
    assert Risk.objects.get().area.reference == "1"
    assert [str(p) for p in bad.problems] == [
        "Risks row 2, Workstream: workstream 1.1 is in programme area 1, not 2"
    ]


def test_milestone_rules_are_the_pages_rules(programme, office):
    data = make_workbook(
        small_plan(Milestones=[milestone(Ref="1.1.2", Due="Oct 26", Status="Complete")])
    )

    result = import_plan(programme, data, by=office)

    assert [str(p) for p in result.problems] == [
        "Milestones row 3, Completed on: Enter the date it was completed"
    ]
    assert Milestone.objects.count() == 0


def test_only_the_programme_office_may_import(programme, office):
    manager = UserFactory()
    grant(manager, Role.PROJECT_MANAGER, area=AreaFactory(programme=programme))
    outsider = UserFactory()
    data = make_workbook(small_plan())

    with pytest.raises(PermissionDenied):
        import_plan(programme, data, by=manager)
    with pytest.raises(Http404):
        import_plan(programme, data, by=outsider)
    assert Milestone.objects.count() == 0
