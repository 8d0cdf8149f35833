"""The programme dashboard of a large programme opens short: the RAG grid's areas folded (name,
rating and count first), the measures off target listed before the others, which are folded;
a small programme, or a grid the filters narrowed to a few workstreams, opens whole."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reporting.dashboard import GRID_OPEN_UP_TO, MEASURES_OPEN_UP_TO
from workstreams.models import Measure, Workstream

pytestmark = pytest.mark.django_db

OPEN_AREA = '<details class="govuk-details app-area" open'
FOLDED_AREA = '<details class="govuk-details app-area" data-area'


def dashboard(client, programme, **filters) -> str:
    client.force_login(get_user_model().objects.get(username="board"))
    response = client.get(reverse("programme_detail", args=[programme.pk]), filters)
    assert response.status_code == 200
    return response.content.decode()


def measure_table(html: str, label: str) -> str:
    return re.search(rf'aria-label="{label}">.*?</table>', html, re.S).group(0)


def ratings_in(table: str) -> list[str]:
    return re.findall(r'class="govuk-tag app-rag[^"]*">([^<]+)</strong>', table)


def test_harrows_grid_opens_with_its_areas_folded_and_every_workstream_a_click_away(client, demo):
    harrow = demo["HARROW-TPP"]
    workstreams = Workstream.objects.filter(area__programme=harrow)
    assert workstreams.count() > GRID_OPEN_UP_TO
    html = dashboard(client, harrow)

    assert OPEN_AREA not in html
    assert html.count(FOLDED_AREA) == harrow.areas.count()
    assert f"{harrow.areas.count()} areas, {workstreams.count()} workstreams: open an area" in html
    for workstream in workstreams:  # folded, not left out
        assert reverse("workstream_detail", args=[workstream.pk]) in html


def test_a_filter_that_leaves_a_few_workstreams_opens_their_areas(client, demo):
    harrow = demo["HARROW-TPP"]
    lead = (
        Workstream.objects.filter(area__programme=harrow, lead__isnull=False)
        .values_list("lead", flat=True)
        .first()
    )
    shown = Workstream.objects.filter(area__programme=harrow, lead=lead)
    assert shown.count() <= GRID_OPEN_UP_TO
    html = dashboard(client, harrow, lead=lead)

    areas = {workstream.area_id for workstream in shown}
    assert html.count(OPEN_AREA) == len(areas) and FOLDED_AREA not in html
    assert "open an area" not in html


def test_a_programme_of_fifteen_workstreams_opens_whole(client, demo):
    lives = demo["TL"]
    assert Workstream.objects.filter(area__programme=lives).count() <= GRID_OPEN_UP_TO
    html = dashboard(client, lives)
    assert html.count(OPEN_AREA) == lives.areas.count() and FOLDED_AREA not in html


def test_harrows_measures_off_target_come_first_and_the_others_are_folded(client, demo):
    harrow = demo["HARROW-TPP"]
    measures = Measure.objects.filter(workstream__area__programme=harrow).count()
    assert measures > MEASURES_OPEN_UP_TO
    html = dashboard(client, harrow)

    off = measure_table(html, "Measures off target")
    others = measure_table(html, "Other measures")
    off_rows, other_rows = off.count("<tr class") - 1, others.count("<tr class") - 1
    assert off_rows + other_rows == measures and off_rows > 0
    # Every measure off target is Red or Amber; none of the others is.
    off_ratings = ratings_in(off)
    assert len(off_ratings) == off_rows and set(off_ratings) <= {"Red", "Amber"}
    assert len(ratings_in(others)) == other_rows
    assert not {"Red", "Amber", "Amber/Red", "Amber/Green"} & set(ratings_in(others))
    assert f"{off_rows} of {measures} measures are off target" in html
    folded = html.index(f"The other {other_rows} measures")
    assert html.rfind("<details", 0, folded) > html.index("Measures off target")
