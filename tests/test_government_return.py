"""The government return (issue 16, part 3): the programme in the shape of the published major
projects data, as CSV and Excel, its columns and figures checked against a worked example
computed by hand below."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from programmes.choices import Rag
from programmes.dates import FinancialYear
from reporting.returns import (
    NO_BENEFITS,
    RETURN_HEADINGS,
    government_return,
    in_millions,
)
from reporting.state import load_programme_data
from tests.factories import BudgetLineFactory, MilestoneFactory
from workstreams.models import Benefit, BenefitStatus, BenefitType, BenefitYear

# The worked example, by hand:
#   2026/27  1.1 Staffing   allocated 120,000  forecast 139,200  (16% over, explained)
#            1.2 Venues     allocated  80,000  forecast  80,000
#            2.1 Capital    allocated 400,000  forecast 420,000  (5% over exactly: no need)
#   year     allocated 600,000 = £0.60m; forecast 639,200 = £0.64m (0.6392 rounds to 0.64);
#            variance 39,200 / 600,000 = 6.5333...% = 6.6% (one place, away from nought):
#            more than 5%, so the narrative gives the explanation written on 1.1 Staffing.
#   2027/28  1.1 Staffing   allocated 130,000  forecast 130,000
#   whole-life cost set by the office: baseline £2,345,000 = £2.35m (2.345 rounds half up),
#            forecast £2,500,000 = £2.50m, with its narrative.
#   schedule: planned 1 Jan 2026 to 31 Mar 2028; milestone 2.1.9 forecast 30 Jun 2028, so
#            the forecast end is 30/06/2028.
#   benefits (as of 18 Nov 2026, in 2026/27):
#            B1 cashable: planned 2025/26 100,000 (realised 90,000), 2026/27 200,000 (nothing
#               recorded yet: still its plan), 2027/28 300,000;
#            B2 non-cashable, abandoned: planned 2026/27 100,000, nothing realised;
#            B3 a dis-benefit and B4 qualitative: not counted in money.
#            baseline 100,000 + 200,000 + 300,000 + 100,000 = 700,000 = £0.70m;
#            forecast 90,000 + 200,000 + 300,000 + 0 = 590,000 = £0.59m.
#            To date (2025/26 only): £90,000 realised against £100,000 planned, B1 10% short
#            (beyond the 5% benefits tolerance): Red, named in the narrative.
EXPLANATION = "Agency staff cover two vacant posts until March"
WORKED = {
    "Project name": "Adult & Housing Transformation Programme",
    "Delivery confidence assessment": "Amber/Green",
    "Commentary on the delivery confidence assessment": "Recovering after the consultation",
    "Baseline start date": "01/01/2026",
    "Baseline end date": "31/03/2028",
    "Forecast start date": "01/01/2026",
    "Forecast end date": "30/06/2028",
    "Narrative on schedule": "Extra care housing opens three months late",
    "Financial year": "2026/27",
    "Financial year baseline (£m)": "0.6",
    "Financial year forecast (£m)": "0.64",
    "Financial year variance (%)": "6.6",
    "Narrative on financial year variance (if more than 5%)": f"1.1 Staffing: {EXPLANATION}",
    "Baseline whole life cost (£m)": "2.35",
    "Forecast whole life cost (£m)": "2.5",
    "Narrative on whole life cost": "The care management system runs two more years",
    "Baseline benefits (£m)": "0.7",
    "Forecast benefits (£m)": "0.59",
}


@pytest.fixture
def worked(plan):
    programme = plan["programme"]
    programme.rag_scale = "five"
    programme.overall_rag = Rag.AMBER_GREEN
    programme.overall_commentary = "Recovering after the consultation"
    programme.whole_life_cost_baseline = Decimal(2345000)
    programme.whole_life_cost_forecast = Decimal(2500000)
    programme.whole_life_cost_narrative = "The care management system runs two more years"
    programme.schedule_narrative = "Extra care housing opens three months late"
    programme.save()
    BudgetLineFactory(
        workstream=plan["ws_1_1"],
        description="Staffing",
        allocated=Decimal(120000),
        forecast=Decimal(139200),
        variance_explanation=EXPLANATION,
    )
    BudgetLineFactory(
        workstream=plan["ws_1_2"],
        description="Venues",
        allocated=Decimal(80000),
        forecast=Decimal(80000),
    )
    BudgetLineFactory(
        workstream=plan["ws_2_1"],
        description="Capital",
        allocated=Decimal(400000),
        forecast=Decimal(420000),
    )
    BudgetLineFactory(
        workstream=plan["ws_1_1"],
        financial_year=2027,
        description="Staffing",
        allocated=Decimal(130000),
        forecast=Decimal(130000),
    )
    MilestoneFactory(
        workstream=plan["ws_2_1"],
        reference="2.1.9",
        baseline_date=date(2028, 3, 1),
        forecast_date=date(2028, 6, 30),
    )
    benefit(
        programme,
        "B1",
        "Fewer residential placements",
        {2025: (100000, 90000), 2026: (200000, None), 2027: (300000, None)},
    )
    benefit(
        programme,
        "B2",
        "Shared back office",
        {2026: (100000, None)},
        benefit_type=BenefitType.NON_CASHABLE,
        status=BenefitStatus.ABANDONED,
    )
    benefit(programme, "B3", "Double running", {2026: (50000, None)}, is_disbenefit=True)
    benefit(
        programme,
        "B4",
        "More choice and control",
        {},
        benefit_type=BenefitType.QUALITATIVE,
    )
    return programme


def benefit(programme, reference, title, years, **fields):
    made = Benefit.objects.create(programme=programme, reference=reference, title=title, **fields)
    for year, (planned, realised) in years.items():
        BenefitYear.objects.create(
            benefit=made,
            financial_year=year,
            planned=Decimal(planned),
            realised=None if realised is None else Decimal(realised),
        )
    return made


def download(client, user, programme, query: str):
    client.force_login(user)
    return client.get(reverse("programme_government_return", args=[programme.pk]) + query)


def test_the_csv_has_the_published_columns_and_the_worked_figures(client, people, worked):
    response = download(client, people["board"], worked, "?year=2026&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "government-return-2026" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(RETURN_HEADINGS)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    for heading, expected in WORKED.items():
        assert row[heading] == expected, heading
    assert row["Department"] == worked.organisation.name
    narrative = row["Narrative on benefits"]
    assert narrative.startswith(
        "2 benefits in pounds: £90,000 realised to date against £100,000 planned."
    )
    assert "B1 Fewer residential placements: Red because:" in narrative
    assert "B3" not in narrative and "B4" not in narrative


def test_the_excel_file_has_the_same_row_with_numbers_as_numbers(client, people, worked):
    response = download(client, people["office"], worked, "?year=2026&format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headings = [cell.value for cell in sheet[1]]
    assert headings == list(RETURN_HEADINGS)
    row = dict(zip(headings, [cell.value for cell in sheet[2]], strict=True))
    assert row["Financial year baseline (£m)"] == pytest.approx(0.6)
    assert row["Financial year forecast (£m)"] == pytest.approx(0.64)
    assert row["Financial year variance (%)"] == pytest.approx(6.6)
    assert row["Baseline whole life cost (£m)"] == pytest.approx(2.35)
    assert row["Forecast end date"] == "30/06/2028"


def test_a_year_within_five_percent_has_no_variance_narrative(worked):
    row = government_return(load_programme_data(worked), FinancialYear(2027))
    assert row["Financial year baseline (£m)"] == Decimal("0.13")
    assert row["Financial year variance (%)"] == Decimal("0.0")
    assert row["Narrative on financial year variance (if more than 5%)"] == ""


def test_without_a_board_rating_or_whole_life_cost_the_computed_ones_are_given(plan):
    BudgetLineFactory(workstream=plan["ws_1_1"], allocated=Decimal(1000), forecast=Decimal(1000))
    row = government_return(load_programme_data(plan["programme"]), FinancialYear(2026))
    assert row["Baseline whole life cost (£m)"] == Decimal("0.00")
    assert row["Narrative on whole life cost"].startswith(
        "The whole-life cost baseline and forecast not set by the programme office"
    )
    assert row["Forecast end date"] == "31/03/2028"
    assert row["Baseline benefits (£m)"] == Decimal("0.00")
    assert row["Narrative on benefits"] == NO_BENEFITS


def test_amounts_are_millions_to_two_places_halves_up():
    assert in_millions(Decimal(843000)) == Decimal("0.84")
    assert in_millions(Decimal(2345000)) == Decimal("2.35")
    assert in_millions(Decimal(5000)) == Decimal("0.01")
    assert in_millions(None) is None


def test_a_bad_format_or_year_is_refused(client, people, worked):
    assert download(client, people["board"], worked, "?format=pdf").status_code == 400
    assert download(client, people["board"], worked, "?year=next").status_code == 400
