"""Reading a plan workbook (issue 7): from the uploaded bytes to plain rows, every cell read
as its column's kind, every problem named by sheet, row and column in plain words
("Milestones row 14, Due: '31/02/2025' is not a date").

Nothing here touches the database; `plans.importer` checks the rows against the
programme and writes them.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.xml.functions import iterparse

from plans.format import (
    PLAN_SHEETS,
    Column,
    Kind,
    Sheet,
    normalise_header,
)
from programmes.dates import FinancialYear, PlanDate, PlanDateError, parse_plan_date

MEGABYTE = 1024 * 1024
MAX_FILE_BYTES = 10 * MEGABYTE
# An xlsx file is a zip of XML. Parsing it is what costs time and memory (about 2 GB and
# minutes for 100 MB of XML), so the limits are on what it unpacks to, read from the zip's
# directory before anything is unpacked. A sheet of 20,000 milestones with long titles and
# descriptions unpacks to 12 MB; text packs 5 to 25 times.
MAX_UNPACKED_BYTES = 60 * MEGABYTE
# Deflate can pack a run of zeros a thousand times over (a "zip bomb"); no real workbook
# comes near a hundred.
MAX_PACKING_RATIO = 100
MAX_ROWS = 20_000
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where it is and what is wrong."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", {self.column}" if where else self.column
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ReadRow:
    """A row of a sheet: its number in the sheet and the values of the columns present."""

    number: int
    values: dict[str, object]
    headers: dict[str, str]  # field -> the header as written in this file

    def header(self, field_name: str) -> str:
        return self.headers.get(field_name, field_name)


@dataclass
class ReadPlan:
    rows: dict[str, list[ReadRow]] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)  # sheet -> fields present
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class CellError(ValueError):
    pass


def _size_label(size: int) -> str:
    return f"{size / MEGABYTE:.1f} MB"


class WorkbookRefused(ValueError):
    """The file is not a workbook we read: too large, not an xlsx, or unreadable."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class WorkbookSize:
    """How large a workbook is, from what it declares: rows below the header on each sheet
    (by its title), and bytes once unpacked."""

    rows: dict[str, int]
    unpacked_bytes: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


NOT_XLSX = (
    "The file is not an Excel workbook (.xlsx). In Excel, use File > Save As and choose "
    "'Excel Workbook (.xlsx)', then upload that file"
)
UNREADABLE = (
    "The file could not be read as an Excel workbook. It may be damaged or password-protected: "
    "open it in Excel, save it as 'Excel Workbook (.xlsx)' and upload it again"
)
SPLIT = (
    f"a plan may have up to {MAX_ROWS:,} rows on each sheet. Split the rows into several "
    "workbooks and import them one after the other"
)


def measure_workbook(data: bytes) -> WorkbookSize:
    """The workbook's size, read before any cell is parsed, so that a file too large to read
    is refused in a moment rather than after minutes of work: the file's bytes; what its zip
    directory says it unpacks to (Python's zip reader never unpacks more than that), and how
    many times over it packs; then the rows each sheet declares in its <dimension>, which
    comes before the cells, or where a sheet declares none, its rows counted up to the limit.
    Raises WorkbookRefused with the reason.

    openpyxl's read-only mode is not used for the sizes: on opening a sheet that declares no
    size it reads the whole sheet looking for one."""
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookRefused(
            Problem(
                f"The file is {_size_label(len(data))}; the largest plan we accept is "
                f"{MAX_FILE_BYTES // MEGABYTE} MB. Remove other sheets or pictures and try again"
            )
        )
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise WorkbookRefused(Problem(NOT_XLSX)) from None
    with archive:
        entries = archive.infolist()
        if "xl/workbook.xml" not in {entry.filename for entry in entries}:
            raise WorkbookRefused(Problem(NOT_XLSX))
        unpacked = sum(entry.file_size for entry in entries)
        packed = sum(entry.compress_size for entry in entries)
        if unpacked > MAX_UNPACKED_BYTES:
            raise WorkbookRefused(
                Problem(
                    f"The workbook unpacks to {_size_label(unpacked)}; the largest plan we "
                    f"read unpacks to {MAX_UNPACKED_BYTES // MEGABYTE} MB. Remove other sheets "
                    "or pictures and try again"
                )
            )
        if unpacked > MEGABYTE and unpacked > MAX_PACKING_RATIO * packed:
            raise WorkbookRefused(
                Problem(
                    f"The workbook unpacks to {_size_label(unpacked)} from "
                    f"{_size_label(len(data))}, more than {MAX_PACKING_RATIO} times its size, "
                    "which no real workbook does; it is not read"
                )
            )
        try:
            rows = _rows_by_sheet(archive)
        except WorkbookRefused:
            raise
        except Exception:  # openpyxl and the XML parser raise many kinds for a damaged file
            raise WorkbookRefused(Problem(UNREADABLE)) from None
    return WorkbookSize(rows=rows, unpacked_bytes=unpacked)


