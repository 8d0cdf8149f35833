"""The milestone and workstream lists write their rows in Python (issue 17), as the risk
register does: the same cells as their templates wrote, every value escaped, each cell
labelled for a phone, each link to its page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.clock import TODAY
from tests.factories import MilestoneFactory, PersonFactory


@pytest.fixture
def board(client, people):
    client.force_login(people["board"])
    return client


def page(client, url_name, programme, query=""):
    response = client.get(reverse(url_name, args=[programme.pk]) + query)
    assert response.status_code == 200
    return re.sub(r">\s+<", "><", response.content.decode())  # as a browser reads it


def test_a_milestone_row_is_escaped_labelled_and_rated_with_its_reason(board, plan):
    workstream = plan["ws_1_1"]
    workstream.name = "Day <Opportunities> & services for people with learning disabilities"
    workstream.save()
    late = MilestoneFactory(
        workstream=workstream,
        reference="1.1.1",
        title="Open the <new> hub & spoke",
        baseline_date=TODAY - timedelta(days=10),
    )
    html = page(board, "milestone_list", plan["programme"])
    link = reverse("milestone_detail", args=[late.pk])
    assert (
        '<td class="govuk-table__cell app-table__reference">1.1.1</td>'
        f'<td class="govuk-table__cell"><a class="govuk-link" href="{link}">'
        "Open the &lt;new&gt; hub &amp; spoke</a></td>"
    ) in html
    # The workstream's name cut at six words, as `truncatewords:6` cut it.
    assert (
        '<td class="govuk-table__cell" data-label="Workstream">'
        "1.1 Day &lt;Opportunities&gt; &amp; services for people …</td>"
    ) in html
    assert f'data-label="Baseline">{TODAY - timedelta(days=10):%-d %b %Y}</td>' in html
    assert 'data-label="Completed"></td>' in html
    assert (
        '<td class="govuk-table__cell app-list-table__rag" data-label="RAG">'
        '<strong class="govuk-tag app-rag govuk-tag--red app-rag--small">Red</strong>'
        '<p class="app-explanation">It is 10 days late</p></td>'
    ) in html


def test_a_workstream_row_is_escaped_labelled_and_says_its_lead(board, plan):
    workstream = plan["ws_2_1"]
    workstream.name = "Extra <Care> & Housing"
    workstream.lead = PersonFactory(organisation=plan["programme"].organisation, name="Jo <Lead>")
    workstream.save()
    html = page(board, "workstream_list", plan["programme"])
    link = reverse("workstream_detail", args=[workstream.pk])
    assert (
        f'<td class="govuk-table__cell"><a class="govuk-link" href="{link}">'
        "Extra &lt;Care&gt; &amp; Housing</a></td>"
        '<td class="govuk-table__cell" data-label="Area">2 Accommodation</td>'
        '<td class="govuk-table__cell" data-label="Lead">Jo &lt;Lead&gt;</td>'
        '<td class="govuk-table__cell" data-label="Reported RAG">'
        '<strong class="govuk-tag app-rag govuk-tag--grey app-rag--small">Not reported</strong>'
        "</td>"
    ) in html
    assert 'data-label="Lead">Not named</td>' in html  # the other workstreams have no lead
