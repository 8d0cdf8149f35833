"""The board pack (issue 14, part 3): one PDF per meeting, made in the background, with the
agenda, the previous meeting's minutes, the actions, the change requests, the approved
reports and the PDF papers; contents and page numbers across the whole pack; the attendees
emailed a link once; only those who may download reports download it."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from programmes.choices import PeriodStatus
from reporting.board_pack import build_pack
from reporting.models import BoardPack, ReportKind, ReportRun, RunStatus
from reporting.pdf import html_to_pdf
from risks.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BoardMeeting,
    MeetingPaper,
    PaperKind,
)
from tests.clock import TODAY
from tests.factories import PeriodFactory, PersonFactory, ProgrammeFactory, UserFactory

LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def a_pdf(text: str, pages: int = 1) -> bytes:
    body = "".join(
        f'<section style="page-break-after: always"><p>{text}, page {n}</p></section>'
        for n in range(1, pages + 1)
    )
    return html_to_pdf(
        f"<html lang='en'><head><title>{text}</title></head><body>{body}</body></html>"
    ).content


@pytest.fixture
def meeting(plan, people):
    programme = plan["programme"]
    board = people["board"].person
    board.email = "board@example.org"
    board.save()
    sponsor = people["sponsor"].person
    sponsor.email = "sponsor@example.org"
    sponsor.save()
    earlier = BoardMeeting.objects.create(
        programme=programme, held_on=TODAY - timedelta(days=30), title="Programme Board"
    )
    AgendaItem.objects.create(
        meeting=earlier, position=1, title="Budget review", minutes="The board noted the overspend."
    )
    ActionItem.objects.create(
        programme=programme,
        number=1,
        meeting=earlier,
        description="Report the re-procurement costs",
        owner=board,
        due_date=TODAY - timedelta(days=2),
    )
    meeting = BoardMeeting.objects.create(
        programme=programme, held_on=TODAY + timedelta(days=7), title="Programme Board"
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, title="Highlight report", decision_sought="Note the report"
    )
    AgendaItem.objects.create(meeting=meeting, position=2, title="Day centres consultation")
    Attendance.objects.create(meeting=meeting, person=board)
    Attendance.objects.create(meeting=meeting, person=sponsor, status=AttendanceStatus.APOLOGIES)
    # The period's approved highlight report (3 pages) and a PDF paper (2 pages).
    period = PeriodFactory(programme=programme, month=LAST_MONTH, status=PeriodStatus.CLOSED)
    name = default_storage.save("reports/highlight.pdf", ContentFile(a_pdf("Highlight report", 3)))
    ReportRun.objects.create(
        programme=programme,
        period=period,
        kind=ReportKind.HIGHLIGHT,
        version=1,
        status=RunStatus.DONE,
        file=name,
        approved_at=timezone.now(),
    )
    paper = default_storage.save(
        "meeting-papers/options.pdf", ContentFile(a_pdf("Options paper", 2))
    )
    MeetingPaper.objects.create(
        meeting=meeting,
        title="Day centres options appraisal",
        file=paper,
        file_name="options.pdf",
        kind=PaperKind.PDF,
        size_bytes=default_storage.size(paper),
    )
    word = default_storage.save("meeting-papers/notes.docx", ContentFile(b"PK not a pdf"))
    MeetingPaper.objects.create(
        meeting=meeting,
        title="Consultation notes",
        file=word,
        file_name="notes.docx",
        kind=PaperKind.WORD,
        size_bytes=12,
    )
    return meeting


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_the_packs_page_count_is_the_sum_of_its_parts_and_the_contents_say_where_each_starts(
    meeting,
):
    pack = build_pack(meeting)

    texts = page_texts(pack.content)
    assert len(texts) == pack.pages == sum(part.pages for part in pack.parts)
    titles = [part.title for part in pack.parts]
    assert titles[0] == "Cover and contents" and titles[1] == "Agenda"
    assert any(title.startswith("Minutes of the previous meeting") for title in titles)
    assert "Actions" in titles and "Change requests" in titles
    assert any(title.startswith("Highlight report") for title in titles)
    assert titles[-1] == "Day centres options appraisal"
    contents = "\n".join(texts[: pack.parts[0].pages])
    for part in pack.parts[1:]:  # each part starts on the page the contents give
        assert re.search(rf"{re.escape(part.title[:30])}.*?\s{part.first_page}\b", contents, re.S)
        assert f"Pack page {part.first_page} of {pack.pages}" in texts[part.first_page - 1]
    report = next(part for part in pack.parts if part.title.startswith("Highlight"))
    assert report.pages == 3
    for offset in range(3):
        assert f"Highlight report, page {offset + 1}" in texts[report.first_page - 1 + offset]
    assert "Options paper, page 2" in texts[-1]
    assert "Consultation notes" in contents  # a Word paper is listed, not included


def test_the_pack_has_the_agenda_the_previous_minutes_and_the_actions(meeting):
    text = "\n".join(page_texts(build_pack(meeting).content))

    assert "Highlight report" in text and "Note the report" in text
    assert "The board noted the overspend." in text  # the previous meeting's minutes
    assert "Report the re-procurement costs" in text and "overdue" in text


def test_the_programme_office_asks_for_it_and_the_attendees_are_emailed_once(
    client, people, meeting, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("board_pack_make", args=[meeting.pk]))

    pack = BoardPack.objects.get()
    assert response.status_code == 302 and response.url == reverse("board_pack", args=[pack.pk])
    assert pack.status == RunStatus.DONE and pack.version == 1
    assert len(PdfReader(pack.file.open("rb")).pages) == pack.pages
    assert sorted(email.to[0] for email in mail.outbox) == [
        "board@example.org",
        "sponsor@example.org",
    ]
    assert reverse("board_pack", args=[pack.pk]) in mail.outbox[0].body
    page = client.get(reverse("board_pack", args=[pack.pk])).content.decode()
    assert "Download the board pack" in page and "Day centres options appraisal" in page

    from reporting.board_pack import email_attendees

    assert email_attendees(pack.pk) == 0  # never twice
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("role", "make", "see", "download"),
    [
        ("office", 302, 200, 200),
        ("board", 403, 200, 200),
        ("sponsor", 403, 200, 200),
        ("manager", 403, 200, 200),
        ("lead", 403, 200, 404),
        ("outsider", 404, 404, 404),
    ],
)
def test_who_makes_sees_and_downloads_the_pack(client, people, meeting, role, make, see, download):
    pack = BoardPack.objects.create(
        programme=meeting.programme,
        meeting=meeting,
        version=1,
        status=RunStatus.DONE,
        file=default_storage.save("board-packs/x.pdf", ContentFile(a_pdf("Pack"))),
        pages=1,
    )
    client.force_login(people[role])

    assert client.post(reverse("board_pack_make", args=[meeting.pk])).status_code == make
    assert client.get(reverse("board_pack", args=[pack.pk])).status_code == see
    assert client.get(reverse("board_pack_download", args=[pack.pk])).status_code == download
    assert BoardPack.objects.count() == (2 if make == 302 else 1)


def test_another_programmes_office_cannot_make_the_pack(client, meeting):
    other = UserFactory()
    from programmes.choices import Role
    from tests.factories import grant

    grant(other, Role.PROGRAMME_OFFICE, programme=ProgrammeFactory())
    client.force_login(other)

    assert client.post(reverse("board_pack_make", args=[meeting.pk])).status_code == 404
    assert not BoardPack.objects.exists()


def test_an_unreadable_paper_is_named_in_the_contents_and_left_out(meeting):
    broken = default_storage.save("meeting-papers/broken.pdf", ContentFile(b"%PDF-1.7 broken"))
    MeetingPaper.objects.create(
        meeting=meeting,
        title="A broken paper",
        file=broken,
        file_name="broken.pdf",
        kind=PaperKind.PDF,
        size_bytes=15,
        uploaded_by=None,
    )

    pack = build_pack(meeting)

    assert "A broken paper" in pack.skipped
    assert "A broken paper" not in [part.title for part in pack.parts]
    front = "\n".join(page_texts(pack.content)[: pack.parts[0].pages])
    assert "A broken paper" in front and "could not be read" in front


def test_a_pack_for_a_first_meeting_without_reports_still_reads_well(people):
    programme = ProgrammeFactory()
    meeting = BoardMeeting.objects.create(programme=programme, held_on=TODAY, title="First Board")
    AgendaItem.objects.create(meeting=meeting, position=1, title="Terms of reference")
    PersonFactory(organisation=programme.organisation)

    pack = build_pack(meeting)

    titles = [part.title for part in pack.parts]
    assert titles == ["Cover and contents", "Agenda", "Actions", "Change requests"]
    assert len(page_texts(pack.content)) == pack.pages