def _rows_by_sheet(archive: zipfile.ZipFile) -> dict[str, int]:
    """Rows below the header on every sheet (a full load parses every sheet, not only the
    plan's), refusing a sheet of more than MAX_ROWS."""
    workbook = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
    workbook.parse()
    parts = set(archive.namelist())
    rows: dict[str, int] = {}
    for sheet, relation in workbook.find_sheets():
        if relation.target not in parts:
            continue
        with archive.open(relation.target) as source:
            last_row = _declared_last_row(source)
        if last_row is None:
            with archive.open(relation.target) as source:
                last_row = _counted_last_row(source, sheet.name)
        if last_row - 1 > MAX_ROWS:
            raise WorkbookRefused(
                Problem(f"The {sheet.name} sheet has {last_row - 1:,} rows; {SPLIT}")
            )
        rows[sheet.name] = max(last_row - 1, 0)
    return rows


def _tag(element) -> str:
    return element.tag.rpartition("}")[2]


def _declared_last_row(source) -> int | None:
    """The last row a sheet declares in its <dimension> ("A1:N250"), read from the sheet's
    first lines; None when it declares none."""
    for _event, element in iterparse(source, events=("start",)):
        tag = _tag(element)
        if tag == "dimension":
            return range_boundaries(element.get("ref", ""))[3] or 1
        if tag == "sheetData":
            return None
    return None


class _EnoughRows(Exception):
    pass


def _counted_last_row(source, title: str) -> int:
    """The number of a sheet's last row, counting its rows with expat (no tree is built, no
    cell read) and stopping as soon as there are more than a plan may have."""
    last_row = counted = 0

    def start(name: str, attributes: dict) -> None:
        nonlocal last_row, counted
        if name == "row" or name.endswith(":row"):
            counted += 1
            last_row = int(attributes.get("r") or last_row + 1)
            if counted - 1 > MAX_ROWS:
                raise _EnoughRows

    def no_document_type(*args) -> None:
        raise ValueError("a worksheet has no document type declaration")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = no_document_type  # no entities, so no entity bombs
    try:
        while chunk := source.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _EnoughRows:
        raise WorkbookRefused(
            Problem(f"The {title} sheet has more than {MAX_ROWS:,} rows; {SPLIT}")
        ) from None
    return last_row


def check_file(data: bytes) -> Problem | None:
    """Is this an xlsx file of a size we read? Checked before it is parsed."""
    try:
        measure_workbook(data)
    except WorkbookRefused as refused:
        return refused.problem
    return None


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    return " ".join(str(raw).split()) if not isinstance(raw, str) else raw.strip()


def _reference(raw) -> str:
    if isinstance(raw, datetime | date):
        raise CellError(
            f"'{raw:%d/%m/%Y}' is a date: Excel has turned the reference into a date. Format "
            "the column as Text and type the reference again"
        )
    return " ".join(_text(raw).split())


