"""A programme's plan as an Excel workbook (issue 7), and the blank template.

`plan_rows` reads the plan into plain rows, sheet by sheet, in the values the import reads
back (so a plan exported and imported again compares equal row for row); `write_workbook`
lays rows out in the format of `plans.format`, with an instructions sheet, frozen
headers, hints and drop-downs. Every value goes into its cell through the list exports'
`write_cell`: text stays text, never a formula, and loses only the control characters a
workbook cannot hold. The blank template is the same workbook with one example row
per sheet.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from plans.format import (
    INSTRUCTIONS_TITLE,
    PLAN_SHEETS,
    Column,
    Kind,
    Sheet,
)
from programmes.dates import FinancialYear, PlanDate
from programmes.exports import spreadsheet_text, write_cell
from programmes.models import Programme, ProgrammeArea
from programmes.references import natural_sorted
from risks.models import Risk
from workstreams.models import BudgetLine, Measure, MeasureTarget, Milestone, Workstream

Row = dict[str, object]

HEADER_FILL = PatternFill("solid", fgColor="0B0C0C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
EXAMPLE_FONT = Font(italic=True, color="505A5F")
EXAMPLE_FILL = PatternFill("solid", fgColor="F3F2F1")
DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
# Rows a drop-down and a hint cover below the header: far more than any plan has.
VALIDATED_ROWS = 5000


def _name(person) -> str:
    return person.name if person is not None else ""


def _plan_date(value: date | None, precision: str) -> PlanDate | None:
    return PlanDate.from_fields(value, precision)


def _milestone_reference_labels(milestones: list[Milestone]) -> dict[int, str]:
    """How a milestone is named in a "Depends on" cell: its Ref, or "workstream/Ref" when
    two workstreams use the same Ref."""
    counts: dict[str, int] = {}
    for milestone in milestones:
        counts[milestone.reference] = counts.get(milestone.reference, 0) + 1
    return {
        milestone.pk: milestone.reference
        if counts[milestone.reference] == 1
        else f"{milestone.workstream.reference}/{milestone.reference}"
        for milestone in milestones
    }


def plan_rows(programme: Programme) -> dict[str, list[Row]]:
    """The programme's plan as rows per sheet, in the workbook's order: a fixed number of
    queries whatever its size."""
    areas = list(
        ProgrammeArea.objects.filter(programme=programme)
        .select_related("sponsor", "project_manager")
        .prefetch_related("documents")
        .order_by("position", "sort_key")
    )
    workstreams = list(
        Workstream.objects.filter(programme=programme)
        .select_related("area", "lead", "objective")
        .prefetch_related("supported_by", "outcome_categories", "depends_on")
        .order_by("sort_key")
    )
    milestones = list(
        Milestone.objects.filter(workstream__programme=programme)
        .select_related("workstream", "owner")
        .prefetch_related(Prefetch("depends_on", queryset=Milestone.objects.only("pk")))
        .order_by("workstream__sort_key", "position", "sort_key")
    )
    measures = list(
        Measure.objects.filter(workstream__programme=programme)
        .select_related("workstream", "owner")
        .order_by("workstream__sort_key", "sort_key")
    )
    targets = list(
        MeasureTarget.objects.filter(measure__workstream__programme=programme)
        .select_related("measure__workstream")
        .order_by(
            "measure__workstream__sort_key", "measure__sort_key", "financial_year", "due_date"
        )
    )
    risks = list(
        Risk.objects.filter(programme=programme)
        .select_related("area", "workstream", "owner")
        .order_by("sort_key")
    )
    budget = list(
        BudgetLine.objects.filter(workstream__programme=programme)
        .select_related("workstream")
        .order_by("workstream__sort_key", "financial_year", "description")
    )
    milestone_labels = _milestone_reference_labels(milestones)

    return {
        "Areas": [
            {
                "reference": area.reference,
                "name": area.name,
                "aim": area.aim,
                "sponsor": _name(area.sponsor),
                "project_manager": _name(area.project_manager),
                "interdependencies": area.interdependencies,
                "key_documents": area.key_documents_text,
                "time_tolerance_days": area.time_tolerance_days,
                "cost_tolerance_percent": area.cost_tolerance_percent,
                "benefit_tolerance_percent": area.benefit_tolerance_percent,
                "risk_tolerance_score": area.risk_tolerance_score,
            }
            for area in areas
        ],
        "Workstreams": [
            {
                "reference": workstream.reference,
                "area": workstream.area.reference,
                "name": workstream.name,
                "lead": _name(workstream.lead),
                "supported_by": sorted(person.name for person in workstream.supported_by.all()),
                "outcomes": workstream.outcomes,
                "outcome_categories": [
                    category.name
                    for category in sorted(
                        workstream.outcome_categories.all(), key=lambda c: (c.position, c.name)
                    )
                ],
                "objective": workstream.objective.reference if workstream.objective else "",
                "funding_notes": workstream.funding_notes,
                "depends_on": natural_sorted(
                    other.reference for other in workstream.depends_on.all()
                ),
            }
            for workstream in workstreams
        ],
        "Milestones": [
            {
                "workstream": milestone.workstream.reference,
                "reference": milestone.reference,
                "title": milestone.title,
                "description": milestone.description,
                "kind": milestone.kind,
                "forum": milestone.forum,
                "owner": _name(milestone.owner),
                "start": milestone.start,
                "baseline": milestone.baseline,
                "forecast": milestone.forecast,
                "actual_date": milestone.actual_date,
                "status": milestone.status,
                "at_risk": milestone.at_risk,
                "depends_on": natural_sorted(
                    milestone_labels[other.pk] for other in milestone.depends_on.all()
                ),
            }
            for milestone in milestones
        ],
        "Measures": [
            {
                "workstream": measure.workstream.reference,
                "reference": measure.reference,
                "title": measure.title,
                "unit": measure.unit,
                "direction": measure.direction,
                "baseline_value": measure.baseline_value,
                "tolerance_percent": measure.tolerance_percent,
                "owner": _name(measure.owner),
            }
            for measure in measures
        ],
        "Targets": [
            {
                "workstream": target.measure.workstream.reference,
                "measure": target.measure.reference,
                "financial_year": (
                    FinancialYear(target.financial_year)
                    if target.financial_year is not None
                    else None
                ),
                "due": _plan_date(target.due_date, target.due_precision),
                "value": target.value,
            }
            for target in targets
        ],
        "Risks": [
            {
                "reference": risk.reference,
                "title": risk.title,
                "area": risk.area.reference if risk.area else "",
                "workstream": risk.workstream.reference if risk.workstream else "",
                "cause": risk.cause,
                "event": risk.event,
                "effect": risk.effect,
                "kind": risk.kind,
                "category": risk.category,
                "owner": _name(risk.owner),
                "raised_on": risk.raised_on,
                "inherent_likelihood": risk.inherent_likelihood,
                "inherent_impact": risk.inherent_impact,
                "current_likelihood": risk.current_likelihood,
                "current_impact": risk.current_impact,
                "score": risk.current_score,
                "rag": programme.risk_band(risk.current_score).value,
                "target_likelihood": risk.target_likelihood,
                "target_impact": risk.target_impact,
                "proximity": risk.proximity,
                "response": risk.response,
                "review_date": risk.review_date,
                "status": risk.status,
                "closing_reason": risk.closing_reason,
                "escalated": risk.escalated,
            }
            for risk in risks
        ],
        "Budget": [
            {
                "workstream": line.workstream.reference,
                "financial_year": FinancialYear(line.financial_year),
                "description": line.description,
                "funding_source": line.funding_source,
                "allocated": line.allocated,
                "spent": line.spent,
                "forecast": line.forecast,
                "variance_explanation": line.variance_explanation,
            }
            for line in budget
        ],
    }


def cell_value(column: Column, value):
    """A row's value as it goes into a cell."""
    if value is None or value == "" or value == []:
        return None
    match column.kind:
        case Kind.PLAN_DATE:
            return str(value) if value.is_month else value.value
        case Kind.CHOICE:
            return dict(column.choices).get(value, value)
        case Kind.YES_NO:
            return "Yes" if value else "No"
        case Kind.PEOPLE | Kind.NAMES:
            return "; ".join(value)
        case Kind.REFERENCES:
            return ", ".join(value)
        case Kind.FINANCIAL_YEAR:
            return str(value)
        case _:
            return value


