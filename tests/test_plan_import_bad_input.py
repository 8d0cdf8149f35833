"""Bad plan workbooks: each gets a clear message naming the sheet, row and column, and nothing
is imported."""

import zipfile
from io import BytesIO

import pytest

from plans.importer import import_plan
from plans.read import MAX_FILE_BYTES
from programmes.choices import Role
from programmes.models import Person, ProgrammeArea
from risks.models import Risk
from tests.factories import ProgrammeFactory, UserFactory, grant
from tests.plan_workbooks import (
    area,
    edit_workbook,
    make_workbook,
    milestone,
    risk,
    small_plan,
    workstream,
)
from workstreams.models import Milestone, Workstream


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


@pytest.fixture
def office(programme):
    user = UserFactory()
    grant(user, Role.PROGRAMME_OFFICE, programme=programme)
    return user


def refused(programme, office, data) -> list[str]:
    """The problems of an import that must write nothing."""
    people = Person.objects.count()
    result = import_plan(programme, data, by=office)
    assert not result.is_ok
    assert ProgrammeArea.objects.count() == 0
    assert Workstream.objects.count() == 0
    assert Milestone.objects.count() == 0
    assert Risk.objects.count() == 0
    assert Person.objects.count() == people
    return [str(problem) for problem in result.problems]


def test_a_file_that_is_not_an_xlsx_workbook(programme, office):
    for data in (
        b"Ref,Workstream\n1.1,Day Opportunities\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    ):
        assert refused(programme, office, data) == [
            "The file is not an Excel workbook (.xlsx). In Excel, use File > Save As and choose "
            "'Excel Workbook (.xlsx)', then upload that file"
        ]


def test_a_zip_that_is_not_a_workbook(programme, office):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    problems = refused(programme, office, buffer.getvalue())

    assert problems[0].startswith("The file is not an Excel workbook (.xlsx)")


def test_a_50_mb_file(programme, office):
    data = make_workbook(small_plan()) + b"\0" * (50 * 1024 * 1024)

    problems = refused(programme, office, data)

    assert len(data) > MAX_FILE_BYTES
    assert problems == [
        "The file is 50.0 MB; the largest plan we accept is 10 MB. Remove other sheets or "
        "pictures and try again"
    ]


def test_a_workbook_missing_a_sheet(programme, office):
    problems = refused(programme, office, make_workbook(small_plan(), leave_out=("Risks",)))

    assert problems == [
        "The workbook has no 'Risks' sheet. Every plan workbook has the sheets Areas, "
        "Workstreams, Milestones, Measures, Targets, Risks, Budget (they may be empty): start "
        "from the template"
    ]


def test_a_workbook_missing_a_required_column(programme, office):
    def drop_due_and_title(workbook):
        workbook["Milestones"].delete_cols(3)  # Action milestone

    problems = refused(
        programme, office, edit_workbook(make_workbook(small_plan()), drop_due_and_title)
    )

    assert problems == [
        "Milestones: there is no 'Action milestone' column. Add it to the first row"
    ]


def test_formulas_are_refused_cell_by_cell(programme, office):
    def add_formula(workbook):
        workbook["Milestones"]["C2"] = "=UPPER(B2)"

    problems = refused(programme, office, edit_workbook(make_workbook(small_plan()), add_formula))

    assert problems == [
        "Milestones row 2, Action milestone: holds a formula (=UPPER(B2)). Type the value instead"
    ]


def test_merged_cells_are_refused(programme, office):
    plan = small_plan(Milestones=[milestone(Ref="1.1.2", Due="Oct 26")])

    def merge(workbook):
        workbook["Milestones"].merge_cells("A2:A3")

    problems = refused(programme, office, edit_workbook(make_workbook(plan), merge))

    assert (
        problems[0]
        == "Milestones row 2: cells A2:A3 are merged. Unmerge them and fill in each cell"
    )


def test_a_reference_used_twice(programme, office):
    plan = {
        "Areas": [area()],
        "Workstreams": [workstream(), workstream(Workstream="Another")],
    }

    problems = refused(programme, office, make_workbook(plan))

    assert problems == [
        "Workstreams row 3, Ref: Ref '1.1' is used twice (rows 2 and 3). Each must be unique"
    ]


def test_a_milestone_reference_used_twice_in_one_workstream(programme, office):
    plan = small_plan(Milestones=[milestone(Due="Oct 26", **{"Action milestone": "Other"})])

    problems = refused(programme, office, make_workbook(plan))

    assert problems == [
        "Milestones row 3, Ref: Ref '1.1.1' in workstream 1.1 is used twice (rows 2 and 3). "
        "Each must be unique"
    ]


def test_the_same_milestone_reference_in_two_workstreams_is_allowed(programme, office):
    plan = small_plan(
        Workstreams=[workstream(Ref="1.2", Workstream="Another")],
        Milestones=[milestone(Workstream="1.2", Due="Oct 26")],
    )

    result = import_plan(programme, make_workbook(plan), by=office)

    assert result.is_ok, [str(problem) for problem in result.problems]
    assert sorted(Milestone.objects.values_list("workstream__reference", "reference")) == [
        ("1.1", "1.1.1"),
        ("1.2", "1.1.1"),
    ]


def test_a_lead_who_is_not_a_known_person(programme, office):
    plan = small_plan(Workstreams=[]) | {
        "Workstreams": [workstream(**{"Responsible lead": "Jo Bloggs"})]
    }

    problems = refused(programme, office, make_workbook(plan))

    assert problems == [
        f"'Jo Bloggs' is not a known person in {programme.organisation.name} (Workstreams row 2, "
        "Responsible lead). Check the spelling, or choose to add them"
    ]


def test_dates_that_do_not_exist_and_cells_of_the_wrong_kind(programme, office):
    plan = {
        "Areas": [area()],
        "Workstreams": [workstream()],
        "Milestones": [milestone(Due="31/02/2025", Kind="Urgent", **{"At risk": "Maybe"})],
        "Risks": [risk(**{"Probability (1-5)": 7, "Date raised": "Sept 08"})],
        "Budget": [
            {
                "Workstream": "1.1",
                "Financial year": "2025",
                "Description": "Staff",
                "Allocated (£)": "lots",
            }
        ],
    }

    problems = refused(programme, office, make_workbook(plan))

    assert problems == [
        "Milestones row 2, Kind: 'Urgent' is not one of: Milestone, Key decision, Deliverable",
        "Milestones row 2, Due: '31/02/2025' is not a date. Write a day (15/09/2025) or a month (Sep 2025)",
        "Milestones row 2, At risk: 'Maybe' is not Yes or No",
        "Risks row 2, Date raised: 'Sept 08' is a month: give a day, such as 15/09/2008",
        "Risks row 2, Probability (1-5): '7' is not a whole number from 1 to 5",
        "Budget row 2, Financial year: '2025' is not a financial year (write it as 2008/09)",
        "Budget row 2, Allocated (£): 'lots' is not a number",
    ]


def test_a_required_cell_left_empty(programme, office):
    plan = {"Areas": [area(**{"Programme area": None})]}

    assert refused(programme, office, make_workbook(plan)) == [
        "Areas row 2, Programme area: is empty. It is required"
    ]


def test_a_milestone_of_a_workstream_that_does_not_exist(programme, office):
    plan = small_plan(Milestones=[milestone(Workstream="9.9", Ref="9.9.1")])

    assert refused(programme, office, make_workbook(plan)) == [
        "Milestones row 3, Workstream: there is no workstream '9.9'"
    ]
