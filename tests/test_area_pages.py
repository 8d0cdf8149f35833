"""A programme area's page (issue 11, "Programme areas"): its aim, sponsor, project manager,
interdependencies, key documents with their links, its workstreams rated by the one rating
path with the area's rolled-up rating and its reasons, and its history; and the programme's
list of areas, reachable from the dashboard."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from programmes.services import replace_key_documents
from tests.clock import TODAY
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    StatusUpdateFactory,
    WorkstreamFactory,
)


def _rating_of(html: str, label: str) -> str:
    """The rating tag that follows `label` on a page."""
    found = re.search(re.escape(label) + r".*?app-rag[^>]*>([^<]+)<", html, re.S)
    assert found, f"no rating after {label!r}"
    return found[1].strip()


def test_the_area_page_shows_the_area_as_the_programme_office_keeps_it(client, people, plan):
    area = plan["area_one"]
    organisation = plan["programme"].organisation
    area.aim = "An ethos of continuous improvement"
    area.sponsor = PersonFactory(organisation=organisation, name="Bernie Flaherty")
    area.project_manager = PersonFactory(organisation=organisation, name="Doris Sheridan")
    area.interdependencies = "1.2 cross ref programme area 3"
    area.save()
    replace_key_documents(
        area,
        [("Carers Strategy 2008", "https://www.example.gov.uk/carers"), ("Valuing People", "")],
    )
    client.force_login(people["board"])

    html = client.get(reverse("area_detail", args=[area.pk])).content.decode()

    for text in (
        "An ethos of continuous improvement",
        "Bernie Flaherty",
        "Doris Sheridan",
        "1.2 cross ref programme area 3",
        '<a class="govuk-link" href="https://www.example.gov.uk/carers"',
        "Carers Strategy 2008",
        "Valuing People",
        "1.1",
        "Day Opportunities",
        "1.2",
        "Involving users",
    ):
        assert text in html
    assert "Change its details" not in html  # the board member changes nothing
    assert "Add a workstream" not in html


def test_the_area_page_rates_the_area_as_the_dashboard_does(client, people, plan):
    # 1.1 is overdue (Red by its plan); 1.2's lead reports Amber.
    MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=TODAY - timedelta(days=40))
    StatusUpdateFactory(workstream=plan["ws_1_2"], rag="amber", reason="Venue lost")
    client.force_login(people["board"])

    area_page = client.get(reverse("area_detail", args=[plan["area_one"].pk])).content.decode()
    dashboard = client.get(reverse("programme_detail", args=[plan["programme"].pk]))

    dashboard_html = dashboard.content.decode()
    on_dashboard = _rating_of(dashboard_html, "1 Community Services</span>")
    assert _rating_of(area_page, '<h2 class="govuk-heading-m">Rating</h2>') == on_dashboard
    assert on_dashboard == "Red"
    assert "Red because: workstream 1.1 is Red" in area_page


def test_the_area_list_shows_each_area_in_order_with_its_rating(client, people, plan):
    client.force_login(people["sponsor"])

    dashboard = client.get(reverse("programme_detail", args=[plan["programme"].pk]))
    listing = client.get(reverse("area_list", args=[plan["programme"].pk]))

    area_url = reverse("area_detail", args=[plan["area_one"].pk])
    assert area_url in dashboard.content.decode()
    assert reverse("area_list", args=[plan["programme"].pk]) in dashboard.content.decode()
    html = listing.content.decode()
    assert html.index("Community Services") < html.index("Accommodation")
    assert area_url in html
    assert "Add an area" not in html and "area_move" not in html


def test_the_area_history_tells_what_changed(client, people, plan):
    area = plan["area_one"]
    area._history_user = people["office"]
    area.aim = "Better day services"
    area.save()
    replace_key_documents(area, [("Carers Strategy", "")], by=people["office"])
    client.force_login(people["lead"])

    html = client.get(reverse("area_detail", args=[area.pk])).content.decode()

    assert "Aim set to Better day services" in html
    assert "Key document “Carers Strategy”" in html


def test_a_closed_area_shows_as_closed_without_its_changes(client, people, plan):
    area = AreaFactory(programme=plan["programme"], reference="3", closed_on=TODAY)
    client.force_login(people["office"])

    html = client.get(reverse("area_detail", args=[area.pk])).content.decode()

    assert "Closed" in html and "This area closed on 18 November 2026" in html
    for offer in ("Change its details", "Change its key documents", "Close the area"):
        assert offer not in html
    assert reverse("workstream_add", args=[area.pk]) not in html


@pytest.mark.parametrize("size", [1, 4])
def test_the_area_page_runs_a_fixed_number_of_queries(
    client, people, plan, size, django_assert_max_num_queries
):
    area = plan["area_one"]
    replace_key_documents(area, [f"Document {n}" for n in range(3 * size)])
    period = PeriodFactory(programme=plan["programme"])
    for number in range(3 * size):
        workstream = WorkstreamFactory(area=area, reference=f"1.{number + 3}")
        for milestone in range(2 * size):
            MilestoneFactory(workstream=workstream, reference=f"1.{number + 3}.{milestone}")
        StatusUpdateFactory(workstream=workstream, period=period, rag="amber", reason="Slipping")
    client.force_login(people["office"])

    with django_assert_max_num_queries(14):
        response = client.get(reverse("area_detail", args=[area.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_the_area_list_runs_a_fixed_number_of_queries(
    client, people, plan, size, django_assert_max_num_queries
):
    for number in range(3 * size):
        extra = AreaFactory(programme=plan["programme"], reference=str(number + 3))
        WorkstreamFactory(area=extra, reference=f"{number + 3}.1")
    client.force_login(people["office"])

    with django_assert_max_num_queries(11):
        response = client.get(reverse("area_list", args=[plan["programme"].pk]))

    assert response.status_code == 200
