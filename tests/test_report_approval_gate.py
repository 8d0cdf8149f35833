"""Approval before distribution (issue 13, part 3): the monthly run makes the reports and
emails nobody; the board hears once the programme office has approved the period's reports,
in one email per programme and period that links every one, sent after the approval commits
and never twice; a programme may have them approved automatically some working days later."""

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from programmes.choices import PeriodStatus, Role
from programmes.models import ProgrammeArea
from reporting.models import ReportRun
from reporting.tasks import make_monthly_reports, working_day_number
from tests.clock import TODAY
from tests.factories import MilestoneFactory, PeriodFactory, UserFactory, grant
from tests.html_forms import form_with
from workstreams.models import Milestone, Workstream

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


@pytest.fixture
def board_addresses(people):
    board = people["board"].person
    board.email = "board@example.org"
    board.save()
    return ["board@example.org"]


@pytest.fixture
def drafts(plan, people, board_addresses, django_capture_on_commit_callbacks):
    """Last month's reports as the monthly run makes them today (the frozen clock), with an
    exception (an overdue milestone) so that there are two."""
    programme = plan["programme"]
    programme.report_working_day = working_day_number(TODAY)
    programme.save()
    PeriodFactory(programme=programme, month=LAST_MONTH, status=PeriodStatus.CLOSED)
    MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=LAST_MONTH + timedelta(days=2))
    planned = timezone.make_aware(datetime(LAST_MONTH.year, LAST_MONTH.month, 1, 9)) - timedelta(
        days=30
    )
    for model in (ProgrammeArea, Workstream, Milestone):  # the plan existed last month
        model.history.update(history_date=planned)
    with django_capture_on_commit_callbacks(execute=True):
        assert make_monthly_reports() == 2
    runs = {run.kind: run for run in ReportRun.objects.all()}
    assert sorted((kind, run.status) for kind, run in runs.items()) == [
        ("exception", "done"),
        ("highlight", "done"),
    ]
    return runs


def approve(client, user, run):
    client.force_login(user)
    return client.post(reverse("report_approve", args=[run.pk]))


def test_the_monthly_run_emails_nobody(drafts):
    assert mail.outbox == []
    assert all(run.approved_at is None for run in drafts.values())


