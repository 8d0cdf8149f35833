"""The board pack (issue 14, part 3; DOMAIN.md section 7): one PDF per meeting, for its
attendees to read before it.

In order: a cover; the contents; the agenda; the minutes of the previous meeting; the actions
(those arising from the previous meeting, and every other open action due by the meeting);
the change requests open or decided since the previous meeting; the period's approved
highlight and exception reports, as approved (their own files); and the meeting's papers that
are PDFs. Every page after the cover carries the pack's own page number ("Pack page 7 of
42"), and the contents give each part's first page, so a board member can say "page 17".

Made by pure functions from the data to bytes; the task (reporting/tasks.py) only claims the
pack, stores the file through the storage API and emails the attendees.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from programmes.comments import email_address
from programmes.jobs import queue_after_commit
from programmes.permissions import Action, require
from reporting.changes import changes_for_pack, state_words
from reporting.meetings import approved_reports_for, minutes_html
from reporting.models import BoardPack, RunStatus
from reporting.pdf import html_to_pdf
from risks.meetings import actions_for_pack, meeting_record, previous_meeting
from risks.models import BoardMeeting, PaperKind

logger = logging.getLogger(__name__)


@dataclass
class Part:
    """One part of the pack: its title in the contents, and its pages as a PDF."""

    title: str
    content: bytes
    pages: int
    first_page: int = 0
    note: str = ""


@dataclass
class Pack:
    meeting: BoardMeeting
    parts: list[Part] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # papers that could not be read
    content: bytes = b""
    pages: int = 0

    @property
    def contents(self) -> list[dict]:
        """What BoardPack.parts keeps: each part's title, first page and number of pages."""
        return [
            {"title": part.title, "first_page": part.first_page, "pages": part.pages}
            for part in self.parts
        ]


def _css_string(text: str) -> str:
    """Text as a quoted CSS string for a page's margin box: only letters, digits, spaces and
    plain punctuation kept, so nothing in a name can end the string or the style sheet."""
    return '"' + re.sub(r"[^\w .,&()'/:-]", "", text) + '"'


def _html_part(title: str, template: str, context: dict) -> Part:
    meeting = context["meeting"]
    heading = f"{meeting.programme.name}: board pack, {meeting.held_on:%-d %B %Y}"
    context = context | {"pack_heading": _css_string(heading)}
    rendered = html_to_pdf(render_to_string(template, context))
    return Part(title, rendered.content, rendered.pages)


def _file_part(title: str, file, note: str = "") -> Part | None:
    """A stored PDF as a part; None (and a line in the log) if it cannot be read as a PDF."""
    try:
        with file.open("rb") as handle:
            content = handle.read()
        pages = len(PdfReader(io.BytesIO(content)).pages)
    except (OSError, ValueError, PyPdfError):
        logger.warning("Board pack: could not read %s", getattr(file, "name", title))
        return None
    return Part(title, content, pages, note=note)


def gather_parts(meeting: BoardMeeting) -> tuple[list[Part], list[str]]:
    """Every part of the pack after its cover and contents, in order, and the titles of the
    papers that could not be read."""
    context = {"meeting": meeting, "programme": meeting.programme}
    record = meeting_record(meeting)
    parts = [_html_part("Agenda", "reporting/pack/agenda.html", context | {"record": record})]
    previous = previous_meeting(meeting)
    if previous is not None:
        rendered = html_to_pdf(minutes_html(previous))
        parts.append(
            Part(
                f"Minutes of the previous meeting, {previous.held_on:%-d %B %Y}",
                rendered.content,
                rendered.pages,
            )
        )
    actions = actions_for_pack(meeting)
    parts.append(
        _html_part("Actions", "reporting/pack/actions.html", context | {"actions": actions})
    )
    changes = changes_for_pack(meeting)
    for change in {*changes.awaiting, *changes.decided}:
        change.words = state_words(change)
    parts.append(
        _html_part("Change requests", "reporting/pack/changes.html", context | {"changes": changes})
    )
    skipped = []
    for run in approved_reports_for(meeting):
        title = f"{run.get_kind_display()}, {run.period.label} (version {run.version}, approved)"
        part = _file_part(title, run.file)
        if part is None:
            skipped.append(title)
        else:
            parts.append(part)
    for paper in meeting.papers.filter(kind=PaperKind.PDF).order_by("pk"):
        part = _file_part(paper.title, paper.file)
        if part is None:
            skipped.append(paper.title)
        else:
            parts.append(part)
    return parts, skipped


def _front(meeting: BoardMeeting, parts: list[Part], skipped: list[str], other_papers) -> Part:
    return _html_part(
        "Cover and contents",
        "reporting/pack/front.html",
        {
            "meeting": meeting,
            "programme": meeting.programme,
            "parts": parts,
            "skipped": skipped,
            "other_papers": other_papers,
            "made": timezone.localtime(),
        },
    )


def _number_pages(parts: list[Part]) -> int:
    """Give each part its first page in the pack; returns the pack's number of pages."""
    page = 1
    for part in parts:
        part.first_page = page
        page += part.pages
    return page - 1


def _stamp(writer: PdfWriter, meeting: BoardMeeting, total: int) -> None:
    """Put "Pack page n of N" at the top right of every page but the cover, in a page of its
    own size drawn by WeasyPrint, laid over each page."""
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in writer.pages]
    overlay = html_to_pdf(
        render_to_string(
            "reporting/pack/page_numbers.html",
            {"meeting": meeting, "pages": list(enumerate(sizes, start=1)), "total": total},
        )
    )
    stamps = PdfReader(io.BytesIO(overlay.content))
    for number, page in enumerate(writer.pages, start=1):
        if number > 1:
            page.merge_page(stamps.pages[number - 1])


