"""A list on a phone: each row a block, its reference and name first, then each value after
its column's heading ("Forecast: Mar 2027"), nothing beyond the screen's edge; a value the row
lacks is left out; the headings stay above as links to sort by. On a desktop, a table."""

from datetime import date, timedelta

import pytest
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
def programme():
    programme = ProgrammeFactory(name="Adult and Housing Transformation Programme")
    workstream = WorkstreamFactory(
        area=AreaFactory(programme=programme, reference="1", name="Continuous Improvement"),
        reference="1.1",
        name="Modernising Day Opportunities for all service users",
    )
    soon = date.today() + timedelta(days=60)
    MilestoneFactory(
        workstream=workstream,
        reference="1.1.1",
        title="Identify project team and project lead",
        baseline_date=soon,
    )
    MilestoneFactory(
        workstream=workstream,
        reference="1.1.2",
        title="Staff consultation meetings with every team in the directorate",
        baseline_date=soon + timedelta(days=90),
    )
    board = UserFactory(username="board", password="a-board-password-1")
    grant(board, Role.BOARD_MEMBER, programme=programme)
    return programme


def label_before(cell) -> str:
    return cell.evaluate("cell => getComputedStyle(cell, '::before').content")


def test_on_a_phone_each_milestone_is_a_block_of_labelled_values(page, programme):
    page.set_viewport_size({"width": PHONE, "height": 900})
    sign_in(page, "board", "a-board-password-1")
    page.goto(f"/programmes/{programme.pk}/milestones/")

    rows = page.locator(".app-list-table tbody tr")
    expect(rows).to_have_count(2)
    cells = rows.first.locator("td")
    headings = page.locator(".app-list-table thead th").evaluate_all(
        "ths => ths.map(th => (th.querySelector('a') ?? th).firstChild.textContent.trim())"
    )
    for n in range(2, cells.count()):
        cell = cells.nth(n)
        if cell.inner_text().strip():
            expect(cell).to_be_visible()
            assert label_before(cell) == f'"{headings[n]}: "'
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, (n, box)
        else:  # no forecast, not completed: left out, not labelled and empty
            expect(cell).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE

    # The headings stay, as links to sort by: the latest baseline first.
    sort = page.locator(".app-list-table thead").get_by_role("link", name="Baseline")
    expect(sort).to_be_visible()
    sort.click()
    sort = page.locator(".app-list-table thead").get_by_role("link", name="Baseline")
    sort.click()
    expect(page.locator(".app-list-table tbody tr").first).to_contain_text("1.1.2")
    violations = serious_accessibility_violations(page)
    assert violations == [], describe(violations)


def test_on_a_desktop_a_list_is_a_table(page, programme):
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    sign_in(page, "board", "a-board-password-1")
    page.goto(f"/programmes/{programme.pk}/milestones/")

    cells = page.locator(".app-list-table tbody tr").first.locator("td")
    tops = {round(cells.nth(n).bounding_box()["y"]) for n in range(cells.count())}
    assert len(tops) == 1  # side by side in one row
    assert {label_before(cells.nth(n)) for n in range(cells.count())} == {"none"}


def test_on_a_phone_the_workstream_pages_milestones_are_labelled_blocks(page, programme):
    page.set_viewport_size({"width": PHONE, "height": 900})
    sign_in(page, "board", "a-board-password-1")
    workstream = programme.areas.get().workstreams.get()
    page.goto(f"/workstreams/{workstream.pk}/")

    cells = page.locator("#milestones ~ .app-table-scroll tbody tr").first.locator("td")
    expect(cells.first).to_have_text("1.1.1")
    assert label_before(cells.nth(2)) == '"Baseline: "'
    expect(cells.nth(3)).to_be_hidden()  # no forecast set: left out
    for n in (0, 1, 2, 5):
        box = cells.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, (n, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
