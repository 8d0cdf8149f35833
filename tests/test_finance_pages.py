"""The finance page and the whole-life cost page (issue 16, part 2): money by financial year,
by workstream and by line with variance, variance % and explanations, lines over 5% without
one flagged, each rated with its reasons against the cost tolerance of where it sits; the
whole-life cost baseline against its forecast with its narrative, kept by the programme
office; a line or a workstream over tolerance is an exception. Allowed and denied, bad input
under the GOV.UK error summary, and a fixed number of queries at two sizes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.choices import Role
from programmes.models import Funding, Programme
from reporting.dashboard import build_dashboard
from reporting.exceptions import detect_exceptions
from reporting.narratives import exceptions_for_period, write_narrative
from reporting.state import load_programme_data
from tests.clock import TODAY
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    PeriodFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from tests.html_forms import error_by, form_with, summary
from workstreams.models import Benefit, BenefitYear

EXPLANATION = "Agency staff cover two vacant posts until March"


@pytest.fixture
def money(plan):
    """Workstream 1.1's staffing 16% over, explained, its training under (1.1 in all 4.2%
    over); 1.2's venues 6% over, not explained; 2.1 on its allocation."""
    BudgetLineFactory(
        workstream=plan["ws_1_1"],
        description="Training",
        allocated=Decimal(100000),
        forecast=Decimal(90000),
        variance_explanation="Fewer courses",
    )
    return {
        "over": BudgetLineFactory(
            workstream=plan["ws_1_1"],
            description="Staffing",
            allocated=Decimal(120000),
            spent=Decimal(60000),
            forecast=Decimal(139200),
            variance_explanation=EXPLANATION,
        ),
        "unexplained": BudgetLineFactory(
            workstream=plan["ws_1_2"],
            description="Venues",
            allocated=Decimal(10000),
            forecast=Decimal(10600),
        ),
        "on_budget": BudgetLineFactory(
            workstream=plan["ws_2_1"],
            description="Capital works",
            allocated=Decimal(500000),
            forecast=Decimal(500000),
        ),
    }


