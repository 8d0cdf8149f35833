"""Building plan workbooks for tests, the way a user would fill one in: every sheet with its
header row, and rows given as {column header: cell value}."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook

from plans.format import PLAN_SHEETS


def make_workbook(rows: dict[str, list[dict]] | None = None, *, leave_out=()) -> bytes:
    """A workbook with every plan sheet (except those left out), the full header row of each,
    and the rows given."""
    rows = rows or {}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in PLAN_SHEETS:
        if sheet.title in leave_out:
            continue
        worksheet = workbook.create_sheet(sheet.title)
        headers = [column.header for column in sheet.columns]
        worksheet.append(headers)
        for row in rows.get(sheet.title, []):
            unknown = set(row) - set(headers)
            assert not unknown, f"no such column on {sheet.title}: {unknown}"
            worksheet.append([row.get(header) for header in headers])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def edit_workbook(data: bytes, change) -> bytes:
    """The workbook after `change(workbook)`, as Excel would save it."""
    workbook = load_workbook(BytesIO(data))
    change(workbook)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def area(**cells) -> dict:
    return {"Ref": "1", "Programme area": "Community Services"} | cells


def workstream(**cells) -> dict:
    return {"Ref": "1.1", "Programme area": "1", "Workstream": "Day Opportunities"} | cells


def milestone(**cells) -> dict:
    return {
        "Workstream": "1.1",
        "Ref": "1.1.1",
        "Action milestone": "Staff consultation meetings",
    } | cells


def risk(**cells) -> dict:
    return {
        "Risk ID": "R1",
        "Title": "Care staff shortage",
        "Description": "Providers cannot recruit enough care staff",
        "Category": "Workforce",
        "Probability (1-5)": 3,
        "Impact (1-5)": 4,
    } | cells


def small_plan(**extra_rows) -> dict[str, list[dict]]:
    """One area, one workstream, one milestone: the smallest plan worth importing."""
    plan = {
        "Areas": [area()],
        "Workstreams": [workstream()],
        "Milestones": [milestone(Due="Sept 26")],
    }
    for sheet, rows in extra_rows.items():
        plan[sheet] = plan.get(sheet, []) + rows
    return plan
