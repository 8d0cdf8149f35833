"""The programme board secretary's month, in the browser only (issue 14): the programme office
adds a board meeting, its agenda items and the people invited, uploads a paper, records after
the meeting who came and who sent apologies, an item's minutes and an action arising from it;
the minutes download as a PDF, and the board pack is made and downloaded; the action's owner finds it, overdue, on My work and marks it
done with an update. axe-core reports no serious or critical violation on the pages visited."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from programmes.choices import Role
from risks.models import ActionItem, AgendaItem, Attendance, MeetingPaper
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

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def fill_date(page, name: str, day) -> None:
    page.locator(f"#id_{name}_0").fill(str(day.day))
    page.locator(f"#id_{name}_1").fill(str(day.month))
    page.locator(f"#id_{name}_2").fill(str(day.year))


def banner(page):
    return page.locator(".govuk-notification-banner")


def test_the_secretary_runs_a_board_meeting_and_the_owner_sees_the_action(page, tmp_path):
    programme = ProgrammeFactory(name="Adult Social Care Transformation")
    area = AreaFactory(programme=programme, reference="1", name="Community Services")
    WorkstreamFactory(area=area, reference="1.1", name="Day Opportunities")
    organisation = programme.organisation
    office = UserFactory(username="priya", password="an-office-password-1")
    PersonFactory(organisation=organisation, name="Priya Shah", user=office)
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    chair = UserFactory(username="chris", password="a-board-password-1")
    PersonFactory(organisation=organisation, name="Chris Chair", user=chair)
    grant(chair, Role.BOARD_MEMBER, programme=programme)
    lead = UserFactory(username="lee", password="a-lead-password-1")
    PersonFactory(organisation=organisation, name="Lee Lead", user=lead)
    grant(lead, Role.PROJECT_MANAGER, area=area)
    today = timezone.localdate()
    found = {}

    def check(name: str) -> None:
        found[name] = serious_accessibility_violations(page)

    # The meeting, held today.
    sign_in(page, "priya", "an-office-password-1")
    page.goto(f"/programmes/{programme.pk}/meetings/")
    page.get_by_role("link", name="Add a board meeting").click()
    fill_date(page, "held_on", today)
    page.get_by_label("Chair").select_option(label="Chris Chair (board member)")
    page.get_by_label("Location").fill("Committee Room 5")
    page.get_by_role("button", name="Add meeting").click()
    expect(banner(page)).to_contain_text("added")
    meeting_url = page.url
    check("Meeting, new")

    # Two agenda items, in order.
    for title in ("Highlight report for October", "The new day centre"):
        page.get_by_role("link", name="Add an agenda item").click()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Presenter").select_option(label="Lee Lead")
        if title == "The new day centre":
            page.get_by_label("Decision sought").fill("Approve the lease of the new centre")
        check("Add an agenda item")
        page.get_by_role("button", name="Add to the agenda").click()
        expect(banner(page)).to_contain_text(f"'{title}' added to the agenda")
    cards = page.locator("#agenda-items ~ .govuk-summary-card .govuk-summary-card__title")
    expect(cards.nth(0)).to_have_text("1. Highlight report for October")
    expect(cards.nth(1)).to_have_text("2. The new day centre")

    # The people invited.
    page.get_by_role("link", name="Record attendees and apologies").click()
    for name in ("Chris Chair", "Lee Lead", "Priya Shah"):
        page.get_by_role("group", name=name).get_by_label("Invited").check()
    check("Attendees and apologies")
    page.get_by_role("button", name="Save the list").click()
    expect(banner(page)).to_contain_text("The list of attendees and apologies is saved")

    # A paper for the second item.
    paper = tmp_path / "Lease heads of terms.pdf"
    paper.write_bytes(PDF)
    page.get_by_role("link", name="Upload a paper").click()
    page.get_by_label("Title").fill("Lease heads of terms")
    page.get_by_label("File").set_input_files(str(paper))
    page.get_by_label("Agenda item").select_option(label="The new day centre")
    check("Upload a paper")
    page.get_by_role("button", name="Upload").click()
    expect(banner(page)).to_contain_text("'Lease heads of terms' uploaded")
    expect(page.locator("#papers ~ ul").first).to_contain_text("Lease heads of terms")

    # After the meeting: who came, the minutes of an item, and an action arising from it.
    page.get_by_role("link", name="Record attendees and apologies").click()
    page.get_by_role("group", name="Chris Chair").get_by_label("Attended").check()
    page.get_by_role("group", name="Priya Shah").get_by_label("Attended").check()
    page.get_by_role("group", name="Lee Lead").get_by_label("Sent apologies").check()
    page.get_by_role("button", name="Save the list").click()
    expect(page.locator("#attendance ~ dl").first).to_contain_text("Attended (2)")

    page.get_by_role("link", name="Record the minutes of item 2").click()
    page.get_by_label("Minutes of this item").fill(
        "The board discussed the lease and agreed it subject to legal advice."
    )
    check("Change an agenda item")
    page.get_by_role("button", name="Save changes").click()
    expect(banner(page)).to_contain_text("'The new day centre' changed")
    expect(page.locator("#agenda-items ~ .govuk-summary-card").nth(1)).to_contain_text(
        "agreed it subject to legal advice"
    )

    page.get_by_role("link", name="Add an action under item 2").click()
    page.get_by_label("Action").fill("Send the lease to legal services")
    page.get_by_label("Owner").select_option(label="Lee Lead")
    fill_date(page, "due_date", today - timedelta(days=1))  # agreed late: overdue at once
    check("Add an action")
    page.get_by_role("button", name="Add the action").click()
    expect(banner(page)).to_contain_text("Action A1 added")
    expect(page.locator("#actions ~ .app-table-scroll").first).to_contain_text(
        "Send the lease to legal services"
    )
    check("Meeting, after")

    # The minutes as a PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the minutes (PDF)").click()
    assert download.value.suggested_filename.endswith(f"-minutes-{today:%Y-%m-%d}.pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    # The board pack: asked for, shown when made (in the test, at once), and downloaded.
    page.get_by_role("button", name="Make the board pack").click()
    expect(page.locator("#pack-status")).to_contain_text("Done")
    expect(page.locator("#pack-status")).to_contain_text("Agenda")
    check("Board pack")
    with page.expect_download() as pack:
        page.get_by_role("link", name="Download the board pack (PDF)").click()
    pages = PdfReader(download_path := pack.value.path()).pages
    text = "\n".join(p.extract_text() for p in pages)
    assert "The new day centre" in text and f"Pack page 2 of {len(pages)}" in text
    assert Path(download_path).stat().st_size > 0

    # The owner finds the action, overdue, on My work and marks it done.
    page.context.clear_cookies()
    sign_in(page, "lee", "a-lead-password-1")
    page.goto("/")
    expect(page.locator("#board-actions")).to_contain_text(
        "Overdue actions from the action log (1)"
    )
    check("My work")
    page.get_by_role("link", name="Action A1").click()
    page.get_by_label("Update").fill("Sent to legal services on Monday")
    page.get_by_label("The action is done").check()
    check("An action")
    page.get_by_role("button", name="Save the update").click()
    expect(banner(page)).to_contain_text("Action A1 marked as done")
    page.goto("/")
    expect(page.locator("#board-actions")).to_have_count(0)

    assert list(AgendaItem.objects.order_by("position").values_list("title", flat=True)) == [
        "Highlight report for October",
        "The new day centre",
    ]
    assert Attendance.objects.filter(status="attended").count() == 2
    assert MeetingPaper.objects.get().agenda_items.get().title == "The new day centre"
    action = ActionItem.objects.get()
    assert (action.status, action.notes.get().body) == ("done", "Sent to legal services on Monday")
    assert page.url != meeting_url
    assert all(not violations for violations in found.values()), describe(found)