def _number_format(column: Column) -> str | None:
    match column.kind:
        case Kind.REFERENCE | Kind.REFERENCES | Kind.TEXT | Kind.FINANCIAL_YEAR:
            return TEXT_FORMAT
        case Kind.DAY | Kind.PLAN_DATE:
            return DATE_FORMAT
        case Kind.MONEY:
            return MONEY_FORMAT
    return None


def _write_sheet(worksheet, sheet: Sheet, rows: list[Row], *, example: bool) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        cell = worksheet.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        hint = ("Required. " if column.required else "") + column.hint
        if hint.strip():
            cell.comment = Comment(hint.strip(), "Programme office")
        longest_word = max(len(word) for word in column.header.split())
        worksheet.column_dimensions[letter].width = max(column.width, longest_word + 4)
        if column.drop_down:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.drop_down) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.header,
                error=f"Choose one of: {', '.join(column.drop_down)}",
                promptTitle=column.header[:32],
                prompt=(hint.strip() or f"Choose one of: {', '.join(column.drop_down)}")[:255],
                showInputMessage=True,
            )
            validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
            worksheet.add_data_validation(validation)
    worksheet.freeze_panes = "A2"
    worksheet.row_dimensions[1].height = 32

    if example:
        rows = [{column.field: column.example for column in sheet.columns}]
    for row_number, row in enumerate(rows, start=2):
        for index, column in enumerate(sheet.columns, start=1):
            value = row.get(column.field) if not example else (row.get(column.field) or None)
            cell = worksheet.cell(row=row_number, column=index)
            write_cell(cell, value if example else cell_value(column, value))
            number_format = _number_format(column)
            if number_format and not (number_format == DATE_FORMAT and isinstance(cell.value, str)):
                cell.number_format = number_format
            if example:
                cell.font = EXAMPLE_FONT
                cell.fill = EXAMPLE_FILL
    if rows:
        worksheet.auto_filter.ref = worksheet.dimensions


