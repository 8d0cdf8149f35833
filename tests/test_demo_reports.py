"""The demo's approved reports (issue 13, part 8): a board member who signs in on day one finds
a demo programme's highlight report for the last closed period, rendered for real and approved
by the programme office, and its exception report where there are exceptions; the board counts
as told. The shared demo fixture loads the demo without them (rendering all five programmes'
reports costs some 30 seconds), so they are made here for Harrow alone, as `load_demo` makes
them for each programme."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from plans.demo import load_approved_reports, load_board_pack
from reporting.models import BoardDistribution, ReportRun
from reporting.reports import has_exceptions
from tests.clock import TODAY

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


def test_harrows_last_closed_period_has_approved_reports_a_board_member_can_download(demo, client):
    harrow = demo["HARROW-TPP"]
    office = get_user_model().objects.get(username="office")
    period = harrow.reporting_periods.get(month=LAST_MONTH)
    assert not ReportRun.objects.filter(programme=harrow).exists()

    load_approved_reports(harrow, approver=office, log=lambda *args: None)

    runs = ReportRun.objects.filter(programme=harrow)
    expected = ["exception", "highlight"] if has_exceptions(harrow, period) else ["highlight"]
    assert sorted(runs.values_list("kind", flat=True)) == expected
    for run in runs:
        assert (run.period, run.status, run.approved_by, run.is_draft) == (
            period,
            "done",
            office,
            False,
        )
        assert run.pages >= 1 and run.size_bytes > 1000
    assert set(BoardDistribution.objects.get(period=period).runs.all()) == set(runs)
    assert mail.outbox == []  # the board counts as told: nobody is emailed

    client.force_login(get_user_model().objects.get(username="board"))
    page = client.get(reverse("report_list", args=[harrow.pk])).content.decode()
    assert "No reports have been made yet" not in page
    highlight = runs.get(kind="highlight")
    assert reverse("report_run", args=[highlight.pk]) in page
    response = client.get(reverse("report_download", args=[highlight.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    cover = " ".join(PdfReader(BytesIO(content)).pages[0].extract_text().split())
    assert f"Approved by {office.person.name}" in cover

    # Loading again changes nothing.
    assert load_approved_reports(harrow, approver=office, log=lambda *args: None) == []
    assert runs.count() == len(expected)


def test_the_board_member_finds_the_latest_meetings_board_pack(demo, client):
    harrow = demo["HARROW-TPP"]
    office = get_user_model().objects.get(username="office")
    load_approved_reports(harrow, approver=office, log=lambda *args: None)

    pack = load_board_pack(harrow, by=office, today=TODAY, log=lambda *args: None)

    last_meeting = harrow.board_meetings.filter(held_on__lt=TODAY).order_by("-held_on").first()
    assert (pack.meeting, pack.status) == (last_meeting, "done")
    titles = [part["title"] for part in pack.parts]
    assert any("highlight" in title.lower() for title in titles), titles
    assert pack.pages > 3
    client.force_login(get_user_model().objects.get(username="board"))
    page = client.get(reverse("meeting_detail", args=[last_meeting.pk])).content.decode()
    assert reverse("board_pack", args=[pack.pk]) in page
    assert client.get(reverse("board_pack", args=[pack.pk])).status_code == 200
    # And it is on the board member's first page, to read.
    my_work = client.get(reverse("home")).content.decode()
    assert "Board packs to read (1)" in my_work
    assert reverse("board_pack", args=[pack.pk]) in my_work
    # Not on the first page of someone who is not on the board.
    client.force_login(get_user_model().objects.get(username="lead"))
    assert "Board packs to read" not in client.get(reverse("home")).content.decode()
    # Made once: loading again changes nothing.
    assert load_board_pack(harrow, by=office, today=TODAY, log=lambda *args: None) is None


def test_torbays_last_report_waits_for_the_programme_office(demo, client):
    torbay = demo["PERS"]
    office = get_user_model().objects.get(username="office")

    runs = load_approved_reports(torbay, approver=office, log=lambda *args: None, approve=False)

    assert runs and all(run.approved_at is None and run.status == "done" for run in runs)
    run = runs[0]
    assert not BoardDistribution.objects.filter(programme=torbay).exists()
    client.force_login(office)
    page = client.get(reverse("home")).content.decode()
    assert "Reports awaiting approval" in page
    assert reverse("report_approve", args=[run.pk]) in page
