"""The plan workbook writes the programme's text as text: a name, note or title that starts
like a formula ("=", "+", "-", "@") is never a live formula in the file, a control character
never turns the download into a server error, and the workbook imports back as the same
text (issue 10, defect 4)."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from plans.export import export_plan, plan_rows
from plans.importer import import_plan
from programmes.models import Programme
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    MeasureFactory,
    MilestoneFactory,
    ProgrammeFactory,
    RiskFactory,
    WorkstreamFactory,
)

# Text a spreadsheet would run as a formula, as people really write it.
FORMULA_LIKE = {
    "equals": "=1+1",
    "plus": "+44 20 7946 0000 helpline",
    "minus": "-5 days behind the baseline",
    "at": "@team please review",
    "hyperlink": '=HYPERLINK("http://evil.example","Click")',
}
# Control characters that XML, and so an .xlsx file, cannot hold (a bell, an escape, a
# form feed): pasted from other systems, they made the whole export fail. Not NUL: the forms
# refuse it and PostgreSQL cannot store it, so no plan holds one.
CONTROL = "\x07\x1b\x0c"


def workbook_cells(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def without_control_characters(value):
    """What the workbook can carry: the control characters removed, all else the same."""
    if isinstance(value, str):
        return "".join(c for c in value if c not in CONTROL)
    if isinstance(value, list):
        return [without_control_characters(v) for v in value]
    if isinstance(value, dict):
        return {key: without_control_characters(v) for key, v in value.items()}
    return value


@pytest.fixture
def risky_programme(db):
    """A programme whose names, notes and titles start like formulas and hold control
    characters."""
    programme = ProgrammeFactory(
        reference="RISKY", name=FORMULA_LIKE["equals"] + " programme" + CONTROL
    )
    area = AreaFactory(
        programme=programme,
        reference="1",
        name=FORMULA_LIKE["equals"],
        aim=FORMULA_LIKE["at"] + CONTROL,
        interdependencies=FORMULA_LIKE["hyperlink"],
    )
    workstream = WorkstreamFactory(
        area=area,
        reference="1.1",
        name=FORMULA_LIKE["plus"],
        outcomes="Fewer\x07 delays",
        funding_notes=FORMULA_LIKE["minus"] + CONTROL,
    )
    MilestoneFactory(
        workstream=workstream,
        reference="1.1.1",
        title="=SUM(1)\x07",
        description=FORMULA_LIKE["at"] + "\x1b and \x0c more",
        forum=FORMULA_LIKE["minus"],
        baseline_date=date(2026, 10, 15),
    )
    MeasureFactory(workstream=workstream, reference="M1", title=FORMULA_LIKE["plus"])
    RiskFactory(
        programme=programme,
        reference="R1",
        title=FORMULA_LIKE["minus"],
        cause=FORMULA_LIKE["hyperlink"],
        event="@risk\x07 event",
        effect=FORMULA_LIKE["equals"],
    )
    BudgetLineFactory(
        workstream=workstream,
        financial_year=2026,
        description=FORMULA_LIKE["at"],
        variance_explanation=FORMULA_LIKE["equals"] + CONTROL,
    )
    return programme


def test_the_export_page_gives_the_workbook_even_when_text_holds_control_characters(
    client, risky_programme, django_user_model
):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)

    response = client.get(reverse("export_plan", args=[risky_programme.pk]))

    assert response.status_code == 200
    cells = workbook_cells(response.content)
    assert not any(isinstance(cell.value, str) and set(cell.value) & set(CONTROL) for cell in cells)


def test_no_cell_of_the_exported_plan_is_a_formula(risky_programme):
    cells = workbook_cells(export_plan(risky_programme))

    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    # Written as the text the user typed: no apostrophe or other prefix added.
    assert set(FORMULA_LIKE.values()) <= texts
    assert "=SUM(1)" in texts
    assert "=1+1 programme" in " ".join(texts)


def test_the_exported_plan_imports_into_a_fresh_programme_as_the_same_text(risky_programme):
    copy = Programme.objects.create(
        organisation=risky_programme.organisation,
        reference="RISKY-COPY",
        name="Copy",
        starts_on=risky_programme.starts_on,
        ends_on=risky_programme.ends_on,
    )

    result = import_plan(copy, export_plan(risky_programme), check_permission=False)

    assert result.is_ok, result.problems
    # The same text, except the control characters, which a workbook cannot carry.
    expected = without_control_characters(plan_rows(risky_programme))
    actual = plan_rows(copy)
    for sheet, rows in expected.items():
        assert actual[sheet] == rows, sheet
    assert actual["Milestones"][0]["title"] == "=SUM(1)"
    assert actual["Areas"][0]["aim"] == FORMULA_LIKE["at"]
    assert actual["Milestones"][0]["description"] == FORMULA_LIKE["at"] + " and  more"


def test_importing_its_own_export_changes_nothing(risky_programme):
    cleaned = import_plan(risky_programme, export_plan(risky_programme), check_permission=False)
    assert cleaned.is_ok, cleaned.problems

    again = import_plan(risky_programme, export_plan(risky_programme), check_permission=False)

    assert again.is_ok, again.problems
    assert (again.created, again.changed) == (0, 0)


def test_the_list_exports_and_the_plan_export_write_the_same_cell_for_the_same_text(
    client, risky_programme, django_user_model
):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)
    url = reverse("milestone_list", args=[risky_programme.pk])
    list_sheet = openpyxl.load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active
    list_cells = {cell.value: cell.data_type for row in list_sheet.iter_rows() for cell in row}
    plan_cells = {
        cell.value: cell.data_type for cell in workbook_cells(export_plan(risky_programme))
    }

    # The title is "=SUM(1)" and a bell: both downloads hold the text, as text, without it.
    assert list_cells.get("=SUM(1)") == plan_cells.get("=SUM(1)") == "s"
