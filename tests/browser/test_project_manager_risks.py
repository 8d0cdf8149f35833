"""A project manager raises a risk, adds a mitigation action, sees it on the heat map cell,
marks it realised and finds the new issue; axe-core reports no serious or critical
violations on the pages visited."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.choices import Role
from tests.browser.conftest import describe, serious_accessibility_violations, sign_in
from tests.factories import (
    AreaFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, name: str, day):
    page.locator(f"#id_{name}_0").fill(str(day.day))
    page.locator(f"#id_{name}_1").fill(str(day.month))
    page.locator(f"#id_{name}_2").fill(str(day.year))


def test_project_manager_raises_mitigates_and_realises_a_risk(page):
    programme = ProgrammeFactory(name="Putting People First")
    area = AreaFactory(programme=programme, reference="BSPI", name="Business systems")
    WorkstreamFactory(area=area, reference="CF6", name="CareFirst Upgrade")
    manager = UserFactory(username="alex", password="a-manager-password-1")
    person = PersonFactory(organisation=programme.organisation, name="Alex Garnett", user=manager)
    grant(manager, Role.PROJECT_MANAGER, area=area)
    found = {}

    sign_in(page, "alex", "a-manager-password-1")
    page.goto(f"/programmes/{programme.pk}/risks/")
    page.get_by_role("link", name="Raise a risk").click()
    page.get_by_label("Reference", exact=True).fill("CF6 - 005")
    page.get_by_label("Risk", exact=True).fill("CareStore link not secure")
    page.get_by_label("Threat", exact=True).check()
    page.get_by_label("Event").fill("The link to CareStore fails the security review")
    page.get_by_label("Programme area").select_option(label="BSPI Business systems")
    page.get_by_label("Workstream").select_option(label="CF6 CareFirst Upgrade")
    page.get_by_label("Owner").select_option(label="Alex Garnett")
    page.get_by_label("Current likelihood").select_option("4")
    page.get_by_label("Current impact").select_option("3")
    found["Raise a risk"] = serious_accessibility_violations(page)
    page.get_by_role("button", name="Raise risk").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Risk CF6 - 005 raised")

    page.get_by_label("Action").fill("Ask corporate ICT for a penetration test")
    page.get_by_label("Owner").select_option(label="Alex Garnett")
    fill_date(page, "action-due_date", timezone.localdate() + timedelta(days=21))
    page.get_by_role("button", name="Add action").click()
    expect(page.locator("#actions + .app-table-scroll table")).to_contain_text("Ask corporate ICT")
    found["Risk"] = serious_accessibility_violations(page)

    page.get_by_role("link", name="Risk register").click()
    cell = page.get_by_role("link", name="risks of likelihood 4 and impact 3")
    expect(cell).to_have_text(re.compile(r"^\s*1"))
    cell.click()
    expect(page.locator("main table.app-list-table")).to_contain_text("CF6 - 005")
    found["Register"] = serious_accessibility_violations(page)

    page.get_by_role("link", name="CareStore link not secure").click()
    page.get_by_role("link", name="It has happened: make it an issue").click()
    page.get_by_label("High", exact=True).first.check()
    page.locator("input[name=priority][value=high]").check()
    found["Realise"] = serious_accessibility_violations(page)
    page.get_by_role("button", name="Make it an issue").click()

    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("it is now issue CF6 - 005")
    summary = page.locator("main")
    expect(summary).to_contain_text("Realised from")
    expect(summary).to_contain_text("Ask corporate ICT for a penetration test")
    found["Issue"] = serious_accessibility_violations(page)
    expect(summary).to_contain_text(person.name)
    assert all(not v for v in found.values()), describe(found)
