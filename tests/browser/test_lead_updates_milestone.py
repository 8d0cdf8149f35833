"""A lead signs in, sees the overdue milestone on My work, marks it complete with a note,
sees the RAG turn Complete, and finds the change in the history; axe-core reports no serious
or critical violations on the pages visited."""

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
from workstreams.models import Milestone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_completes_an_overdue_milestone(page):
    today = timezone.localdate()
    programme = ProgrammeFactory(name="Adult and Housing Transformation Programme")
    area = AreaFactory(programme=programme, reference="1", name="Continuous Improvement")
    workstream = WorkstreamFactory(area=area, reference="1.2", name="Involving service users")
    milestone = MilestoneFactory(
        workstream=workstream,
        reference="1.2.4",
        title="Policy signed off by Cabinet",
        baseline_date=today - timedelta(days=9),
    )
    lead = UserFactory(username="anne", password="a-lead-password-1")
    PersonFactory(organisation=programme.organisation, name="Anne Mosley", user=lead)
    grant(lead, Role.WORKSTREAM_LEAD, workstream=workstream)
    accessibility = {}

    sign_in(page, "anne", "a-lead-password-1")
    expect(page.locator("#overdue + .app-table-scroll table")).to_contain_text(
        "1.2.4 Policy signed off by Cabinet"
    )
    accessibility["My work"] = serious_accessibility_violations(page)

    page.get_by_role("link", name="1.2.4 Policy signed off by Cabinet").click()
    rag = page.locator("#milestone-rag")
    expect(rag).to_contain_text("Red")
    expect(rag).to_contain_text("9 days late")

    page.get_by_label("Complete").check()
    page.locator("#id_actual_date_0").fill(str(today.day))
    page.locator("#id_actual_date_1").fill(str(today.month))
    page.locator("#id_actual_date_2").fill(str(today.year))
    page.locator("#id_actual_date_2").dispatch_event("change")
    # The rating follows what the lead typed, before saving (htmx).
    expect(rag).to_contain_text("Complete")
    expect(rag).to_contain_text("not saved yet")
    page.get_by_label("Progress note").fill("Signed off at Cabinet on the 14th")
    accessibility["Milestone"] = serious_accessibility_violations(page)
    page.get_by_role("button", name="Save progress").click()

    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Milestone 1.2.4 updated")
    expect(page.locator("#milestone-rag")).to_contain_text("Complete")
    history = page.locator(".app-history")
    expect(history).to_contain_text(f"Completed on {today.day} {today:%b %Y}")
    expect(history).to_contain_text("by Anne Mosley")
    expect(page.locator(".app-note").first).to_contain_text("Signed off at Cabinet on the 14th")
    accessibility["Milestone after saving"] = serious_accessibility_violations(page)

    assert Milestone.objects.get(pk=milestone.pk).status == "complete"
    assert all(not found for found in accessibility.values()), describe(accessibility)