def _decimal(raw, *, money: bool) -> Decimal:
    if isinstance(raw, bool):
        raise CellError(f"'{raw}' is not a number")
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
        if isinstance(raw, float):
            value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return value
    text = str(raw).strip().replace(",", "").replace("£", "").replace("%", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{raw}' is not a number") from None
    if not value.is_finite():
        raise CellError(f"'{raw}' is not a number")
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if money else value


def _whole(raw) -> int:
    if isinstance(raw, bool):
        raise CellError(f"'{raw}' is not a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = str(raw).strip()
    if text.isdigit():
        return int(text)
    raise CellError(f"'{raw}' is not a whole number")


def _plan_date(raw) -> PlanDate:
    if isinstance(raw, datetime):
        return PlanDate.of_day(raw.date())
    if isinstance(raw, date):
        return PlanDate.of_day(raw)
    if isinstance(raw, int | float):
        raise CellError(f"'{_text(raw)}' is a number, not a date. Write a day or a month")
    try:
        return parse_plan_date(str(raw))
    except PlanDateError as error:
        message = str(error)
        if message == "is empty":
            raise CellError("is empty") from None
        raise CellError(f"{message}. Write a day (15/09/2025) or a month (Sep 2025)") from None


def _day(raw) -> date:
    value = _plan_date(raw)
    if value.is_month:
        raise CellError(f"'{_text(raw)}' is a month: give a day, such as 15/{value.value:%m/%Y}")
    return value.value


def _choice(column: Column, raw) -> str:
    text = normalise_header(_text(raw))
    for value, label in column.choices:
        if text in (normalise_header(label), normalise_header(value)):
            return value
    raise CellError(f"'{_text(raw)}' is not one of: {', '.join(column.drop_down)}")


def _split(raw, separators: str) -> list[str]:
    text = _text(raw)
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return [" ".join(part.split()) for part in text.split(separators[0]) if part.strip()]


def read_cell(column: Column, raw):
    """A cell's value as its column's kind; blank cells read as the kind's empty value."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {
            Kind.TEXT: "",
            Kind.REFERENCE: "",
            Kind.PERSON: "",
            Kind.PEOPLE: [],
            Kind.NAMES: [],
            Kind.REFERENCES: [],
            Kind.YES_NO: False,
        }.get(column.kind)
    match column.kind:
        case Kind.TEXT:
            return _text(raw)
        case Kind.REFERENCE:
            return _reference(raw)
        case Kind.PERSON:
            return " ".join(_text(raw).split())
        case Kind.PLAN_DATE:
            return _plan_date(raw)
        case Kind.DAY:
            return _day(raw)
        case Kind.MONEY:
            return _decimal(raw, money=True)
        case Kind.NUMBER:
            return _decimal(raw, money=False)
        case Kind.WHOLE:
            return _whole(raw)
        case Kind.SCORE:
            try:
                score = _whole(raw)
            except CellError:
                score = None
            if score not in range(1, 6):
                raise CellError(f"'{_text(raw)}' is not a whole number from 1 to 5")
            return score
        case Kind.YES_NO:
            text = _text(raw).lower() if not isinstance(raw, bool) else str(raw).lower()
            if text in YES:
                return True
            if text in NO:
                return False
            raise CellError(f"'{_text(raw)}' is not Yes or No")
        case Kind.CHOICE:
            return _choice(column, raw)
        case Kind.FINANCIAL_YEAR:
            try:
                return FinancialYear.parse(_text(raw))
            except PlanDateError as error:
                raise CellError(str(error)) from None
        case Kind.PEOPLE | Kind.NAMES:
            return _split(raw, ";\n")
        case Kind.REFERENCES:
            return _split(raw, ",;\n")
    raise AssertionError(f"unknown kind {column.kind}")


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, ArrayFormula)


def _formula_text(cell) -> str:
    value = cell.value
    text = value.text if isinstance(value, ArrayFormula) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_example(sheet: Sheet, values: dict[str, object]) -> bool:
    """The template's grey example row, left in: every cell as the template wrote it."""
    for column in sheet.columns:
        raw = values.get(column.field)
        wanted = column.example
        if (raw in (None, "")) != (wanted in (None, "")):
            return False
        if raw not in (None, "") and _text(raw) != _text(wanted):
            return False
    return True


def _read_sheet(worksheet, sheet: Sheet, plan: ReadPlan) -> None:
    problems = plan.problems
    title = sheet.title
    for merged in worksheet.merged_cells.ranges:
        problems.append(
            Problem(
                f"cells {merged.coord} are merged. Unmerge them and fill in each cell",
                sheet=title,
                row=merged.min_row,
            )
        )
    header_cells = next(worksheet.iter_rows(min_row=1, max_row=1), ())
    by_name = {name: column for column in sheet.columns for name in column.names()}
    positions: dict[int, Column] = {}
    headers: dict[str, str] = {}
    for cell in header_cells:
        if cell.value is None or not str(cell.value).strip():
            continue
        written = " ".join(str(cell.value).split())
        column = by_name.get(normalise_header(written))
        if column is None:
            plan.notes.append(f"{title}: the column '{written}' is not one we read; it is ignored.")
            continue
        if column.field in headers:
            problems.append(
                Problem(
                    f"two columns are for {column.header}: '{headers[column.field]}' and "
                    f"'{written}'. Keep one",
                    sheet=title,
                    row=1,
                )
            )
            continue
        positions[cell.column] = column
        headers[column.field] = written
    for column in sheet.columns:
        if column.field in headers:
            continue
        if column.required:
            problems.append(
                Problem(
                    f"there is no '{column.header}' column. Add it to the first row",
                    sheet=title,
                )
            )
        else:
            plan.notes.append(
                f"{title}: no '{column.header}' column, so that is left as it is "
                "(and empty for new rows)."
            )
    plan.present[title] = set(headers)
    plan.headers[title] = headers
    rows: list[ReadRow] = []
    plan.rows[title] = rows
    if worksheet.max_row - 1 > MAX_ROWS:
        problems.append(
            Problem(f"has {worksheet.max_row - 1:,} rows; a plan may have {MAX_ROWS:,}", title)
        )
        return
    for cells in worksheet.iter_rows(min_row=2):
        raw_values: dict[str, object] = {}
        formulas: dict[str, str] = {}
        for cell in cells:
            column = positions.get(cell.column)
            if column is None:
                continue
            if _is_formula(cell):
                formulas[column.field] = _formula_text(cell)
            raw_values[column.field] = cell.value
        if all(_is_blank(raw) for raw in raw_values.values()):
            continue
        number = cells[0].row
        if not formulas and _is_example(sheet, raw_values):
            plan.notes.append(f"{title}: row {number} is the template's example; it is skipped.")
            continue
        values: dict[str, object] = {}
        for field_name, raw in raw_values.items():
            column = sheet.column(field_name)
            where = {"sheet": title, "row": number, "column": headers[field_name]}
            if field_name in formulas:
                problems.append(
                    Problem(
                        f"holds a formula ({formulas[field_name]}). Type the value instead",
                        **where,
                    )
                )
            elif column.required and _is_blank(raw):
                problems.append(Problem("is empty. It is required", **where))
            else:
                try:
                    values[field_name] = read_cell(column, raw)
                except CellError as error:
                    problems.append(Problem(str(error), **where))
        rows.append(ReadRow(number=number, values=values, headers=headers))


def _is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def read_plan(data: bytes) -> ReadPlan:
    """Read every sheet of the plan workbook; problems are collected, not raised."""
    plan = ReadPlan()
    problem = check_file(data)
    if problem:
        plan.problems.append(problem)
        return plan
    try:
        workbook = load_workbook(BytesIO(data), data_only=False, read_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        plan.problems.append(Problem(UNREADABLE))
        return plan
    titles = {normalise_header(name): name for name in workbook.sheetnames}
    for sheet in PLAN_SHEETS:
        name = titles.get(normalise_header(sheet.title))
        if name is None:
            plan.problems.append(
                Problem(
                    f"The workbook has no '{sheet.title}' sheet. Every plan workbook has the "
                    "sheets " + ", ".join(s.title for s in PLAN_SHEETS) + " (they may be "
                    "empty): start from the template"
                )
            )
            continue
        _read_sheet(workbook[name], sheet, plan)
    workbook.close()
    return plan