def page(client, user, programme) -> str:
    client.force_login(user)
    response = client.get(reverse("programme_finance", args=[programme.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_finance_page_shows_years_workstreams_lines_and_their_ratings(
    client, plan, people, money
):
    html = page(client, people["board"], plan["programme"])
    # The year: 730,000 allocated, 739,800 forecast: 1.4% (1.34..., away from nought) over.
    assert "£730,000" in html and "£739,800" in html and "£9,800" in html
    assert "1.4%" in html
    # The line 16% over is Red with its reason, though its year is within tolerance.
    assert "Red because: it is forecast £19,200 (16%) over its allocation (tolerance 10%)" in html
    assert "16%" in html
    assert EXPLANATION in html
    # The overall rating names the line.
    assert "budget line Staffing 2026/27 (workstream 1.1)" in html
    # The unexplained line over 5% is flagged, and counted.
    assert "Explanation needed" in html
    assert "1 budget line more than 5% from its allocation has no explanation yet" in html
    # The board member may change nothing: no links to change lines or the whole-life cost.
    assert reverse("budget_line_edit", args=[money["over"].pk]) not in html
    assert reverse("programme_whole_life_cost", args=[plan["programme"].pk]) not in html
    # The return for each year, as CSV and Excel.
    assert reverse("programme_government_return", args=[plan["programme"].pk]) in html


def test_the_page_offers_to_change_only_the_lines_the_user_may_update(client, plan, people, money):
    html = page(client, people["lead"], plan["programme"])
    assert reverse("budget_line_edit", args=[money["over"].pk]) in html
    assert reverse("budget_line_edit", args=[money["unexplained"].pk]) not in html
    html = page(client, people["manager"], plan["programme"])  # area one's
    assert reverse("budget_line_edit", args=[money["unexplained"].pk]) in html
    assert reverse("budget_line_edit", args=[money["on_budget"].pk]) not in html
    html = page(client, people["office"], plan["programme"])
    assert reverse("budget_line_edit", args=[money["on_budget"].pk]) in html
    assert reverse("programme_whole_life_cost", args=[plan["programme"].pk]) in html


def test_the_programme_dashboard_links_to_the_finance_page(client, plan, people):
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    assert reverse("programme_finance", args=[plan["programme"].pk]) in html


def test_nobody_outside_the_programme_sees_its_finance(client, plan, people, money):
    client.force_login(people["outsider"])
    for name in ("programme_finance", "programme_whole_life_cost", "programme_government_return"):
        assert client.get(reverse(name, args=[plan["programme"].pk])).status_code == 404


# ----- The whole-life cost, kept by the programme office -----


def wlc_url(programme) -> str:
    return reverse("programme_whole_life_cost", args=[programme.pk])


def opened(client, user, programme) -> dict:
    client.force_login(user)
    html = client.get(wlc_url(programme)).content.decode()
    return form_with(html, "whole_life_cost_baseline").data()


def test_the_office_sets_the_whole_life_cost_and_its_narrative(client, plan, people):
    programme = plan["programme"]
    data = opened(client, people["office"], programme)
    data.update(
        whole_life_cost_baseline="£2,500,000",
        whole_life_cost_forecast="2650000",
        whole_life_cost_narrative="Two more years of the care management system",
        schedule_narrative="On schedule",
    )
    response = client.post(wlc_url(programme), data)
    assert response.status_code == 302
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.whole_life_cost_baseline == Decimal(2500000)
    assert programme.whole_life_cost_forecast == Decimal(2650000)
    assert programme.whole_life_cost_narrative == "Two more years of the care management system"
    assert programme.history.first().history_user == people["office"]
    html = page(client, people["board"], programme)
    assert "£2,500,000" in html and "£2,650,000" in html and "£150,000 (6%)" in html
    assert "Two more years of the care management system" in html


def test_a_forecast_that_differs_needs_a_narrative(client, plan, people):
    programme = plan["programme"]
    data = opened(client, people["office"], programme)
    data.update(whole_life_cost_baseline="1000", whole_life_cost_forecast="1000.01")
    response = client.post(wlc_url(programme), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert summary(html) == [
        (
            "#id_whole_life_cost_narrative",
            "The forecast is £0.01 above the baseline: explain the difference",
        )
    ]
    assert error_by(html, "id_whole_life_cost_narrative").startswith("The forecast is £0.01")
    assert Programme.objects.get(pk=programme.pk).whole_life_cost_baseline is None
    # Exactly the baseline needs none.
    data.update(whole_life_cost_forecast="1000.00")
    assert client.post(wlc_url(programme), data).status_code == 302


def test_bad_amounts_are_refused_by_the_field(client, plan, people):
    programme = plan["programme"]
    data = opened(client, people["office"], programme)
    data.update(whole_life_cost_baseline="lots", whole_life_cost_forecast="-5")
    response = client.post(wlc_url(programme), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert [target for target, _ in summary(html)] == [
        "#id_whole_life_cost_baseline",
        "#id_whole_life_cost_forecast",
    ]
    assert "must be an amount of money" in error_by(html, "id_whole_life_cost_baseline")


@pytest.mark.parametrize("who", ["board", "sponsor", "manager", "lead"])
def test_only_the_programme_office_changes_the_whole_life_cost(client, plan, people, who):
    programme = plan["programme"]
    client.force_login(people[who])
    assert client.get(wlc_url(programme)).status_code == 403
    response = client.post(
        wlc_url(programme),
        {"version": programme.version, "whole_life_cost_baseline": "5"},
    )
    assert response.status_code == 403
    assert Programme.objects.get(pk=programme.pk).whole_life_cost_baseline is None


# ----- Exceptions: a line or a workstream over its cost tolerance -----


def exceptions(programme):
    data = load_programme_data(programme)
    return {breach.key: breach for breach in detect_exceptions(data, build_dashboard(data))}


def test_a_line_over_its_cost_tolerance_is_an_exception_with_its_reason(plan, money):
    found = exceptions(plan["programme"])
    line = found[f"budget-line:{money['over'].pk}"]
    assert line.title == "Budget line Staffing 2026/27 (workstream 1.1)"
    assert line.breach == (
        "Red because: it is forecast £19,200 (16%) over its allocation (tolerance 10%)"
    )
    assert line.workstream == plan["ws_1_1"] and line.area == plan["area_one"]
    # Its workstream's budget is within tolerance (4.2% over).
    assert f"budget-workstream:{plan['ws_1_1'].pk}" not in found
    # 6% over is Amber: no exception; the year is within tolerance too.
    assert f"budget-line:{money['unexplained'].pk}" not in found
    assert f"budget-workstream:{plan['ws_1_2'].pk}" not in found
    assert "budget:2026" not in found


def test_a_workstream_over_its_tolerance_is_one_exception_naming_its_lines(plan):
    BudgetLineFactory(workstream=plan["ws_1_1"], allocated=Decimal(1000), forecast=Decimal(1200))
    BudgetLineFactory(
        workstream=plan["ws_1_1"],
        financial_year=2027,
        description="Venues",
        allocated=Decimal(1000),
        forecast=Decimal(1050),
    )
    found = exceptions(plan["programme"])
    assert not [key for key in found if key.startswith("budget-line:")]
    workstream = found[f"budget-workstream:{plan['ws_1_1'].pk}"]
    assert workstream.title == "Budget of workstream 1.1 Day Opportunities"
    assert workstream.breach == (
        "Red because: it is forecast £250 (12.5%) over its allocation (tolerance 10%); "
        "budget line Staffing 2026/27 is forecast £200 (20%) over its allocation "
        "(tolerance 10%)"
    )
    assert (workstream.area, workstream.workstream) == (plan["area_one"], plan["ws_1_1"])


def test_a_line_at_exactly_its_tolerance_is_no_exception(plan):
    line = BudgetLineFactory(
        workstream=plan["ws_1_1"], allocated=Decimal(1000), forecast=Decimal(1100)
    )
    BudgetLineFactory(  # keeps the workstream within tolerance whatever the line does
        workstream=plan["ws_1_1"], description="Other", allocated=Decimal(9000)
    )
    assert f"budget-line:{line.pk}" not in exceptions(plan["programme"])
    line.forecast = Decimal("1100.01")
    line.save()
    assert f"budget-line:{line.pk}" in exceptions(plan["programme"])


def test_the_project_manager_writes_the_narrative_of_a_line_over_tolerance(
    client, plan, people, money
):
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    url = reverse("exception_narrative", args=[period.pk, "budget-line", money["over"].pk])
    client.force_login(people["manager"])
    assert client.get(url).status_code == 200
    client.force_login(people["lead"])
    assert client.get(url).status_code == 403


# ----- A fixed number of queries, whatever the programme's size -----


def build(size: int) -> Programme:
    programme = ProgrammeFactory()
    areas = [AreaFactory(programme=programme) for _ in range(2)]
    for index in range(3 * size):
        workstream = WorkstreamFactory(area=areas[index % 2])
        for year in (2025, 2026, 2027):
            BudgetLineFactory(
                workstream=workstream,
                financial_year=year,
                allocated=Decimal(1000),
                forecast=Decimal(1000 + 100 * index),
                variance_explanation="Why" if index % 2 else "",
            )
    Funding.objects.create(
        programme=programme, source="Grant", financial_year=2026, amount=Decimal(9000)
    )
    for index in range(size):
        benefit = Benefit.objects.create(
            programme=programme, reference=f"B{index}", title="Fewer placements"
        )
        for year in (2025, 2026):
            BenefitYear.objects.create(
                benefit=benefit, financial_year=year, planned=Decimal(100), realised=Decimal(90)
            )
    programme.whole_life_cost_baseline = Decimal(9000)
    programme.whole_life_cost_forecast = Decimal(9900)
    programme.save()
    return programme


@pytest.mark.parametrize("size", [1, 5])
@pytest.mark.parametrize(
    "name, query, most",
    [
        # session, user, programme, memberships, areas, workstreams, lines, funding, and the
        # header's person and organisation
        ("programme_finance", "", 10),
        # session, user, programme, memberships, the programme's history and who made it,
        # the header's
        ("programme_whole_life_cost", "", 7),
        # the programme's data as the dashboard loads it (it is rated for the delivery
        # confidence assessment) and its benefits, whatever its size
        ("programme_government_return", "?format=xlsx&year=2026", 17),
    ],
)
def test_the_money_pages_run_a_fixed_number_of_queries(
    client, db, size, name, query, most, django_assert_max_num_queries
):
    programme = build(size)
    user = UserFactory()
    grant(user, Role.PROGRAMME_OFFICE, programme=programme)
    client.force_login(user)
    with django_assert_max_num_queries(most):
        response = client.get(reverse(name, args=[programme.pk]) + query)
    assert response.status_code == 200


def test_a_closed_programmes_money_only_shows(client, plan, people, money):
    programme = plan["programme"]
    Programme.objects.filter(pk=programme.pk).update(status="closed")
    html = page(client, people["office"], programme)
    assert "This programme is closed." in html
    assert reverse("budget_line_edit", args=[money["over"].pk]) not in html
    assert reverse("programme_whole_life_cost", args=[programme.pk]) not in html
    client.force_login(people["office"])
    response = client.post(
        wlc_url(programme), {"version": programme.version, "whole_life_cost_baseline": "5"}
    )
    assert response.status_code == 403
    assert Programme.objects.get(pk=programme.pk).whole_life_cost_baseline is None
    # The return is still made.
    assert (
        client.get(reverse("programme_government_return", args=[programme.pk])).status_code == 200
    )


def test_the_sponsor_finds_a_budget_line_narrative_to_approve_named(client, plan, people, money):
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    breach = exceptions_for_period(period).find(f"budget-line:{money['over'].pk}")
    write_narrative(
        period,
        breach,
        by=people["manager"],
        version=None,
        fields={
            "cause": "Agency cover",
            "consequences": "Overspend",
            "options": "Recruit",
            "recommendation": "Recruit",
            "decision_required": "Agree",
        },
    )
    client.force_login(people["sponsor"])
    html = client.get(reverse("home")).content.decode()
    assert "Exception narratives awaiting your approval (1)" in html
    assert "Budget line Staffing 2026/27" in html
