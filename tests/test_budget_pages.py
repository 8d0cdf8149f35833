"""A workstream's budget lines kept in the browser (issue 11, "Budget lines"): the project
manager adds, changes and removes a line (financial year, allocated, spent, forecast, funding
source); the workstream's lead keeps only spent, forecast and the explanation current; a
forecast more than 5% either way from the allocation needs a written explanation, which is
shown on the workstream page, the dashboard's budget table and the highlight report. Bad
input is refused by the field, under the GOV.UK error summary, and nothing is half-saved."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.pdf import render_html
from reporting.reports import gather_highlight
from tests.factories import BudgetLineFactory, PeriodFactory
from tests.html_forms import error_by, form_with, summary
from workstreams.models import BudgetLine

# The plan's programme runs from 1 Jan 2026 to 31 Mar 2028: 2025/26 to 2027/28.
EXPLANATION = "Agency staff cover two vacant posts until March"


def line_data(**overrides) -> dict[str, str]:
    data = {
        "financial_year": "2026",
        "description": "Staffing",
        "funding_source": "Social Care Reform Grant",
        "allocated": "£120,000",
        "spent": "",
        "forecast": "",
        "variance_explanation": "",
    }
    data.update(overrides)
    return data


def add(client, user, workstream, **overrides):
    client.force_login(user)
    return client.post(reverse("budget_line_add", args=[workstream.pk]), line_data(**overrides))


def opened(client, user, line) -> dict[str, str]:
    """The change form as it opens for `user`, as the browser would send it back."""
    client.force_login(user)
    html = client.get(reverse("budget_line_edit", args=[line.pk])).content.decode()
    return form_with(html, "forecast").data()


def stored(line) -> tuple:
    line = BudgetLine.objects.get(pk=line.pk)
    return (
        line.version,
        line.financial_year,
        line.description,
        line.funding_source,
        line.allocated,
        line.spent,
        line.forecast,
        line.variance_explanation,
    )


@pytest.fixture
def line(plan):
    return BudgetLineFactory(
        workstream=plan["ws_1_1"],
        financial_year=2026,
        description="Staffing",
        funding_source="Base budget",
        allocated=Decimal(1000),
        spent=Decimal(200),
        forecast=Decimal(1000),
    )


# ----- The project manager keeps the lines -----


def test_the_project_manager_adds_a_budget_line_with_its_history(client, people, plan):
    response = add(client, people["manager"], plan["ws_1_1"])

    line = BudgetLine.objects.get(workstream=plan["ws_1_1"])
    assert response.status_code == 302
    assert response["Location"] == reverse("workstream_budget", args=[plan["ws_1_1"].pk])
    # Blank spent is nothing spent yet; a blank forecast is the allocation.
    assert stored(line)[1:] == (
        2026,
        "Staffing",
        "Social Care Reform Grant",
        Decimal(120000),
        Decimal(0),
        Decimal(120000),
        "",
    )
    assert line.history.get().history_user == people["manager"]
    page = client.get(response["Location"]).content.decode()
    assert reverse("budget_line_add", args=[plan["ws_1_1"].pk]) in page
    assert "Funded by Social Care Reform Grant" in page and "£120,000" in page
    assert "<strong>2026/27 Staffing</strong>: Added" in page


def test_the_project_manager_changes_every_part_of_a_line(client, people, line):
    data = opened(client, people["manager"], line)
    assert (data["financial_year"], data["description"], data["allocated"]) == (
        "2026",
        "Staffing",
        "1000.00",
    )
    data.update(
        financial_year="2027",
        description="Staffing and training",
        funding_source="Better Care Fund",
        allocated="1,200.50",
        spent="300",
        forecast="1200.50",
    )

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    assert response.status_code == 302
    assert stored(line) == (
        2,
        2027,
        "Staffing and training",
        "Better Care Fund",
        Decimal("1200.50"),
        Decimal(300),
        Decimal("1200.50"),
        "",
    )
    latest = BudgetLine.history.filter(id=line.pk).latest("history_date")
    assert latest.history_user == people["manager"]
    page = client.get(response["Location"]).content.decode()
    assert "Description changed from Staffing to Staffing and training" in page


def test_the_project_manager_removes_a_line_and_its_history_stays(client, people, line):
    client.force_login(people["manager"])
    url = reverse("budget_line_remove", args=[line.pk])
    data = form_with(client.get(url).content.decode(), "version").data()

    response = client.post(url, data)

    assert response.status_code == 302
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    removed = BudgetLine.history.filter(id=line.pk).latest("history_date")
    assert removed.history_type == "-" and removed.history_user == people["manager"]
    page = client.get(response["Location"]).content.decode()
    assert "<strong>2026/27 Staffing</strong>: Removed" in page


def test_a_removal_from_a_stale_page_is_refused_and_the_line_kept(client, people, line):
    client.force_login(people["manager"])
    url = reverse("budget_line_remove", args=[line.pk])
    data = form_with(client.get(url).content.decode(), "version").data()
    line._history_user = people["lead"]
    line.spent = Decimal(400)
    line.save()

    response = client.post(url, data)

    assert response.status_code == 409
    assert "Someone else changed this budget line" in response.content.decode()
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_a_closed_workstream_gets_no_new_budget_line(client, people, plan):
    workstream = plan["ws_1_1"]
    workstream.closed_on = date(2026, 11, 1)
    workstream.save()

    client.force_login(people["office"])
    page = client.get(reverse("workstream_budget", args=[workstream.pk]))
    response = add(client, people["office"], workstream)

    assert page.status_code == 200
    assert reverse("budget_line_add", args=[workstream.pk]) not in page.content.decode()
    assert response.status_code == 400
    assert [text for _, text in summary(response.content.decode())] == [
        "This workstream is closed: its budget only shows"
    ]
    assert not BudgetLine.objects.exists()


# ----- The lead keeps spent, forecast and the explanation -----


def test_the_leads_form_offers_only_spent_forecast_and_the_explanation(client, people, line):
    client.force_login(people["lead"])
    html = client.get(reverse("budget_line_edit", args=[line.pk])).content.decode()

    assert form_with(html, "forecast").names == {
        "version",
        "spent",
        "forecast",
        "variance_explanation",
    }
    assert "£1,000" in html  # the allocation, shown but not to change


def test_the_lead_updates_spent_and_forecast_and_the_rest_they_send_is_ignored(
    client, people, line
):
    data = opened(client, people["lead"], line)
    data.update(
        spent="450",
        forecast="1,100",
        variance_explanation=EXPLANATION,
        # Fields the lead's form does not have, sent anyway:
        allocated="5000",
        description="Something else",
        funding_source="Elsewhere",
        financial_year="2027",
    )

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    assert response.status_code == 302
    assert stored(line) == (
        2,
        2026,
        "Staffing",
        "Base budget",
        Decimal(1000),
        Decimal(450),
        Decimal(1100),
        EXPLANATION,
    )
    latest = BudgetLine.history.filter(id=line.pk).latest("history_date")
    assert latest.history_user == people["lead"]


def test_a_lead_of_another_workstream_may_not_change_the_line(client, people, line):
    before = stored(line)
    client.force_login(people["other_lead"])
    data = {
        "version": "1",
        "spent": "999",
        "forecast": "999",
        "variance_explanation": "Mine now",
        "allocated": "1",
    }

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    assert response.status_code in (403, 404)
    assert stored(line) == before


def test_the_lead_may_not_add_or_remove_lines(client, people, line):
    before = stored(line)
    client.force_login(people["lead"])

    added = client.post(reverse("budget_line_add", args=[line.workstream_id]), line_data())
    removed = client.post(reverse("budget_line_remove", args=[line.pk]), {"version": "1"})

    assert (added.status_code, removed.status_code) == (403, 403)
    assert list(BudgetLine.objects.values_list("pk", flat=True)) == [line.pk]
    assert stored(line) == before


# ----- The 5% rule -----


@pytest.mark.parametrize("forecast", ["1050.01", "949.99", "2000", "0"])
def test_a_forecast_more_than_five_percent_from_the_allocation_needs_an_explanation(
    client, people, plan, forecast
):
    response = add(client, people["manager"], plan["ws_1_1"], allocated="1000", forecast=forecast)

    html = response.content.decode()
    assert response.status_code == 400
    message = error_by(html, "id_variance_explanation")
    assert message.startswith("The forecast is ")
    assert "explain the variance (needed when it is more than 5% either way)" in message
    assert summary(html) == [("#id_variance_explanation", message)]
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize("forecast", ["1050", "950", "1000", "1049.99"])
def test_a_forecast_within_five_percent_needs_no_explanation(client, people, plan, forecast):
    response = add(client, people["manager"], plan["ws_1_1"], allocated="1000", forecast=forecast)

    assert response.status_code == 302
    assert BudgetLine.objects.get().forecast == Decimal(forecast)


def test_the_prompt_says_how_far_the_forecast_is_out(client, people, plan):
    response = add(client, people["manager"], plan["ws_1_1"], allocated="1000", forecast="1125")

    assert error_by(response.content.decode(), "id_variance_explanation") == (
        "The forecast is 12.5% above the allocation: explain the variance (needed when it is "
        "more than 5% either way)"
    )


def test_with_an_explanation_a_large_variance_is_saved(client, people, plan):
    response = add(
        client,
        people["manager"],
        plan["ws_1_1"],
        allocated="1000",
        forecast="1200",
        variance_explanation=EXPLANATION,
    )

    assert response.status_code == 302
    assert BudgetLine.objects.get().variance_explanation == EXPLANATION


def test_the_leads_forecast_more_than_five_percent_out_needs_an_explanation(client, people, line):
    before = stored(line)
    data = opened(client, people["lead"], line)
    data.update(forecast="1051", spent="600")

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "explain the variance" in error_by(html, "id_variance_explanation")
    assert [link for link, _ in summary(html)] == ["#id_variance_explanation"]
    assert stored(line) == before
    # Exactly 5% needs none.
    data["forecast"] = "1050"
    assert client.post(reverse("budget_line_edit", args=[line.pk]), data).status_code == 302
    assert stored(line)[5:7] == (Decimal(600), Decimal(1050))


# ----- Where the explanation is read -----


@pytest.fixture
def explained(people, plan):
    """A line 20% over its allocation, explained by the lead through the page."""
    return BudgetLineFactory(
        workstream=plan["ws_1_1"],
        financial_year=2026,
        description="Transport",
        allocated=Decimal(5000),
        forecast=Decimal(5000),
    )


def explain(client, people, line):
    data = opened(client, people["lead"], line)
    data.update(forecast="6000", variance_explanation=EXPLANATION)
    assert client.post(reverse("budget_line_edit", args=[line.pk]), data).status_code == 302


def test_the_explanation_shows_on_the_workstream_page(client, people, plan, explained):
    explain(client, people, explained)
    client.force_login(people["board"])

    html = client.get(reverse("workstream_detail", args=[plan["ws_1_1"].pk])).content.decode()

    assert f"<strong>Variance explained:</strong> {EXPLANATION}" in html


def test_the_explanation_shows_in_the_dashboards_budget_table(client, people, plan, explained):
    explain(client, people, explained)
    client.force_login(people["board"])

    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()

    budget = html[html.index('id="budget-heading"') :]
    budget = budget[: budget.index("</section>")]
    assert "2026/27: 1 line more than 5% from the allocation, and why" in budget
    assert "1.1 Day Opportunities</a>, Transport: £1,000 over the allocation." in budget
    assert f'<p class="app-explanation">{EXPLANATION}</p>' in budget


def test_an_unexplained_variance_shows_as_not_explained_on_the_dashboard(client, people, plan):
    BudgetLineFactory(workstream=plan["ws_1_1"], allocated=Decimal(5000), forecast=Decimal(6000))
    client.force_login(people["board"])

    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()

    assert "1 line over 5% without an explanation" in html
    assert "Not explained yet" in html


def test_the_explanation_is_in_the_highlight_reports_html(client, people, plan, explained):
    explain(client, people, explained)
    period = PeriodFactory(
        programme=plan["programme"], month=date(2026, 11, 1), cut_off=date(2026, 11, 23)
    )

    # The HTML the PDF is made from (reporting.tasks.build_pdf: gather, render, convert).
    html = render_html(gather_highlight(plan["programme"], period, author="Programme office"))

    variances = html[html.index("Variances of more than 5%, and why") :]
    variances = variances[: variances.index("</ul>")]
    row = re.search(r"<li><span[^>]*>2026/27</span>(.*?)</li>", variances, re.S)
    assert row, "no variance for 2026/27"
    assert "1.1 Day Opportunities: Transport" in row[1]
    assert "£1,000" in row[1]
    assert EXPLANATION in row[1]


# ----- Bad input, each its own test -----


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("financial_year", "", "Choose the financial year"),
        ("financial_year", "2030", "Choose a financial year within the programme"),
        ("financial_year", "twenty", "Choose a financial year within the programme"),
        ("description", "", "Enter what the money is for"),
        ("description", "D" * 301, "What the money is for must be 300 characters or fewer"),
        ("funding_source", "F" * 201, "The funding source must be 200 characters or fewer"),
        ("allocated", "", "Enter the allocated amount"),
        ("allocated", "lots", "The allocated amount must be an amount of money"),
        ("allocated", "NaN", "The allocated amount must be an amount of money"),
        ("allocated", "Infinity", "The allocated amount must be an amount of money"),
        ("allocated", "12.345", "The allocated amount can have at most 2 decimal places"),
        ("allocated", "1" * 13, "The allocated amount must be less than £1,000,000,000,000"),
        ("allocated", "-5", "The allocated amount cannot be less than £0"),
        ("spent", "some", "The spent amount must be an amount of money"),
        ("spent", "-0.01", "The spent amount cannot be less than £0"),
        ("forecast", "1.2.3", "The forecast amount must be an amount of money"),
        ("forecast", "0.001", "The forecast amount can have at most 2 decimal places"),
        ("variance_explanation", "x" * 2001, "The explanation must be 2,000 characters or fewer"),
    ],
)
def test_bad_input_when_adding_a_line_is_refused_by_the_field(
    client, people, plan, field, value, message
):
    response = add(client, people["manager"], plan["ws_1_1"], **{field: value})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in error_by(html, f"id_{field}")
    assert [link for link, _ in summary(html)] == [f"#id_{field}"]
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "  ", "Enter what the money is for"),
        ("allocated", "£", "Enter the allocated amount"),
        ("allocated", "1,000.999", "at most 2 decimal places"),
        ("financial_year", "2019", "Choose a financial year within the programme"),
    ],
)
def test_bad_input_when_changing_a_line_saves_nothing(client, people, line, field, value, message):
    before = stored(line)
    data = opened(client, people["manager"], line)
    data["spent"] = "300"
    data[field] = value

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    assert response.status_code == 400
    assert message in error_by(response.content.decode(), f"id_{field}")
    assert stored(line) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("spent", "", "Enter the spent amount"),
        ("forecast", "", "Enter the forecast amount"),
        ("spent", "a lot", "The spent amount must be an amount of money"),
        ("forecast", "1000.001", "The forecast amount can have at most 2 decimal places"),
        ("forecast", "-1", "The forecast amount cannot be less than £0"),
        ("variance_explanation", "x" * 2001, "2,000 characters or fewer"),
    ],
)
def test_bad_input_from_the_lead_saves_nothing(client, people, line, field, value, message):
    before = stored(line)
    data = opened(client, people["lead"], line)
    data["spent"] = "300"
    data[field] = value

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in error_by(html, f"id_{field}")
    assert [link for link, _ in summary(html)] == [f"#id_{field}"]
    assert stored(line) == before


@pytest.mark.parametrize("who", ["manager", "lead"])
@pytest.mark.parametrize("version", ["", "banana", "-1", "2.5"])
def test_a_line_change_with_a_nonsense_version_is_refused_asking_to_reload(
    client, people, line, who, version
):
    before = stored(line)
    data = opened(client, people[who], line)
    data.update(spent="300", version=version)

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    assert response.status_code == 400
    assert "Please reload the page" in summary(response.content.decode())[0][1]
    assert stored(line) == before


@pytest.mark.parametrize("version", ["", "banana"])
def test_a_removal_with_a_nonsense_version_is_refused(client, people, line, version):
    client.force_login(people["manager"])

    response = client.post(reverse("budget_line_remove", args=[line.pk]), {"version": version})

    assert response.status_code == 400
    assert "Please reload the page" in summary(response.content.decode())[0][1]
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_the_leads_update_over_someone_elses_change_is_refused_naming_it(client, people, line):
    data = opened(client, people["lead"], line)
    other = BudgetLine.objects.get(pk=line.pk)
    other._history_user = people["manager"]
    other.spent = Decimal(250)
    other.save()
    data.update(spent="300")

    response = client.post(reverse("budget_line_edit", args=[line.pk]), data)

    html = response.content.decode()
    assert "Someone else changed this budget line" in html
    assert "Spent changed from 200" in html
    assert BudgetLine.objects.get(pk=line.pk).spent == Decimal(250)
