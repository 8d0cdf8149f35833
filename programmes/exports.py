"""Lists as files: every list downloads as CSV or Excel with exactly the rows it shows, in
the order it shows them (DOMAIN.md section 6: "Every list filters and exports to CSV/Excel").

A list names its columns as users do and gives each cell as plain text (dates as shown on
screen, RAG as words) or as a number; this module only writes them out. Text that a
spreadsheet would run as a formula is neutralised (OWASP "CSV injection"), and `write_cell`
is the one way any Excel download of ours (these lists, the plan workbook) puts a value in a
cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet runs a cell starting with one of these as a formula; tab and carriage return
# are on OWASP's list too, because some programs strip them before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 8, 60

Cell = str | int | Decimal | None


@dataclass(frozen=True)
class ExportColumn:
    """A column of a download: its heading as users name it, and its cell for a row."""

    heading: str
    value: Callable[[Any], Cell]


def csv_safe(value: Cell) -> str:
    """A cell as CSV text; text that would start a formula gets a leading apostrophe, which
    spreadsheets show as plain text. Numbers cannot carry a formula and stay as they are."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return _number_text(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def spreadsheet_text(text: str) -> str:
    """Text as an Excel cell can hold it: without the control characters (a bell, an escape,
    NUL ...) that the file's XML cannot carry, and that openpyxl refuses outright."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def write_cell(cell, value: object) -> None:
    """Put a value in an Excel cell. Text is cleaned (`spreadsheet_text`) and stored as text,
    so that "=1+1", "+44 20", "-5 days" or "@team" show as typed and never run as a formula;
    without an apostrophe, so that reading the file back gives exactly the text. Numbers,
    dates and blanks are written as they are."""
    if isinstance(value, str):
        cell.value = spreadsheet_text(value)
        cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
    else:
        cell.value = value


def _number_text(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def _rows(columns: Sequence[ExportColumn], rows: Iterable[Any]) -> list[list[Cell]]:
    return [[column.value(row) for column in columns] for row in rows]


def to_csv(columns: Sequence[ExportColumn], rows: Iterable[Any]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel shows names and £ signs correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(column.heading) for column in columns])
    for cells in _rows(columns, rows):
        writer.writerow([csv_safe(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def _width(cells: Iterable[Cell]) -> int:
    longest = max(
        (len(_number_text(c) if isinstance(c, int | Decimal) else str(c or "")) for c in cells),
        default=0,
    )
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def to_xlsx(columns: Sequence[ExportColumn], rows: Iterable[Any], *, title: str) -> bytes:
    """One sheet: a bold, frozen header row, columns as wide as their content (within
    limits), numbers as numbers and all other cells as text, never as formulas."""
    cells = _rows(columns, rows)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    headings = [column.heading for column in columns]
    for column_number, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=1, column=column_number)
        write_cell(cell, heading)
        cell.font = Font(bold=True)
    for row_number, values in enumerate(cells, start=2):
        for column_number, value in enumerate(values, start=1):
            if not isinstance(value, int | Decimal | None):
                value = str(value)  # a list's cells are numbers or text (the Cell type)
            write_cell(sheet.cell(row=row_number, column=column_number), value)
    sheet.freeze_panes = "A2"
    if cells:
        sheet.auto_filter.ref = sheet.dimensions
    for index, heading in enumerate(headings):
        width = _width([heading, *(values[index] for values in cells)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(name: str, programme_reference: str, on: date, file_format: str) -> str:
    """ "milestones-AHTP-2026-10-14.csv": what, whose, when. Characters a file name should
    not hold become hyphens."""
    reference = re.sub(r"[^A-Za-z0-9._]+", "-", programme_reference).strip("-") or "programme"
    return f"{name}-{reference}-{on.isoformat()}.{file_format}"


def export_response(
    file_format: str,
    *,
    columns: Sequence[ExportColumn],
    rows: Iterable[Any],
    filename: str,
    title: str,
) -> HttpResponse:
    """A download of the rows in CSV or Excel."""
    if file_format == XLSX:
        content = to_xlsx(columns, rows, title=title)
    elif file_format == CSV:
        content = to_csv(columns, rows)
    else:
        raise ValueError(f"Unknown export format {file_format!r}")
    return HttpResponse(
        content,
        content_type=CONTENT_TYPES[file_format],
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
