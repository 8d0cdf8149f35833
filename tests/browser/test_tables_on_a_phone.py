"""Tables on a phone: each row a block, its reference and name first, then each value after
its column's heading ("Forecast: Mar 2027", "Was due: Feb 2026"), nothing beyond the screen's
edge; a value the row lacks is left out. A list's headings stay above as links to sort by. On
a desktop, tables with their headings: the lists, the workstream page and My work."""

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
def programme():
    programme = ProgrammeFactory(name="Adult and Housing Transformation Programme")
    workstream = WorkstreamFactory(
        area=AreaFactory(programme=programme, reference="1", name="Continuous Improvement"),
        reference="1.1",
        name="Modernising Day Opportunities for all service users",
    )
    soon = timezone.localdate() + timedelta(days=60)
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


def test_the_portfolio_fits_a_desktop_and_is_labelled_blocks_on_a_phone(page, programme):
    sign_in(page, "board", "a-board-password-1")
    for width in (DESKTOP, 1024):  # every column inside the page's width, none cut off
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/portfolio/")
        box = page.locator(".app-table-scroll")
        assert box.evaluate("box => box.scrollWidth <= box.clientWidth"), width
        counts = page.locator("tbody tr").first.locator(".app-counts__item")
        expect(counts).to_have_count(3)  # Red, Amber and Green, one a line
        assert len({round(counts.nth(n).bounding_box()["y"]) for n in range(3)}) == 3

    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto("/portfolio/")
    cells = page.locator("tbody tr").first.locator("td")
    expect(cells.first).to_contain_text("Adult and Housing Transformation Programme")
    assert [label_before(cells.nth(n)) for n in range(1, 8)] == [
        '"Overall: "',
        '"Since last period: "',
        '"Workstreams: "',
        '"Overdue milestones: "',
        '"Red risks: "',
        '"Measures off target: "',
        '"Next board: "',
    ]
    for n in range(8):
        box = cells.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, (n, box)
    counts = cells.nth(3).locator(".app-counts__item")
    assert len({round(counts.nth(n).bounding_box()["y"]) for n in range(3)}) == 1  # in a row
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    violations = serious_accessibility_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize(
    ("path", "label"),
    [("/programmes/", '"Organisation: "'), ("/programmes/{pk}/areas/", '"Workstreams: "')],
)
def test_on_a_phone_the_programmes_and_areas_are_labelled_blocks(page, programme, path, label):
    page.set_viewport_size({"width": PHONE, "height": 900})
    sign_in(page, "board", "a-board-password-1")
    page.goto(path.format(pk=programme.pk))

    box = page.locator(".app-table-scroll")
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth")  # nothing off to the side
    labels = (
        page.locator("tbody tr")
        .first.locator("td")
        .evaluate_all("cells => cells.map(cell => getComputedStyle(cell, '::before').content)")
    )
    assert label in labels
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_on_a_phone_a_risks_scores_and_actions_are_labelled_blocks(page, programme):
    from risks.models import MitigationAction
    from tests.factories import PersonFactory, RiskFactory

    risk = RiskFactory(
        programme=programme,
        title="Provider market cannot meet demand",
        inherent_likelihood=4,
        inherent_impact=4,
    )
    owner = PersonFactory(organisation=programme.organisation, name="Gwyneth Allen")
    MitigationAction.objects.create(
        risk=risk,
        description="Commission a market position statement with the three largest providers",
        owner=owner,
        due_date=timezone.localdate() + timedelta(days=30),
    )
    page.set_viewport_size({"width": PHONE, "height": 900})
    sign_in(page, "board", "a-board-password-1")
    page.goto(f"/risks/{risk.pk}/")

    scores = page.locator('[aria-label="Scores"] tbody tr').first
    expect(scores.locator("th")).to_contain_text("Inherent")
    cells = scores.locator("td")
    assert [label_before(cells.nth(n)) for n in range(4)] == [
        '"Likelihood: "',
        '"Impact: "',
        '"Score: "',
        '"Band: "',
    ]
    action = page.locator('[aria-label="Mitigation actions"] tbody tr').first.locator("td")
    assert label_before(action.nth(1)) == '"Owner: "'
    for box in page.locator(".app-table-scroll").all():
        assert box.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
