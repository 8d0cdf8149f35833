"""Board meetings as a programme board secretary runs them (issue 14, parts 1, 3 and 4;
DOMAIN.md section 7): the agenda in order, attendees and apologies, papers uploaded (checked for
type and size, nothing stored when refused) and the period's approved reports listed among
them, decisions and minutes per item, the minutes as a PDF, and the meeting in its attendees'
calendars."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from programmes.choices import PeriodStatus, Role
from programmes.dates import add_months, month_start
from reporting.calendars import create_calendar_feed
from reporting.meetings import approved_reports_for, minutes_pdf
from reporting.models import ReportKind, ReportRun, RunStatus
from risks.meetings import actions_for_pack
from risks.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    BoardMeeting,
    Decision,
    DecisionStatus,
    MeetingPaper,
)
from risks.services.governance import put_on_agenda
from risks.services.meetings import (
    ActionDetails,
    AgendaItemDetails,
    add_action,
    add_agenda_item,
)
from tests.clock import TODAY
from tests.factories import (
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    grant,
)
from tests.html_forms import error_by, form_with

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SLIDES_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def office_package(main_content_type: str) -> bytes:
    """A minimal Office Open XML package declaring its main part's kind."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Override PartName="/main.xml" '
            f'ContentType="{main_content_type}"/></Types>',
        )
        package.writestr("main.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Each test's files in a folder of its own, so that 'nothing stored' can be looked at."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def meeting(plan, people):
    return BoardMeeting.objects.create(
        programme=plan["programme"],
        held_on=TODAY - timedelta(days=2),
        chair=people["board"].person,
        location="Committee Room 5",
    )


@pytest.fixture
def elsewhere():
    """The programme office of another programme: sees nothing of this one."""
    user = UserFactory(username="office_elsewhere")
    grant(user, Role.PROGRAMME_OFFICE, programme=ProgrammeFactory())
    return user


def item_on(meeting, title: str, **fields) -> AgendaItem:
    last = AgendaItem.objects.filter(meeting=meeting).count()
    return AgendaItem.objects.create(meeting=meeting, position=last + 1, title=title, **fields)


def upload(client, meeting, name: str, content: bytes, title: str = "Venue options"):
    return client.post(
        reverse("meeting_paper_add", args=[meeting.pk]),
        {"title": title, "file": SimpleUploadedFile(name, content), "agenda_item": ""},
    )


# ----- Who may use each page -----


def new_pages(meeting, item, paper) -> dict[str, tuple[str, str]]:
    """The url and method of every new page the programme office keeps a meeting with."""
    return {
        "agenda_item_add": (reverse("agenda_item_add", args=[meeting.pk]), "GET"),
        "agenda_item_edit": (reverse("agenda_item_edit", args=[item.pk]), "GET"),
        "agenda_item_move": (reverse("agenda_item_move", args=[item.pk]), "POST"),
        "agenda_item_remove": (reverse("agenda_item_remove", args=[item.pk]), "GET"),
        "meeting_attendance": (reverse("meeting_attendance", args=[meeting.pk]), "GET"),
        "meeting_paper_add": (reverse("meeting_paper_add", args=[meeting.pk]), "GET"),
        "meeting_paper_remove": (reverse("meeting_paper_remove", args=[paper.pk]), "GET"),
    }


OFFICE_PAGES = [
    "agenda_item_add",
    "agenda_item_edit",
    "agenda_item_move",
    "agenda_item_remove",
    "meeting_attendance",
    "meeting_paper_add",
    "meeting_paper_remove",
]


@pytest.fixture
def paper(meeting):
    return MeetingPaper.objects.create(
        meeting=meeting,
        title="Venue options",
        file=ContentFile(PDF, name="venue.pdf"),
        file_name="Venue options.pdf",
        kind="pdf",
        size_bytes=len(PDF),
    )


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_only_the_programme_office_keeps_a_meetings_agenda_people_and_papers(
    client, people, meeting, paper, elsewhere, name
):
    item = item_on(meeting, "Highlight report")
    url, method = new_pages(meeting, item, paper)[name]
    ask = client.get if method == "GET" else client.post
    expected = {"office": (200, 302), "admin": (200, 302)}
    for who in ("office", "admin", "board", "sponsor", "manager", "lead"):
        client.force_login(people[who])
        status = ask(url, {"direction": "down"} if method == "POST" else {}).status_code
        assert status in expected.get(who, (403,)), f"{name} as {who}: {status}"
    for outsider in (people["outsider"], elsewhere):
        client.force_login(outsider)
        assert ask(url).status_code == 404, f"{name} as {outsider}"
    client.logout()
    assert ask(url).status_code == 302  # to sign in


def test_everyone_in_the_programme_reads_the_meeting_its_papers_and_minutes(
    client, people, meeting, paper, elsewhere
):
    pages = [
        reverse("meeting_detail", args=[meeting.pk]),
        reverse("meeting_paper_download", args=[paper.pk]),
        reverse("meeting_minutes_pdf", args=[meeting.pk]),
    ]
    for who in ("board", "sponsor", "manager", "lead", "office"):
        client.force_login(people[who])
        for url in pages:
            assert client.get(url).status_code == 200, f"{url} as {who}"
    for outsider in (people["outsider"], elsewhere):
        client.force_login(outsider)
        for url in pages:
            assert client.get(url).status_code == 404, f"{url} as {outsider}"


def test_a_board_member_sees_no_way_to_change_the_meeting(client, people, meeting, paper):
    item_on(meeting, "Highlight report")
    client.force_login(people["board"])
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    for offered in ("Add an agenda item", "Upload a paper", "Record attendees", "Move up"):
        assert offered not in html
    assert reverse("meeting_paper_download", args=[paper.pk]) in html
    assert "Download the minutes (PDF)" in html


# ----- The agenda, in order -----


def agenda_titles(client, meeting) -> list[str]:
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    section = html[html.index('id="agenda-items"') : html.index('id="actions"')]
    return re.findall(r'govuk-summary-card__title">\d+\. ([^<]+)</h3>', section)


def test_the_office_adds_items_at_the_end_and_reorders_them(client, people, meeting):
    client.force_login(people["office"])
    for title in ("Minutes of the last meeting", "Highlight report", "Any other business"):
        response = client.post(
            reverse("agenda_item_add", args=[meeting.pk]),
            {"title": title, "presenter": people["manager"].person.pk, "decision_sought": ""},
        )
        assert response.status_code == 302
    assert agenda_titles(client, meeting) == [
        "Minutes of the last meeting",
        "Highlight report",
        "Any other business",
    ]
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))

    client.post(reverse("agenda_item_move", args=[items[2].pk]), {"direction": "up"})
    assert agenda_titles(client, meeting) == [
        "Minutes of the last meeting",
        "Any other business",
        "Highlight report",
    ]
    client.post(reverse("agenda_item_move", args=[items[0].pk]), {"direction": "up"})  # first
    client.post(reverse("agenda_item_move", args=[items[1].pk]), {"direction": "down"})  # last
    assert agenda_titles(client, meeting) == [
        "Minutes of the last meeting",
        "Any other business",
        "Highlight report",
    ]
    assert client.post(reverse("agenda_item_remove", args=[items[0].pk])).status_code == 302
    assert agenda_titles(client, meeting) == ["Any other business", "Highlight report"]
    assert sorted(AgendaItem.objects.values_list("position", flat=True)) == [1, 2]


