"""Every list's cells, and those of the other tables that become blocks on a phone, carry
their column's heading (`data-label`), which a phone shows before each value
(tests/browser/test_tables_on_a_phone.py): checked against the headings the table itself
shows, so a column added or moved in one place and not the other fails here."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from workstreams.models import Workstream

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
    table = re.search(r'<table class="[^"]*app-(?:list|stacked)-table.*?</table>', html, re.S)
    head, body = table.group(0).split("</thead>")
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


def labelled_tables(html: str):
    """Each table that becomes blocks on a phone: its headings, and each row's cells' labels
    (None where a cell has none)."""
    for table in re.findall(
        r'<table class="[^"]*(?:app-stacked-table|app-list-table)[^"]*">.*?</table>', html, re.S
    ):
        yield headings_and_rows(table)


@pytest.mark.parametrize(
    ("username", "page"),
    [
        ("board", "programme_detail"),
        ("board", "workstream_detail"),
        ("board", "area_detail"),
        ("manager", "home"),
        ("office", "home"),
        ("lead", "home"),
    ],
)
def test_every_labelled_cell_of_a_page_says_its_own_columns_heading(client, demo, username, page):
    client.force_login(get_user_model().objects.get(username=username))
    harrow = demo["HARROW-TPP"]
    args = {
        "programme_detail": [harrow.pk],
        "workstream_detail": [Workstream.objects.filter(area__programme=harrow).first().pk],
        "area_detail": [harrow.areas.first().pk],
        "home": [],
    }[page]
    html = client.get(reverse(page, args=args)).content.decode()

    tables = list(labelled_tables(html))
    assert tables
    labelled = 0
    for headings, rows in tables:
        for row in rows:
            assert len(row) == len(headings)
            for heading, label in zip(headings, row, strict=True):
                if label is not None:
                    assert label == heading
                    labelled += 1
    assert labelled
