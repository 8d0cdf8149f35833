"""My work on a phone: its tables become one block a row, each value saying what it is
("Was due: ..."), so nothing is hidden beyond the screen's edge; on a desktop they stay tables
with their headings."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.choices import Role
from tests.browser.conftest import describe, serious_accessibility_violations, sign_in
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 390, 1280


@pytest.fixture
def lead():
    programme = ProgrammeFactory(name="Adult and Housing Transformation Programme")
    workstream = WorkstreamFactory(
        area=AreaFactory(programme=programme, reference="4", name="Well Being"),
        reference="4.6",
        name="Learn from complaints themes, improve the corporate complaints database and "
        "access to complaints procedures",
    )
    MilestoneFactory(
        workstream=workstream,
        reference="4.6.1",
        title="Laminated complaints posters in public areas",
        baseline_date=timezone.localdate() - timedelta(days=40),
    )
    user = UserFactory(username="lead", password="a-lead-password-1")
    grant(user, Role.WORKSTREAM_LEAD, workstream=workstream)
    return user


def overdue_cells(page):
    return page.locator("#overdue + .app-table-scroll tbody tr").first.locator("td")


def label_before(cell) -> str:
    return cell.evaluate("cell => getComputedStyle(cell, '::before').content")


def test_on_a_phone_each_overdue_milestone_is_a_block_whose_values_say_what_they_are(page, lead):
    page.set_viewport_size({"width": PHONE, "height": 900})
    sign_in(page, "lead", "a-lead-password-1")
    expect(page.get_by_role("heading", name="Overdue milestones (1)")).to_be_visible()

    cells = overdue_cells(page)
    expect(cells).to_have_count(4)
    assert [label_before(cells.nth(n)) for n in range(4)] == [
        "none",
        '"Workstream: "',
        '"Was due: "',
        '"Days late: "',
    ]
    for n in range(4):  # each value on the screen, none beyond its right edge
        box = cells.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, (n, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    expect(cells.nth(3)).to_have_text("40")
    violations = serious_accessibility_violations(page)
    assert violations == [], describe(violations)


def test_on_a_desktop_they_stay_a_table_with_its_headings(page, lead):
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    sign_in(page, "lead", "a-lead-password-1")

    headers = page.locator("#overdue + .app-table-scroll thead th")
    expect(headers).to_have_text(["Milestone", "Workstream", "Was due", "Days late"])
    expect(headers.first).to_be_visible()
    cells = overdue_cells(page)
    assert {label_before(cells.nth(n)) for n in range(4)} == {"none"}
    tops = {round(cells.nth(n).bounding_box()["y"]) for n in range(4)}
    assert len(tops) == 1  # one row, side by side
