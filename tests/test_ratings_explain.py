"""Every rating explains itself (issue 13, part 7): the portfolio's overall ratings and the
area rows of the dashboard's RAG grid say why, from the one rating path's reasons; a list cut
at five says "and K more" and opens (GOV.UK details) on the rest."""

import re

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from programmes.choices import Role
from tests.clock import TODAY
from tests.factories import (
    AreaFactory,
    PeriodFactory,
    ProgrammeFactory,
    StatusUpdateFactory,
    WorkstreamFactory,
    grant,
)

THIS_MONTH = TODAY.replace(day=1)


def report(workstream, rag, period):
    StatusUpdateFactory(
        workstream=workstream,
        period=period,
        rag=rag,
        reason="Reported by its lead",
        state="submitted",
        submitted_at=timezone.now(),
    )


def row_of(html: str, name: str) -> str:
    """The portfolio's table row for the programme called `name`."""
    start = html.index(f">{escape(name)}</a>")
    return html[start : html.index("</tr>", start)]


def test_the_portfolio_shows_why_each_programme_is_rated_as_it_is(client, people, plan):
    report(plan["ws_1_1"], "red", PeriodFactory(programme=plan["programme"], month=THIS_MONTH))
    other = ProgrammeFactory(name="Housing Futures", organisation=plan["programme"].organisation)
    workstream = WorkstreamFactory(
        area=AreaFactory(programme=other, reference="1"), reference="1.1", name="Repairs"
    )
    report(workstream, "amber", PeriodFactory(programme=other, month=THIS_MONTH))
    grant(people["board"], Role.BOARD_MEMBER, programme=other)
    client.force_login(people["board"])
    html = client.get(reverse("portfolio")).content.decode()
    assert "Red because: workstream 1.1 is Red." in row_of(html, plan["programme"].name)
    assert "Amber because: workstream 1.1 is Amber." in row_of(html, "Housing Futures")


def test_an_area_row_of_the_rag_grid_shows_why(client, people, plan):
    report(plan["ws_2_1"], "amber", PeriodFactory(programme=plan["programme"], month=THIS_MONTH))
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    caption = re.search(r'data-area="2">.*?<table', html, re.S).group(0)  # the area's heading
    assert "Amber because: workstream 2.1 is Amber." in caption


def test_more_than_five_reasons_are_cut_and_open_on_the_rest(client, people, plan):
    period = PeriodFactory(programme=plan["programme"], month=THIS_MONTH)
    red = [plan["ws_1_1"], plan["ws_1_2"]] + [
        WorkstreamFactory(area=plan["area_one"], reference=f"1.{n}", name=f"Stream {n}")
        for n in range(3, 9)
    ]
    for workstream in red:
        report(workstream, "red", period)
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    caption = re.search(r'data-area="1">.*?<table', html, re.S).group(0)
    shown, more = caption.split('<details class="govuk-details', 1)
    assert "Red because: workstream 1.1 is Red; " in shown
    assert shown.count("is Red") == 5
    assert re.search(r'govuk-details__summary-text">\s*and 3 more\s*<', more)
    assert more.count("is Red") == 3
    for workstream in red:
        assert f"workstream {workstream.reference} is Red" in caption
