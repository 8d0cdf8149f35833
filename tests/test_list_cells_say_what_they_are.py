"""Every list's cells carry their column's heading (`data-label`), which a phone shows before
each value once the rows become blocks (tests/browser/test_tables_on_a_phone.py): checked for
each list against the headings the table itself shows, so a column added or moved in one
place and not the other fails here."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

LISTS = [
    "workstream_list",
    "milestone_list",
    "measure_list",
    "benefit_list",
    "risk_list",
    "decision_list",
    "issue_list",
    "action_list",
    "lesson_list",
    "change_list",
]


def headings_and_rows(html: str) -> tuple[list[str], list[list[str | None]]]:
    table = re.search(r'<table class="[^"]*app-list-table.*?</table>', html, re.S).group(0)
    head, body = table.split("</thead>")
    headings = [
        re.sub(r"<[^>]+>", "", re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", th))
        .strip()
        .removesuffix("\u25b2")
        .strip()
        for th in re.findall(r"<th [^>]*>(.*?)</th>", head, re.S)
    ]
    rows = [
        [
            (label.group(1) if (label := re.search(r'data-label="([^"]*)"', td)) else None)
            for td in re.findall(r"<td [^>]*>", row)
        ]
        for row in re.findall(r"<tr class=\"govuk-table__row\"[^>]*>(.*?)</tr>", body, re.S)
    ]
    return headings, rows


# The risk register adds a column when filtered on inherent scores.
PAGES = [(name, {}) for name in LISTS] + [("risk_list", {"scores": "inherent"})]


@pytest.mark.parametrize(("name", "query"), PAGES)
def test_each_cell_after_the_name_is_labelled_with_its_columns_heading(client, demo, name, query):
    client.force_login(get_user_model().objects.get(username="office"))
    programme = next(
        programme
        for programme in demo.values()
        if "app-list-table"
        in client.get(reverse(name, args=[programme.pk]), query).content.decode()
    )
    html = client.get(reverse(name, args=[programme.pk]), query).content.decode()

    headings, rows = headings_and_rows(html)
    assert rows and len(headings) >= 4
    for row in rows:
        assert row[:2] == [None, None]  # the reference and the name say what they are
        assert row[2:] == headings[2:]
