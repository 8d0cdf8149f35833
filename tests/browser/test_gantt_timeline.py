"""A board member reads the Gantt timeline on a phone: the page is no wider than the screen,
only the chart scrolls sideways, the keyboard reaches a marker and shows its details, Enter
opens the milestone, an area folds away, and axe-core finds no serious violation."""

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
    UserFactory,
    WorkstreamFactory,
    grant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_board_member_reads_the_gantt_on_a_phone_and_by_keyboard(page):
    today = timezone.localdate()
    programme = ProgrammeFactory(name="Putting People First")
    PeriodFactory(programme=programme, month=today.replace(day=1))
    area = AreaFactory(programme=programme, reference="1", name="Access and self directed support")
    other = AreaFactory(programme=programme, reference="2", name="Housing")
    workstream = WorkstreamFactory(
        area=area, reference="1.1", name="CareFirst upgrade and the training of every user"
    )
    go_live = MilestoneFactory(
        workstream=workstream,
        reference="1.1.1",
        title="Go live with CareFirst 6",
        baseline_date=today + timedelta(days=20),
        forecast_date=today + timedelta(days=45),
    )
    train = MilestoneFactory(
        workstream=WorkstreamFactory(area=area, reference="1.2", name="Training"),
        reference="1.2.1",
        title="Train 700 users",
        kind="key_decision",
        baseline_date=today + timedelta(days=120),
    )
    train.depends_on.add(go_live)
    MilestoneFactory(
        workstream=WorkstreamFactory(area=other, reference="2.1", name="Extra care housing"),
        reference="2.1.1",
        title="Homes let",
        baseline_date=today + timedelta(days=200),
    )
    board = UserFactory(username="board", password="a-board-password-1")
    grant(board, Role.BOARD_MEMBER, programme=programme)

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "board", "a-board-password-1")
    page.goto(f"/programmes/{programme.pk}/timeline/")
    chart = page.locator(".app-gantt")
    expect(chart).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    scroll = chart.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert scroll[0] > scroll[1], scroll  # the chart scrolls inside its own box
    expect(page.locator("path.app-gantt__link")).to_have_count(1)
    phone_violations = serious_accessibility_violations(page)

    # Tab from the chart's box to the first marker: its details show beside it.
    chart.focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('app-gantt__marker')"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("1.1.1 Go live with CareFirst 6, Milestone, forecast "), focused
    assert "baseline" in focused
    tip_visibility = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('.app-gantt__tip')).visibility"
    )
    assert tip_visibility == "visible"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/milestones/{go_live.pk}/")

    page.go_back()
    page.set_viewport_size({"width": 1366, "height": 900})
    housing = page.locator("details.app-gantt__area").nth(1)
    expect(housing.get_by_role("link", name="2.1 Extra care housing")).to_be_visible()
    housing.locator("summary").click()
    expect(housing.get_by_role("link", name="2.1 Extra care housing")).to_be_hidden()
    page.get_by_text("Show as a table").click()
    expect(page.locator(".app-gantt-table table")).to_contain_text("Train 700 users")
    desktop_violations = serious_accessibility_violations(page)

    found = {"Timeline at 390 px": phone_violations, "Timeline at 1366 px": desktop_violations}
    assert all(not violations for violations in found.values()), describe(found)