# One short line per row, not wrapped: a spreadsheet does not grow a row to fit wrapped text.
INSTRUCTIONS = (
    "How to fill in this workbook",
    "",
    "1. One sheet each for areas, workstreams, milestones, measures, targets, risks and budget lines.",
    "    Keep the first row of each sheet (the column names). Columns may be in any order;",
    "    one you do not need may be left out, and what it holds is then left as it is.",
    "2. Grey rows in italics are examples: delete them, or leave them and the import skips them.",
    "3. Rows are matched on their references (Ref, Risk ID; budget lines on workstream, year and",
    "    description). A matching row is updated, a new one is added, nothing is deleted.",
    "    Importing the same file twice changes nothing.",
    "4. Dates: a day (15/09/2025) or, where the column allows, a month (Sep 2025, Sept 25,",
    "    April 2026). A month means its last day. Financial years are written 2025/26.",
    "5. People: by name, as the council knows them. The check lists anyone it does not know",
    "    and offers to add them.",
    "6. Type values, not formulas, and do not merge cells.",
    "7. Upload the file on the programme's Import page: you see what it would change first.",
)
KIND_WORDS = {
    Kind.NUMBER: "A number",
    Kind.MONEY: "An amount in pounds",
    Kind.WHOLE: "A whole number",
    Kind.REFERENCE: "A reference",
    Kind.TEXT: "Text",
}
HINT_CHARACTERS_PER_LINE = 80
LINE_HEIGHT_POINTS = 15


def _write_instructions(worksheet, programme: Programme | None, *, example: bool) -> None:
    worksheet.column_dimensions["A"].width = 16
    worksheet.column_dimensions["B"].width = 28
    worksheet.column_dimensions["C"].width = 10
    worksheet.column_dimensions["D"].width = 84
    title = worksheet.cell(row=1, column=1, value="Programme plan")
    title.font = Font(bold=True, size=16)
    line = 2
    if programme is not None:
        write_cell(worksheet.cell(row=line, column=1), f"{programme.reference} {programme.name}")
        worksheet.cell(
            row=line + 1,
            column=1,
            value=f"Exported on {timezone.localdate().strftime('%-d %B %Y')}",
        )
        line += 2
    elif example:
        worksheet.cell(row=line, column=1, value="Blank template")
        line += 1
    line += 1
    for number, text in enumerate(INSTRUCTIONS):
        cell = worksheet.cell(row=line, column=1, value=text or None)
        if number == 0:
            cell.font = Font(bold=True, size=13)
        line += 1
    line += 1
    for index, heading in enumerate(("Sheet", "Column", "Required", "What to write"), start=1):
        cell = worksheet.cell(row=line, column=index, value=heading)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    worksheet.freeze_panes = None
    for sheet in PLAN_SHEETS:
        line += 1
        worksheet.cell(row=line, column=1, value=sheet.title).font = Font(bold=True)
        worksheet.cell(row=line, column=4, value=sheet.what)
        for column in sheet.columns:
            line += 1
            top = Alignment(vertical="top")
            worksheet.cell(row=line, column=2, value=column.header).alignment = top
            worksheet.cell(
                row=line, column=3, value="Yes" if column.required else ""
            ).alignment = top
            words = column.hint
            if column.drop_down:
                words = (words + ". " if words else "") + "One of: " + ", ".join(column.drop_down)
            words = words or KIND_WORDS.get(column.kind, "")
            cell = worksheet.cell(row=line, column=4, value=words)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines = -(-len(words) // HINT_CHARACTERS_PER_LINE)
            if lines > 1:
                worksheet.row_dimensions[line].height = lines * LINE_HEIGHT_POINTS


def _print_across_one_page(worksheet) -> None:
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.print_title_rows = "1:1" if worksheet.title != INSTRUCTIONS_TITLE else None


def write_workbook(
    rows: dict[str, list[Row]] | None, *, programme: Programme | None = None
) -> bytes:
    """The workbook as bytes: the rows given, or (with None) the blank template with an
    example row on each sheet."""
    example = rows is None
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_TITLE
    _write_instructions(instructions, programme, example=example)
    for sheet in PLAN_SHEETS:
        worksheet = workbook.create_sheet(sheet.title)
        _write_sheet(
            worksheet, sheet, [] if example else rows.get(sheet.title, []), example=example
        )
    for worksheet in workbook.worksheets:
        _print_across_one_page(worksheet)
    workbook.properties.title = (
        spreadsheet_text(f"{programme.name}: plan") if programme else "Programme plan"
    )
    workbook.properties.creator = "Transformation programmes"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_plan(programme: Programme) -> bytes:
    return write_workbook(plan_rows(programme), programme=programme)


def blank_template() -> bytes:
    return write_workbook(None)


def export_filename(programme: Programme) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in programme.reference)
    return f"{safe}-plan-{timezone.localdate().isoformat()}.xlsx"