def test_an_item_needs_a_title_and_a_presenter_of_the_programme(client, people, meeting):
    client.force_login(people["office"])
    stranger = PersonFactory()  # of another organisation
    response = client.post(
        reverse("agenda_item_add", args=[meeting.pk]),
        {"title": "", "presenter": stranger.pk, "decision_sought": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert error_by(html, "id_title") == "Enter the item&#x27;s title"
    assert "Select a valid choice" in error_by(html, "id_presenter")
    assert not AgendaItem.objects.exists()


def test_minutes_and_decisions_are_recorded_against_an_item(client, people, plan, meeting):
    programme = plan["programme"]
    decision = Decision.objects.create(
        programme=programme, reference="D1", title="Approve the venue", meeting=meeting
    )
    item = item_on(meeting, "The new venue", decision_sought="Approve the venue")
    client.force_login(people["office"])
    form = form_with(
        client.get(reverse("agenda_item_edit", args=[item.pk])).content.decode(), "version"
    )
    data = {
        **form.data(),
        "minutes": "The board visited the venue.\nIt agreed the lease.",
        "decisions": str(decision.pk),
    }
    assert client.post(reverse("agenda_item_edit", args=[item.pk]), data).status_code == 302

    decision.refresh_from_db()
    item.refresh_from_db()
    assert decision.agenda_item == item
    assert item.minutes == "The board visited the venue.\nIt agreed the lease."
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "The board visited the venue.<br>It agreed the lease." in html
    assert "Agenda item &#x27;The new venue&#x27;" in html  # in the meeting's history

    # Moved to another meeting's agenda, it is under none of this meeting's items.
    later = BoardMeeting.objects.create(programme=programme, held_on=TODAY + timedelta(days=30))
    put_on_agenda(later, decision, by=people["office"])
    decision.refresh_from_db()
    assert decision.agenda_item is None


def test_only_decisions_on_the_meetings_agenda_go_under_its_items(client, people, plan, meeting):
    elsewhere = Decision.objects.create(programme=plan["programme"], reference="D9", title="Other")
    item = item_on(meeting, "The new venue")
    client.force_login(people["office"])
    form = form_with(
        client.get(reverse("agenda_item_edit", args=[item.pk])).content.decode(), "version"
    )
    response = client.post(
        reverse("agenda_item_edit", args=[item.pk]), {**form.data(), "decisions": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in error_by(response.content.decode(), "id_decisions")
    elsewhere.refresh_from_db()
    assert elsewhere.agenda_item is None


# ----- Attendees and apologies -----


def test_the_office_records_who_attended_and_who_sent_apologies(client, people, meeting):
    client.force_login(people["office"])
    url = reverse("meeting_attendance", args=[meeting.pk])
    form = form_with(client.get(url).content.decode(), "version")
    board, lead = people["board"].person, people["lead"].person
    guest = PersonFactory(organisation=meeting.programme.organisation, name="Gita Guest")
    data = {
        **form.data(),
        f"person-{board.pk}": "attended",
        f"person-{lead.pk}": "apologies",
        "add_person": guest.pk,
    }
    assert client.post(url, data).status_code == 302

    assert dict(
        Attendance.objects.filter(meeting=meeting).values_list("person__name", "status")
    ) == {board.name: "attended", lead.name: "apologies", "Gita Guest": "invited"}
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    attendance = html[html.index('id="attendance"') : html.index('id="papers"')]
    assert "Attended (1)" in attendance and board.name in attendance
    assert "Apologies (1)" in attendance and lead.name in attendance
    assert "Attendance recorded" in html  # the meeting's history


def test_someone_outside_the_organisation_is_not_put_on_the_list(client, people, meeting):
    client.force_login(people["office"])
    url = reverse("meeting_attendance", args=[meeting.pk])
    form = form_with(client.get(url).content.decode(), "version")
    response = client.post(url, {**form.data(), "add_person": PersonFactory().pk})
    assert response.status_code == 400
    assert "Select a valid choice" in error_by(response.content.decode(), "id_add_person")
    assert not Attendance.objects.exists()


# ----- Papers: uploaded through the storage, checked for type and size -----


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("Venue options.pdf", PDF, "pdf"),
        ("Business case.docx", office_package(WORD_MAIN), "word"),
        ("Budget.xlsx", office_package(EXCEL_MAIN), "excel"),
        ("Briefing.pptx", office_package(SLIDES_MAIN), "powerpoint"),
        ("Old paper.doc", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 100, "word"),
    ],
)
def test_the_office_uploads_a_paper_and_the_board_downloads_it(
    client, people, meeting, media, name, content, kind
):
    client.force_login(people["office"])
    assert upload(client, meeting, name, content).status_code == 302
    paper = MeetingPaper.objects.get()
    assert (paper.kind, paper.file_name, paper.size_bytes) == (kind, name, len(content))
    assert len(stored_files(media)) == 1
    assert name not in paper.file.name  # stored under a name of our own

    client.force_login(people["board"])
    response = client.get(reverse("meeting_paper_download", args=[paper.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert name in response["Content-Disposition"]


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("minutes.pdf", EXE, "is named .pdf but is not a PDF file"),
        ("paper.html", HTML, "must be a PDF, Word, Excel or PowerPoint file"),
        ("paper.pdf", HTML, "is named .pdf but is not a PDF file"),
        ("paper.docx", HTML, "is named .docx but is not a Word file"),
        ("budget.docx", office_package(EXCEL_MAIN), "is named .docx but is not a Word file"),
        ("paper.docx", b"PK\x03\x04 not really a zip", "is named .docx but is not a Word file"),
        ("setup.exe", EXE, "must be a PDF, Word, Excel or PowerPoint file"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_by_the_field_and_nothing_is_stored(
    client, people, meeting, media, name, content, message
):
    client.force_login(people["office"])
    response = upload(client, meeting, name, content)
    assert response.status_code == 400
    assert message in error_by(response.content.decode(), "id_file")
    assert not MeetingPaper.objects.exists()
    assert stored_files(media) == []


def test_a_file_too_large_is_refused_and_nothing_is_stored(
    client, people, meeting, media, settings
):
    settings.MEETING_PAPER_MAX_BYTES = 1024
    client.force_login(people["office"])
    response = upload(client, meeting, "big.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    assert error_by(response.content.decode(), "id_file") == (
        "The selected file must be 1 KB or smaller: it is 2 KB"
    )
    assert not MeetingPaper.objects.exists()
    assert stored_files(media) == []
    assert upload(client, meeting, "small.pdf", PDF).status_code == 302  # within the limit


def test_a_paper_is_made_an_items_paper_and_removed_with_its_file(
    client, people, meeting, media, django_capture_on_commit_callbacks
):
    item = item_on(meeting, "The new venue")
    client.force_login(people["office"])
    response = client.post(
        reverse("meeting_paper_add", args=[meeting.pk]),
        {"title": "Venue", "file": SimpleUploadedFile("v.pdf", PDF), "agenda_item": item.pk},
    )
    assert response.status_code == 302
    paper = MeetingPaper.objects.get()
    item.refresh_from_db()
    assert item.paper == paper
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("meeting_paper_remove", args=[paper.pk])).status_code == 302
    assert not MeetingPaper.objects.exists()
    assert stored_files(media) == []
    item.refresh_from_db()
    assert item.paper is None


# ----- The period's approved reports among the papers -----


def run(programme, period, kind, version, *, approved: bool):
    return ReportRun.objects.create(
        programme=programme,
        period=period,
        kind=kind,
        version=version,
        status=RunStatus.DONE,
        file=f"reports/{kind}-{period.month:%Y-%m}-{version}.pdf",
        approved_at=timezone.now() if approved else None,
    )


def test_the_meeting_lists_the_last_closed_periods_approved_reports(client, people, plan):
    programme = plan["programme"]
    this_month = month_start(TODAY)
    meeting = BoardMeeting.objects.create(programme=programme, held_on=TODAY)
    last = PeriodFactory(
        programme=programme, month=add_months(this_month, -1), status=PeriodStatus.CLOSED
    )
    before = PeriodFactory(
        programme=programme, month=add_months(this_month, -2), status=PeriodStatus.CLOSED
    )
    PeriodFactory(programme=programme, month=this_month)  # open, and not ended
    run(programme, before, ReportKind.HIGHLIGHT, 1, approved=True)
    approved = run(programme, last, ReportKind.HIGHLIGHT, 1, approved=True)
    run(programme, last, ReportKind.HIGHLIGHT, 2, approved=False)  # superseding, not approved
    exception = run(programme, last, ReportKind.EXCEPTION, 1, approved=True)

    assert approved_reports_for(meeting) == [approved, exception]

    client.force_login(people["board"])
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    papers = html[html.index('id="papers"') : html.index('id="agenda-items"')]
    assert reverse("report_download", args=[approved.pk]) in papers
    assert reverse("report_download", args=[exception.pk]) in papers


def test_a_period_not_yet_closed_or_not_approved_gives_no_reports(plan):
    programme = plan["programme"]
    meeting = BoardMeeting.objects.create(programme=programme, held_on=TODAY)
    last = PeriodFactory(programme=programme, month=add_months(month_start(TODAY), -1))
    run(programme, last, ReportKind.HIGHLIGHT, 1, approved=True)
    assert approved_reports_for(meeting) == []  # the period is still open
    last.status = PeriodStatus.CLOSED
    last.save()
    ReportRun.objects.update(approved_at=None)
    assert approved_reports_for(meeting) == []  # not approved


# ----- The minutes -----


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_minutes_pdf_has_the_people_and_each_items_minutes_decisions_and_actions(
    client, people, plan, meeting
):
    programme = plan["programme"]
    board, lead = people["board"].person, people["lead"].person
    Attendance.objects.create(meeting=meeting, person=board, status="attended")
    Attendance.objects.create(meeting=meeting, person=lead, status="apologies")
    first = item_on(meeting, "Highlight report", minutes="Day services are on track.")
    second = item_on(meeting, "The new venue", minutes="The lease was discussed at length.")
    Decision.objects.create(
        programme=programme,
        reference="D4",
        title="Sign the lease",
        meeting=meeting,
        agenda_item=second,
        status=DecisionStatus.MADE,
        made_on=meeting.held_on,
        outcome="Agreed for five years",
    )
    add_action(
        programme,
        by=people["office"],
        details=ActionDetails(
            description="Send the signed lease to legal",
            owner_id=lead.pk,
            due_date=TODAY + timedelta(days=7),
            meeting_id=meeting.pk,
            agenda_item_id=second.pk,
        ),
    )

    client.force_login(people["board"])
    response = client.get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Minutes",
        programme.name,
        f"Present {board.name}",
        f"Apologies {lead.name}",
        f"1. {first.title} ",
        "Day services are on track.",
        f"2. {second.title} ",
        "The lease was discussed at length.",
        "D4 Sign the lease: made",
        "Agreed for five years",
        "A1 Send the signed lease to legal",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert text.index("Day services") < text.index("The lease was discussed")


def test_the_minutes_render_as_a_standalone_document_for_the_board_pack(plan, meeting):
    item_on(meeting, "Highlight report", minutes="Noted.")
    rendered = minutes_pdf(meeting)
    assert rendered.content.startswith(b"%PDF-")
    assert rendered.pages >= 1 and rendered.refused == ()


# ----- What the board pack lists from the action log -----


def test_the_pack_lists_actions_from_the_last_meeting_and_those_due_by_this_one(
    people, plan, meeting
):
    programme = plan["programme"]
    owner = people["lead"].person
    nxt = BoardMeeting.objects.create(programme=programme, held_on=TODAY + timedelta(days=14))

    def action(description, due, **fields):
        return ActionItem.objects.create(
            programme=programme,
            number=ActionItem.objects.count() + 1,
            description=description,
            owner=owner,
            due_date=due,
            **fields,
        )

    from_last = action(
        "From the last meeting, done", TODAY, meeting=meeting, status="done", closed_on=TODAY
    )
    overdue = action("Standing, overdue", TODAY - timedelta(days=3))
    due = action("Standing, due by the meeting", TODAY + timedelta(days=14))
    action("Standing, due later", TODAY + timedelta(days=15))
    action("Standing, dropped", TODAY - timedelta(days=9), status="dropped", closed_on=TODAY)

    pack = actions_for_pack(nxt)
    assert pack.previous_meeting == meeting
    assert pack.from_previous_meeting == [from_last]
    assert pack.due == [overdue, due]
    assert [a.is_overdue_now for a in pack.due] == [True, False]


# ----- The calendar -----


def test_the_meeting_is_in_its_attendees_calendars_and_no_one_elses(client, people, meeting):
    Attendance.objects.create(meeting=meeting, person=people["lead"].person, status="apologies")
    Attendance.objects.create(meeting=meeting, person=people["board"].person, status="invited")

    def events(user) -> dict[str, str]:
        feed = create_calendar_feed(None, by=user)
        content = client.get(reverse("calendar_feed", args=[feed.token])).content
        return {
            str(event["SUMMARY"]): str(event["DESCRIPTION"])
            for event in Calendar.from_ical(content).walk("VEVENT")
        }

    lead = events(people["lead"])
    assert "Programme Board (apologies sent)" in lead
    assert "You: sent apologies" in lead["Programme Board (apologies sent)"]
    assert "You: invited" in events(people["board"])["Programme Board"]
    assert not any("Programme Board" in summary for summary in events(people["manager"]))


# ----- A fixed number of queries -----


def build_meeting(size: int):
    programme = ProgrammeFactory()
    office = UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    meeting = BoardMeeting.objects.create(programme=programme, held_on=TODAY - timedelta(days=1))
    for index in range(3 * size):
        person = PersonFactory(organisation=programme.organisation)
        Attendance.objects.create(meeting=meeting, person=person, status="attended")
        paper = MeetingPaper.objects.create(
            meeting=meeting,
            title=f"Paper {index}",
            file=f"meeting-papers/{index}.pdf",
            file_name=f"{index}.pdf",
            kind="pdf",
            size_bytes=100,
        )
        item = add_agenda_item(
            meeting,
            by=office,
            details=AgendaItemDetails(
                title=f"Item {index}", presenter_id=person.pk, paper_id=paper.pk
            ),
        )
        Decision.objects.create(
            programme=programme,
            reference=f"D{index}",
            title="A decision",
            meeting=meeting,
            agenda_item=item,
        )
        add_action(
            programme,
            by=office,
            details=ActionDetails(
                description=f"Action {index}",
                owner_id=person.pk,
                due_date=TODAY,
                meeting_id=meeting.pk,
                agenda_item_id=item.pk,
            ),
        )
    return meeting, office


@pytest.mark.parametrize("size", [1, 4])
def test_the_meeting_page_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    meeting, office = build_meeting(size)
    client.force_login(office)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f"{n}. Item {n - 1}</h3>" in html for n in range(1, 3 * size + 1))
