"""From an empty organisation to a running programme, in the browser only (issue 11).

The site administrator has made the organisation and its portfolio office. The portfolio
office creates a programme, naming someone new as its programme office, and invites them.
The programme office sets a password from the emailed link, adds an area, a new person who
leads a new workstream, invites the lead, and gives the workstream three milestones, a
measure with two yearly targets and a budget line. The lead sets a password from their own
emailed link and finds the workstream on My work; the dashboard shows it with its rating.
axe-core reports no serious or critical violation on any page on the way."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from programmes.models import Programme
from tests.browser.conftest import describe, serious_accessibility_violations, sign_in
from tests.factories import OrganisationFactory, UserFactory, grant_portfolio_office
from workstreams.models import BudgetLine, Milestone, Workstream

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "Adult Social Care Transformation"


def fill_date(page, name: str, day: int | str, month: int, year: int) -> None:
    page.locator(f"#id_{name}_0").fill(str(day))
    page.locator(f"#id_{name}_1").fill(str(month))
    page.locator(f"#id_{name}_2").fill(str(year))


def banner(page):
    return page.locator(".govuk-notification-banner")


def invitation_path(address: str) -> str:
    """The path of the link in the last invitation sent to `address`."""
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no email to {address}: {[m.to for m in mail.outbox]}"
    link = re.search(r"https?://\S+/invitation/\S+/\S+/", sent[-1].body)
    assert link, sent[-1].body
    return re.sub(r"^https?://[^/]+", "", link.group(0))


def accept_invitation(page, address: str, password: str) -> None:
    page.context.clear_cookies()  # whoever was signed in on this browser has gone
    page.goto(invitation_path(address))
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    page.get_by_label("New password").fill(password)
    page.get_by_label("Type the password again").fill(password)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(banner(page)).to_contain_text("Your password is set and you are signed in")


def test_an_office_sets_up_a_programme_and_its_people_sign_in(page):
    organisation = OrganisationFactory(name="Harrow Council", slug="harrow")
    portfolio = UserFactory(username="pmo", password="a-portfolio-password-1")
    grant_portfolio_office(portfolio, organisation)
    found = {}

    def check(name: str) -> None:
        found[name] = serious_accessibility_violations(page)

    # The portfolio office creates the programme, with someone new as its programme office.
    sign_in(page, "pmo", "a-portfolio-password-1")
    page.get_by_role("link", name="Programmes", exact=True).click()
    check("Programmes")
    page.get_by_role("link", name="New programme").click()
    page.get_by_label("Name of the programme").fill(PROGRAMME)
    page.get_by_label("Reference", exact=True).fill("ASC")
    fill_date(page, "starts_on", 1, 4, 2026)
    fill_date(page, "ends_on", 31, 3, 2028)
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email address").fill("Priya.Shah@harrow.example.org")
    check("New programme")
    page.get_by_role("button", name="Create programme").click()
    expect(banner(page)).to_contain_text(f"{PROGRAMME} created")
    expect(page.locator(".app-next-steps")).to_contain_text("Priya Shah")
    check("Dashboard, new programme")

    page.get_by_role("link", name="People and roles").first.click()
    expect(page.locator("main table")).to_contain_text("Programme office of the programme")
    check("People, as the portfolio office")
    page.get_by_role("link", name="Invite Priya Shah to sign in").click()
    check("Invite")
    page.get_by_role("button", name=re.compile("^Send")).click()
    expect(banner(page)).to_contain_text("Invitation sent to Priya Shah")

    # The programme office accepts, and adds an area.
    accept_invitation(page, "priya.shah@harrow.example.org", "an-office-password-1")
    check("My work, programme office")
    page.get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_role("link", name=PROGRAMME).click()
    page.get_by_role("link", name="Add its first programme area").click()
    page.get_by_label("Reference", exact=True).fill("1")
    page.get_by_label("Name").fill("Promoting independence")
    check("Add an area")
    page.get_by_role("button", name="Add area").click()
    expect(banner(page)).to_contain_text("Area 1 added")
    check("Area")

    # A new person, who will lead the workstream.
    page.get_by_role("link", name=PROGRAMME).click()
    page.get_by_role("link", name="People and roles").first.click()
    check("People")
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Full name").fill("Sam Okafor")
    page.get_by_label("Job title").fill("Reablement manager")
    page.get_by_label("Email address").fill("sam.okafor@harrow.example.org")
    check("Add a person")
    page.get_by_role("button", name="Add person").click()
    expect(banner(page)).to_contain_text("Sam Okafor added")
    check("Give a role")

    # The workstream, led by them: a lead is set on the workstream's page.
    page.get_by_role("link", name=PROGRAMME).click()
    page.get_by_role("link", name="Programme areas").click()
    check("Programme areas")
    page.get_by_role("link", name="Promoting independence").click()
    page.get_by_role("link", name="Add a workstream").click()
    page.get_by_label("Reference", exact=True).fill("1.1")
    page.get_by_label("Name").fill("Reablement at home")
    page.get_by_label("Lead").select_option(label="Sam Okafor")
    check("Add a workstream")
    page.get_by_role("button", name="Add workstream").click()
    expect(banner(page)).to_contain_text("Workstream 1.1 added")
    check("Workstream")

    # Today is 18 November 2026 (tests/clock.py): the first is due within a month.
    for reference, title, (day, month, year) in (
        ("1.1.1", "Reablement service specification agreed", (10, 12, 2026)),
        ("1.1.2", "Reablement team recruited", (31, 3, 2027)),
        ("1.1.3", "First people reabled at home", (30, 6, 2027)),
    ):
        page.get_by_role("link", name="Add a milestone").click()
        page.get_by_label("Reference", exact=True).fill(reference)
        page.get_by_role("textbox", name="Milestone").fill(title)
        fill_date(page, "baseline", day, month, year)
        if reference == "1.1.1":
            check("Add a milestone")
        page.get_by_role("button", name="Add milestone").click()
        expect(banner(page)).to_contain_text(f"Milestone {reference} added")
        page.get_by_role("link", name="1.1 Reablement at home").click()
    check("Milestone")

    page.get_by_role("link", name="Add a measure").click()
    page.get_by_label("Reference", exact=True).fill("ASCOF 2B")
    page.get_by_label("Measure", exact=True).fill(
        "People still at home 91 days after leaving hospital into reablement"
    )
    page.get_by_label("Percentage").check()
    page.get_by_label("Baseline").fill("78")
    check("Add a measure")
    page.get_by_role("button", name="Add measure").click()
    expect(banner(page)).to_contain_text("Measure ASCOF 2B added: now set its targets")
    for number, (year, value) in enumerate((("2026/27", "82"), ("2027/28", "85"))):
        if number:
            page.get_by_role("button", name="Add another target").click()
        row = page.locator(f"#target-{number}")
        row.get_by_label("For a financial year").check()
        row.get_by_role("textbox", name="Financial year").fill(year)
        row.get_by_role("textbox", name="Target", exact=True).fill(value)
    check("Targets")
    page.get_by_role("button", name="Save targets").last.click()
    expect(banner(page)).to_contain_text("Targets of ASCOF 2B saved")
    expect(page.locator("main")).to_contain_text("2027/28")
    check("Measure")

    page.get_by_role("link", name="1.1 Reablement at home").click()
    page.get_by_role("link", name=re.compile("^Budget by financial year")).click()
    check("Budget")
    page.get_by_role("link", name="Add a budget line").click()
    page.get_by_label("Financial year").select_option(label="2026/27")
    page.get_by_label("Line").fill("Reablement staffing")
    page.get_by_label("Funding source").fill("Better Care Fund")
    page.get_by_label("Allocated").fill("£250,000")
    check("Add a budget line")
    page.get_by_role("button", name="Add budget line").click()
    expect(banner(page)).to_contain_text("Reablement staffing")

    # The lead is invited.
    page.get_by_role("link", name=PROGRAMME).click()
    page.get_by_role("link", name="People and roles").first.click()
    expect(page.locator("main table")).to_contain_text("Workstream lead of workstream 1.1")
    page.get_by_role("link", name="Invite Sam Okafor to sign in").click()
    page.get_by_role("button", name=re.compile("^Send")).click()
    expect(banner(page)).to_contain_text("Invitation sent to Sam Okafor")

    # The lead accepts and finds their workstream on My work.
    accept_invitation(page, "sam.okafor@harrow.example.org", "a-lead-password-1")
    main = page.locator("main")
    expect(main).to_contain_text("Reablement at home")
    expect(main).to_contain_text("1.1.1 Reablement service specification agreed")
    check("My work, lead")

    # The dashboard shows the workstream with its rating.
    page.get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_role("link", name=PROGRAMME).click()
    row = page.locator("#rag-grid tr", has_text="Reablement at home")
    expect(row).to_contain_text("Sam Okafor")
    expect(row.locator(".govuk-tag").first).to_have_text(re.compile("Green"))
    check("Dashboard")

    programme = Programme.objects.get(name=PROGRAMME)
    workstream = Workstream.objects.get(programme=programme, reference="1.1")
    assert workstream.lead.name == "Sam Okafor"
    assert Milestone.objects.filter(workstream=workstream).count() == 3
    assert [t.value for t in workstream.measures.get().targets.order_by("financial_year")] == [
        82,
        85,
    ]
    assert BudgetLine.objects.get(workstream=workstream).allocated == 250_000
    assert all(not violations for violations in found.values()), describe(found)
