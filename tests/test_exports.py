"""Every list downloads as CSV and Excel (DOMAIN.md section 6): exactly the rows the list
shows, on all its pages, in its order, with RAG as words and dates as on screen; Excel with
a bold, frozen header; nothing a spreadsheet would run as a formula."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.urls import reverse

from programmes.dates import month_end
from programmes.exports import ExportColumn, csv_safe, export_filename, to_csv, to_xlsx
from tests.clock import TODAY
from tests.factories import MilestoneFactory, RiskFactory

REFERENCE_CELL = re.compile(r'<td class="govuk-table__cell app-table__reference">([^<]*)</td>')


def shown(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [unescape(ref) for ref in REFERENCE_CELL.findall(response.content.decode())]


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def workbook(response):
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def signed_in(client, people):
    client.force_login(people["board"])
    return client


@pytest.fixture
def many_milestones(plan):
    """70 milestones over three workstreams: 60 deliverables, some dated by month, some late."""
    made = []
    for number in range(1, 71):
        workstream = [plan["ws_1_1"], plan["ws_1_2"], plan["ws_2_1"]][number % 3]
        by_month = number % 4 == 0
        baseline = TODAY + timedelta(days=number * 9 - 200)
        made.append(
            MilestoneFactory(
                workstream=workstream,
                reference=f"{workstream.reference}.{number}",
                title=f"Milestone number {number}",
                kind="milestone" if number % 7 == 0 else "deliverable",
                baseline_date=month_end(baseline) if by_month else baseline,
                baseline_precision="month" if by_month else "day",
            )
        )
    return made


def test_the_download_holds_exactly_the_filtered_rows_of_every_page_in_their_order(
    signed_in, plan, many_milestones
):
    url = reverse("milestone_list", args=[plan["programme"].pk])
    query = "?kind=deliverable&sort=-baseline"
    on_screen = shown(signed_in, url + query) + shown(signed_in, url + query + "&page=2")
    assert len(on_screen) == 60

    rows = csv_rows(signed_in.get(url + query + "&format=csv"))
    assert rows[0] == [
        "Reference",
        "Milestone",
        "Workstream",
        "Kind",
        "Baseline",
        "Forecast",
        "Completed",
        "RAG",
        "RAG reason",
    ]
    assert [row[0] for row in rows[1:]] == on_screen

    sheet = workbook(signed_in.get(url + query + "&format=xlsx"))
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == on_screen


def test_the_download_says_ratings_in_words_and_dates_as_shown(signed_in, plan, many_milestones):
    url = reverse("milestone_list", args=[plan["programme"].pk])
    rows = {row[0]: row for row in csv_rows(signed_in.get(url + "?format=csv"))[1:]}
    late_by_month = next(
        m for m in many_milestones if m.baseline_precision == "month" and m.baseline_date < TODAY
    )
    row = rows[late_by_month.reference]
    assert row[4] == late_by_month.baseline_date.strftime("%b %Y")  # "Sep 2026"
    assert row[7] == "Red"
    assert re.fullmatch(r"It is \d+ days? late", row[8])
    later_by_day = next(
        m for m in many_milestones if m.baseline_precision == "day" and m.baseline_date > TODAY
    )
    row = rows[later_by_day.reference]
    assert row[4] == f"{later_by_day.baseline_date.day} {later_by_day.baseline_date:%b %Y}"
    assert row[7] == "Green" and row[8] == ""
    assert row[2] == str(later_by_day.workstream)


def test_the_file_is_named_for_the_list_the_programme_and_the_day(signed_in, plan):
    programme = plan["programme"]
    programme.reference = "AHTP 2026/27"
    programme.save()
    response = signed_in.get(reverse("risk_list", args=[programme.pk]) + "?format=csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="risks-AHTP-2026-27-{TODAY.isoformat()}.csv"'
    )
    assert export_filename("milestones", "P1", date(2026, 9, 3), "xlsx") == (
        "milestones-P1-2026-09-03.xlsx"
    )


def test_the_excel_file_has_a_bold_frozen_header_and_columns_wide_enough(
    signed_in, plan, many_milestones
):
    url = reverse("milestone_list", args=[plan["programme"].pk]) + "?format=xlsx"
    sheet = workbook(signed_in.get(url))
    assert sheet.title == "Milestones"
    assert [cell.value for cell in sheet[1]][:3] == ["Reference", "Milestone", "Workstream"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= len("Milestone number 70")
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width
    assert sheet.max_row == 71


def test_risk_scores_download_as_numbers_with_the_heat_map_filters(signed_in, plan):
    programme = plan["programme"]
    RiskFactory(programme=programme, reference="R1", current_likelihood=4, current_impact=3)
    RiskFactory(
        programme=programme,
        reference="R2",
        current_likelihood=2,
        current_impact=2,
        inherent_likelihood=4,
        inherent_impact=3,
    )
    url = reverse("risk_list", args=[programme.pk])
    sheet = workbook(signed_in.get(url + "?likelihood=4&impact=3&format=xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4:8] == ("Current likelihood", "Current impact", "Current score", "Band")
    assert [row[0] for row in rows[1:]] == ["R1"]
    assert rows[1][2:10] == ("Programme", None, 4, 3, 12, "Amber", "New", None)
    assert rows[0][8:11] == ("Since last period", "Score last period", "Status")
    assert rows[1][10] == "Open"
    rows = csv_rows(signed_in.get(url + "?likelihood=4&impact=3&scores=inherent&format=csv"))
    assert rows[0][4:8] == [
        "Inherent likelihood",
        "Inherent impact",
        "Inherent score",
        "Inherent band",
    ]
    assert [row[0] for row in rows[1:]] == ["R2"]
    assert rows[1][4:12] == ["4", "3", "12", "Amber", "2", "2", "4", "Green"]


@pytest.mark.parametrize(
    "name, headings",
    [
        ("workstream_list", ["Reference", "Workstream", "Area", "Lead", "Reported RAG"]),
        ("measure_list", ["Reference", "Measure", "Workstream", "Target now", "Latest actual"]),
        ("decision_list", ["Reference", "Decision", "Forum", "Needed by", "Status"]),
    ],
)
def test_every_list_downloads_in_both_formats(signed_in, plan, name, headings):
    url = reverse(name, args=[plan["programme"].pk])
    assert csv_rows(signed_in.get(url + "?format=csv"))[0][:5] == headings
    sheet = workbook(signed_in.get(url + "?format=xlsx"))
    assert [cell.value for cell in sheet[1]][:5] == headings


def test_workstreams_download_with_reported_ratings_in_words(signed_in, plan):
    url = reverse("workstream_list", args=[plan["programme"].pk])
    rows = csv_rows(signed_in.get(url + "?format=csv"))
    assert [row[0] for row in rows[1:]] == ["1.1", "1.2", "2.1", "2.2"]
    assert {row[4] for row in rows[1:]} == {"Not reported"}
    assert rows[1][2] == "1 Community Services"


def test_filters_that_are_not_valid_give_no_file(signed_in, plan):
    url = reverse("risk_list", args=[plan["programme"].pk]) + "?likelihood=9&format=csv"
    response = signed_in.get(url)
    assert response.status_code == 400
    assert "Content-Disposition" not in response


# ----- Formula injection -----


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil")', "+44 20", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_text_that_would_start_a_formula_gets_an_apostrophe_in_csv(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Plain words", "Plain words"),
        ("1.1", "1.1"),
        (-5, "-5"),
        (Decimal("-2.50"), "-2.5"),
        (None, ""),
    ],
)
def test_other_cells_are_left_as_they_are(value, expected):
    assert csv_safe(value) == expected


def test_a_formula_in_a_milestone_title_is_neutralised_in_both_formats(signed_in, plan):
    formula = '=HYPERLINK("http://evil.example","Click")'
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1", title=formula)
    MilestoneFactory(workstream=plan["ws_1_1"], reference="@1", title="-2+3")
    url = reverse("milestone_list", args=[plan["programme"].pk])
    rows = csv_rows(signed_in.get(url + "?format=csv&sort=reference"))
    assert rows[1][:2] == ["1.1.1", "'" + formula]
    assert rows[2][:2] == ["'@1", "'-2+3"]
    sheet = workbook(signed_in.get(url + "?format=xlsx&sort=reference"))
    cell = sheet["B2"]
    assert cell.value == formula and cell.data_type == "s"
    assert sheet["A3"].value == "@1" and sheet["A3"].data_type == "s"


def test_the_writers_take_plain_columns_and_rows():
    columns = [ExportColumn("Name", lambda r: r[0]), ExportColumn("Score", lambda r: r[1])]
    rows = [("Alpha", 12), ("=Beta", Decimal("2.50"))]
    assert to_csv(columns, rows).decode("utf-8-sig").splitlines() == [
        "Name,Score",
        "Alpha,12",
        "'=Beta,2.5",
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(columns, rows, title="Things"))).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Name", "Score"),
        ("Alpha", 12),
        ("=Beta", 2.5),
    ]
