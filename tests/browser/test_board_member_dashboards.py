"""A board member opens the portfolio and the programme dashboard, clicks a heat-map cell and
a milestone count, and lands on the filtered lists; axe-core reports no serious or critical
violations on each page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.choices import Role
from tests.browser.conftest import describe, serious_accessibility_violations, sign_in
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    RiskFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_member_drills_down_from_the_portfolio(page):
    today = timezone.localdate()
    programme = ProgrammeFactory(name="Putting People First")
    ProgrammeFactory(name="Somebody else's programme")
    PeriodFactory(programme=programme, month=today.replace(day=1))
    area = AreaFactory(
        programme=programme, reference="ASDS", name="Access and self directed support"
    )
    workstream = WorkstreamFactory(area=area, reference="CF6", name="CareFirst Upgrade")
    MilestoneFactory(
        workstream=workstream,
        reference="CF6.1",
        title="Go live with CF6",
        baseline_date=today - timedelta(days=14),
    )
    MilestoneFactory(
        workstream=workstream,
        reference="CF6.2",
        title="Train 700 users",
        baseline_date=today + timedelta(days=120),
    )
    RiskFactory(
        programme=programme,
        workstream=workstream,
        reference="CF6 - 001",
        title="ACM programme dependency",
        current_likelihood=4,
        current_impact=3,
    )
    RiskFactory(
        programme=programme,
        reference="R2",
        title="Market capacity",
        current_likelihood=2,
        current_impact=2,
    )
    board = UserFactory(username="board", password="a-board-password-1")
    grant(board, Role.BOARD_MEMBER, programme=programme)
    found = {}

    sign_in(page, "board", "a-board-password-1")
    page.get_by_role("link", name="Portfolio").click()
    expect(page.locator("main table")).to_contain_text("Putting People First")
    assert "Somebody else" not in page.content()
    found["Portfolio"] = serious_accessibility_violations(page)

    page.get_by_role("link", name="Putting People First").click()
    expect(page.locator("#rag-grid")).to_be_visible()
    found["Programme dashboard"] = serious_accessibility_violations(page)

    page.get_by_role("link", name="risks of likelihood 4 and impact 3").click()
    page.wait_for_url(lambda url: "likelihood=4" in url and "impact=3" in url)
    register = page.locator("main")
    expect(register).to_contain_text("CF6 - 001")
    expect(register).not_to_contain_text("Market capacity")
    found["Risks of likelihood 4 and impact 3"] = serious_accessibility_violations(page)

    page.go_back()
    page.get_by_role("link", name="milestones overdue").click()
    page.wait_for_url(lambda url: "due=overdue" in url)
    listing = page.locator("main")
    expect(listing).to_contain_text("Go live with CF6")
    expect(listing).not_to_contain_text("Train 700 users")
    found["Overdue milestones"] = serious_accessibility_violations(page)

    page.go_back()
    page.get_by_role("link", name="Timeline of milestones and decisions").click()
    timeline = page.locator(".app-gantt")
    expect(timeline).to_contain_text("Today")
    expect(timeline.locator('a[aria-label^="CF6.1 Go live with CF6"]')).to_have_count(1)
    found["Timeline"] = serious_accessibility_violations(page)

    assert all(not violations for violations in found.values()), describe(found)
