"""A board member signs in, opens the programme page, finds the RAG grid, and the page passes
axe-core with no serious or critical violations."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.choices import Role
from tests.browser.conftest import describe, serious_accessibility_violations, sign_in
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    programme = ProgrammeFactory(name="Adult and Housing Transformation Programme")
    organisation = programme.organisation
    area = AreaFactory(
        programme=programme,
        reference="1",
        name="Continuous Improvement",
        sponsor=PersonFactory(organisation=organisation, name="Bernie Flaherty"),
    )
    today = timezone.localdate()
    late = WorkstreamFactory(
        area=area,
        reference="1.1",
        name="Modernising Day Opportunities",
        lead=PersonFactory(organisation=organisation, name="Keith Holmes"),
    )
    MilestoneFactory(
        workstream=late,
        reference="1.1.6",
        title="Staff consultation meetings",
        baseline_date=today - timedelta(days=20),
    )
    on_track = WorkstreamFactory(area=area, reference="1.2", name="Involving service users")
    MilestoneFactory(
        workstream=on_track,
        reference="1.2.1",
        title="Feedback surveys",
        baseline_date=today + timedelta(days=40),
    )
    return programme


def test_board_member_sees_the_rag_grid_and_the_page_is_accessible(page, programme):
    board_member = UserFactory(username="board", password="a-board-password-1")
    grant(board_member, Role.BOARD_MEMBER, programme=programme)

    sign_in(page, "board", "a-board-password-1")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name=programme.name).click()

    grid = page.locator("#rag-grid")
    expect(grid).to_be_visible()
    rows = grid.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Red")
    expect(rows.nth(1)).to_contain_text("Green")
    violations = serious_accessibility_violations(page)
    assert violations == [], describe(violations)