def test_the_board_hears_once_every_report_of_the_period_is_approved_in_one_email(
    client, people, drafts, board_addresses, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve(client, people["office"], drafts["highlight"])
    assert mail.outbox == []  # the exception report is not approved yet

    with django_capture_on_commit_callbacks(execute=True):
        approve(client, people["office"], drafts["exception"])
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == board_addresses
    assert LAST_MONTH.strftime("%B %Y") in email.subject
    for run in drafts.values():
        assert reverse("report_run", args=[run.pk]) in email.body
    assert "Highlight report" in email.body and "Exception report" in email.body


def test_approving_again_sends_nothing_more(
    client, people, drafts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for run in drafts.values():
            approve(client, people["office"], run)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        for run in drafts.values():
            approve(client, people["office"], run)
    assert len(mail.outbox) == 1


def test_a_new_approved_version_after_the_board_was_told_sends_nothing_more(
    client, people, drafts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for run in drafts.values():
            approve(client, people["office"], run)
        client.post(
            reverse("report_list", args=[drafts["highlight"].programme_id]),
            {
                "period": drafts["highlight"].period_id,
                "kind": "highlight",
                "reason": "A reading was corrected",
            },
        )
    second = ReportRun.objects.get(kind="highlight", version=2)
    with django_capture_on_commit_callbacks(execute=True):
        approve(client, people["office"], second)
    second.refresh_from_db()
    assert second.approved_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "role, status", [("board", 403), ("sponsor", 403), ("manager", 403), ("outsider", 404)]
)
def test_only_the_programme_office_approves(
    client, people, drafts, role, status, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for run in drafts.values():
            assert approve(client, people[role], run).status_code == status
    assert not ReportRun.objects.filter(approved_at__isnull=False).exists()
    assert mail.outbox == []


def test_the_email_goes_after_the_approval_commits(
    client, people, drafts, django_capture_on_commit_callbacks
):
    approve(client, people["office"], drafts["highlight"])
    with django_capture_on_commit_callbacks() as callbacks:
        approve(client, people["office"], drafts["exception"])
    assert mail.outbox == []  # not while the approval could still be rolled back
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_each_board_member_gets_one_email(
    client, people, drafts, plan, django_capture_on_commit_callbacks
):
    chair = UserFactory(username="chair")
    grant(chair, Role.BOARD_MEMBER, programme=plan["programme"])
    chair.person.email = "chair@example.org"
    chair.person.save()
    with django_capture_on_commit_callbacks(execute=True):
        for run in drafts.values():
            approve(client, people["office"], run)
    assert sorted(address for email in mail.outbox for address in email.to) == [
        "board@example.org",
        "chair@example.org",
    ]


def test_a_programme_may_have_its_reports_approved_automatically_after_working_days(
    plan, drafts, django_capture_on_commit_callbacks
):
    programme = plan["programme"]
    programme.approve_reports_after_working_days = 2
    programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_monthly_reports((TODAY + timedelta(days=1)).isoformat())  # one working day on
    assert mail.outbox == []
    assert not ReportRun.objects.filter(approved_at__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        make_monthly_reports((TODAY + timedelta(days=2)).isoformat())  # two: a Friday
        make_monthly_reports((TODAY + timedelta(days=5)).isoformat())  # and again: nothing more
    assert ReportRun.objects.filter(approved_at__isnull=False).count() == 2
    assert len(mail.outbox) == 1


def test_a_report_sent_back_is_not_approved_automatically(
    client, people, plan, drafts, django_capture_on_commit_callbacks
):
    programme = plan["programme"]
    programme.approve_reports_after_working_days = 2
    programme.save()
    client.force_login(people["office"])
    client.post(
        reverse("report_send_back", args=[drafts["highlight"].pk]),
        {"comment": "The budget figures are last year's."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_monthly_reports((TODAY + timedelta(days=5)).isoformat())
    approved = set(
        ReportRun.objects.filter(approved_at__isnull=False).values_list("kind", flat=True)
    )
    assert approved == {"exception"}
    assert [email.to for email in mail.outbox if "approved" in email.subject] == []


def test_the_programme_office_sets_automatic_approval_on_the_settings_page(client, people, plan):
    programme = plan["programme"]
    client.force_login(people["office"])
    page = client.get(reverse("programme_settings", args=[programme.pk])).content.decode()
    assert "Approve the monthly reports automatically after this many working days" in page
    form = form_with(page, "approve_reports_after_working_days")

    response = client.post(
        form.action or reverse("programme_settings", args=[programme.pk]),
        form.data() | {"approve_reports_after_working_days": "3"},
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.approve_reports_after_working_days == 3
    refused = client.post(
        reverse("programme_settings", args=[programme.pk]),
        form.data() | {"approve_reports_after_working_days": "40", "version": programme.version},
    )
    assert refused.status_code == 400
    assert "approve_reports_after_working_days" in refused.content.decode()
    programme.refresh_from_db()
    assert programme.approve_reports_after_working_days == 3


def test_without_the_setting_nothing_is_approved_automatically(
    drafts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_monthly_reports((TODAY + timedelta(days=9)).isoformat())  # seven working days on
    assert not ReportRun.objects.filter(approved_at__isnull=False).exists()
    assert mail.outbox == []


def _cover_text(run) -> str:
    run.refresh_from_db()
    with run.file.open("rb") as stored:
        return PdfReader(BytesIO(stored.read())).pages[0].extract_text()


def test_the_approved_report_says_on_its_cover_who_approved_it_and_when(
    client, people, drafts, django_capture_on_commit_callbacks
):
    """The copy the board downloads is the approved one: its cover is made again on approval."""
    highlight = drafts["highlight"]
    assert "Approved by" not in _cover_text(highlight)
    before = highlight.file.name

    with django_capture_on_commit_callbacks(execute=True):
        approve(client, people["office"], highlight)

    highlight.refresh_from_db()
    approver = people["office"].person.name
    cover = " ".join(_cover_text(highlight).split())
    assert f"Approved by {approver}" in cover
    assert highlight.file.name != before
    assert not highlight.file.storage.exists(before)  # the unapproved copy is gone