def build_pack(meeting: BoardMeeting) -> Pack:
    """The whole pack as PDF bytes, with its contents. The cover and contents are drawn twice
    when needed: their own length sets where every later part starts."""
    parts, skipped = gather_parts(meeting)
    other_papers = [paper for paper in meeting.papers.order_by("pk") if paper.kind != PaperKind.PDF]
    front = _front(meeting, parts, skipped, other_papers)
    for _ in range(3):  # the contents' length settles at once, but never loop for ever
        _number_pages([front, *parts])
        drawn = _front(meeting, parts, skipped, other_papers)
        if drawn.pages == front.pages:
            front = drawn
            break
        front = drawn
    total = _number_pages([front, *parts])
    writer = PdfWriter()
    for part in [front, *parts]:
        writer.append(PdfReader(io.BytesIO(part.content)), import_outline=False)
    _stamp(writer, meeting, total)
    writer.add_metadata({"/Title": f"Board pack: {meeting}"})
    for part in parts:
        writer.add_outline_item(title=part.title, page_number=part.first_page - 1)
    out = io.BytesIO()
    writer.write(out)
    return Pack(
        meeting, parts=[front, *parts], skipped=skipped, content=out.getvalue(), pages=total
    )


# ----- Asking for a pack, and making it (the task in reporting/tasks.py calls make_pack) -----


def request_pack(meeting: BoardMeeting, *, by) -> BoardPack:
    """The programme office asks for the meeting's board pack: a new version, made in the
    background once the transaction commits."""
    require(by, Action.MANAGE_PROGRAMME, meeting)
    with transaction.atomic():
        BoardMeeting.objects.select_for_update().only("pk").get(pk=meeting.pk)  # one at a time
        latest = BoardPack.objects.filter(meeting=meeting).aggregate(latest=Max("version"))
        pack = BoardPack.objects.create(
            programme_id=meeting.programme_id,
            meeting=meeting,
            version=(latest["latest"] or 0) + 1,
            requested_by=by,
        )
        queue_after_commit("reporting.make_board_pack", pack.pk)
    return pack


STALLED_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def claim_pack(pack_id: int) -> bool:
    """Take a queued pack (or one whose making stopped long ago) for this worker: a
    conditional update, so two deliveries of the task never make it twice."""
    now = timezone.now()
    queued = BoardPack.objects.filter(pk=pack_id, status=RunStatus.QUEUED)
    stalled = BoardPack.objects.filter(
        pk=pack_id, status=RunStatus.RENDERING, started_at__lt=now - STALLED_AFTER
    )
    return bool(
        queued.update(status=RunStatus.RENDERING, started_at=now) or stalled.update(started_at=now)
    )


def make_pack(pack_id: int) -> str:
    if not claim_pack(pack_id):
        return "skipped"
    pack = BoardPack.objects.select_related("programme", "meeting__programme__organisation").get(
        pk=pack_id
    )
    started = time.monotonic()
    name = None
    try:
        made = build_pack(pack.meeting)
        name = default_storage.save(
            f"board-packs/{pack.meeting.held_on:%Y/%m}/{pack.filename}", ContentFile(made.content)
        )
        updated = BoardPack.objects.filter(pk=pack_id, status=RunStatus.RENDERING).update(
            status=RunStatus.DONE,
            file=name,
            size_bytes=len(made.content),
            checksum=hashlib.sha256(made.content).hexdigest(),
            pages=made.pages,
            parts=made.contents,
            finished_at=timezone.now(),
            duration_ms=int((time.monotonic() - started) * 1000),
            error="",
        )
    except Exception as error:  # a failed pack says why on its page
        if name:
            default_storage.delete(name)
        logger.exception("Board pack %s failed", pack_id)
        BoardPack.objects.filter(pk=pack_id).exclude(status=RunStatus.DONE).update(
            status=RunStatus.FAILED,
            error=f"The board pack could not be made: {type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    if not updated:
        default_storage.delete(name)
        return "abandoned"
    queue_after_commit("reporting.email_board_pack", pack_id)
    return "done"


def email_attendees(pack_id: int) -> int:
    """Email each person on the meeting's list a link to the pack, once (claimed first)."""
    if not BoardPack.objects.filter(
        pk=pack_id, status=RunStatus.DONE, emailed_to__isnull=True
    ).update(emailed_to=0):
        return 0
    pack = BoardPack.objects.select_related("programme", "meeting").get(pk=pack_id)
    meeting, site = pack.meeting, settings.SITE_URL.rstrip("/")
    sent, seen = 0, set()
    for entry in meeting.attendance.select_related("person__user").order_by("person__name"):
        person = entry.person
        address = email_address(person)
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        send_mail(
            f"Board pack: {meeting.title}, {meeting.held_on:%-d %B %Y} ({pack.programme.name})",
            f"Dear {person.name},\n\nThe pack for the {meeting.title} on "
            f"{meeting.held_on:%A %-d %B %Y} is ready ({pack.pages} pages):\n\n"
            f"{site}{pack.get_absolute_url()}\n\n{pack.programme.name} programme office\n",
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
        sent += 1
    BoardPack.objects.filter(pk=pack_id).update(emailed_to=sent)
    return sent
