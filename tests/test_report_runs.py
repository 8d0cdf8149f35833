"""Asking for reports, watching them, approving and locking them, and downloading them only
as one's role allows (DOMAIN.md sections 4 and 5)."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programmes.choices import PeriodStatus
from programmes.models import ProgrammeArea
from reporting.models import ReportRun
from reporting.tasks import (
    fail_stalled_runs,
    make_monthly_reports,
    render_report,
    working_day_number,
)
from tests.clock import TODAY
from tests.factories import MilestoneFactory, PeriodFactory
from workstreams.models import Milestone, Workstream

ROLES = ["board", "sponsor", "manager", "lead", "other_lead", "office", "outsider", "admin"]
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


@pytest.fixture(autouse=True)
def _commit_callbacks(django_capture_on_commit_callbacks):
    """Tests run inside a transaction that never commits: run what would run on commit (the
    render task, queued with transaction.on_commit) as soon as it is registered."""
    global COMMITS
    COMMITS = django_capture_on_commit_callbacks


COMMITS = None


@pytest.fixture
def closed_period(plan):
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=LAST_MONTH + timedelta(days=3)
    )
    return PeriodFactory(
        programme=plan["programme"],
        month=LAST_MONTH,
        status=PeriodStatus.CLOSED,
        cut_off=LAST_MONTH + timedelta(days=24),
    )


def ask(client, user, programme, period, kind="highlight", reason=""):
    client.force_login(user)
    with COMMITS(execute=True):
        return client.post(
            reverse("report_list", args=[programme.pk]),
            {"period": str(period.pk), "kind": kind, "reason": reason},
        )


def test_a_project_manager_asks_for_a_report_and_it_is_made(client, people, plan, closed_period):
    response = ask(client, people["manager"], plan["programme"], closed_period)
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert (run.status, run.version, run.is_draft, run.requested_by) == (
        "done",
        1,
        False,
        people["manager"],
    )
    assert run.size_bytes > 1000 and len(run.checksum) == 64 and run.pages >= 1
    assert run.file.read().startswith(b"%PDF")
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Done" in page and "Download the PDF" in page


def test_the_status_updates_in_place_until_finished(client, people, plan, closed_period):
    run = ReportRun.objects.create(
        programme=plan["programme"], period=closed_period, kind="highlight", version=1
    )
    client.force_login(people["board"])
    fragment = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "Queued" in fragment and "<html" not in fragment
    render_report(run.pk)
    fragment = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "Done" in fragment


def test_an_open_periods_report_is_a_draft(client, people, plan):
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    ask(client, people["office"], plan["programme"], period)
    run = ReportRun.objects.get()
    assert run.is_draft and run.filename.endswith("-DRAFT.pdf")


@pytest.mark.parametrize("role", ROLES)
def test_only_project_managers_and_the_office_ask_for_reports(
    client, people, plan, closed_period, role
):
    response = ask(client, people[role], plan["programme"], closed_period)
    if role in ("manager", "office", "admin"):
        assert response.status_code == 302 and ReportRun.objects.count() == 1
    else:
        assert response.status_code == (404 if role == "outsider" else 403)
        assert not ReportRun.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_downloads_are_for_the_board_sponsors_managers_and_office_only(
    client, people, plan, closed_period, role
):
    ask(client, people["office"], plan["programme"], closed_period)
    run = ReportRun.objects.get()
    client.force_login(people[role])
    response = client.get(reverse("report_download", args=[run.pk]))
    if role in ("board", "sponsor", "manager", "office", "admin"):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    else:
        assert response.status_code == 404


def test_a_report_has_no_public_address(client, people, plan, closed_period):
    ask(client, people["office"], plan["programme"], closed_period)
    run = ReportRun.objects.get()
    client.logout()
    assert client.get("/media/" + run.file.name).status_code == 404
    assert client.get(reverse("report_download", args=[run.pk])).status_code == 302  # to sign in


def test_an_approved_report_is_locked_and_a_new_version_needs_a_reason(
    client, people, plan, closed_period
):
    ask(client, people["office"], plan["programme"], closed_period)
    first = ReportRun.objects.get()
    client.force_login(people["manager"])
    assert client.post(reverse("report_approve", args=[first.pk])).status_code == 403
    client.force_login(people["office"])
    client.post(reverse("report_approve", args=[first.pk]))
    first.refresh_from_db()
    assert first.is_locked

    response = ask(client, people["office"], plan["programme"], closed_period)
    assert response.status_code == 400
    assert "approved for the board and is locked" in response.content.decode()
    assert ReportRun.objects.count() == 1

    ask(
        client, people["office"], plan["programme"], closed_period, reason="A reading was corrected"
    )
    second = ReportRun.objects.get(version=2)
    assert (second.supersedes, second.reason, second.status) == (
        first,
        "A reading was corrected",
        "done",
    )
    for run in (first, second):
        assert client.get(reverse("report_download", args=[run.pk])).status_code == 200


def test_an_open_periods_report_cannot_be_approved(client, people, plan):
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    ask(client, people["office"], plan["programme"], period)
    run = ReportRun.objects.get()
    client.post(reverse("report_approve", args=[run.pk]))
    run.refresh_from_db()
    assert run.approved_at is None


def test_a_failed_run_says_why_and_offers_nothing(
    client, people, plan, closed_period, settings, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the reports folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker)},
        },
    }
    ask(client, people["office"], plan["programme"], closed_period)
    run = ReportRun.objects.get()
    assert run.status == "failed" and run.error.startswith("The report could not be made")
    assert not run.file
    page = client.get(run.get_absolute_url()).content.decode()
    assert "The report could not be made" in page and "Download the PDF" not in page
    assert client.get(reverse("report_download", args=[run.pk])).status_code == 404


def test_running_a_render_twice_changes_nothing(plan, closed_period):
    run = ReportRun.objects.create(
        programme=plan["programme"], period=closed_period, kind="highlight", version=1
    )
    assert render_report(run.pk) == "done"
    run.refresh_from_db()
    finished, checksum = run.finished_at, run.checksum
    assert render_report(run.pk) == "skipped"
    run.refresh_from_db()
    assert (run.finished_at, run.checksum, run.attempts) == (finished, checksum, 1)


def test_a_run_whose_worker_vanished_is_failed_not_left_rendering(plan, closed_period):
    # Out of attempts; one with attempts left is queued again
    # (tests/test_report_runs_after_a_lost_worker.py).
    run = ReportRun.objects.create(
        programme=plan["programme"],
        period=closed_period,
        kind="highlight",
        version=1,
        status="rendering",
        attempts=3,
        started_at=timezone.now() - timedelta(hours=2),
    )
    assert fail_stalled_runs() == 1
    run.refresh_from_db()
    assert run.status == "failed" and "worker stopped" in run.error


def test_working_days_skip_weekends_and_bank_holidays():
    assert working_day_number(date(2026, 6, 1)) == 1  # a Monday
    assert working_day_number(date(2026, 6, 3)) == 3
    assert working_day_number(date(2026, 6, 6)) is None  # a Saturday
    assert working_day_number(date(2026, 1, 1)) is None  # New Year's Day
    assert working_day_number(date(2026, 1, 6)) == 3  # 2, 5, 6 January


def test_the_monthly_job_makes_last_months_reports_on_the_third_working_day_once(plan, people):
    board = people["board"].person
    board.email = "board@example.org"
    board.save()
    month = date(2026, 5, 1)
    PeriodFactory(programme=plan["programme"], month=month, status=PeriodStatus.CLOSED)
    MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=date(2026, 5, 3))  # overdue by then
    planned = timezone.make_aware(datetime(2026, 4, 1, 9))
    for model in (ProgrammeArea, Workstream, Milestone):  # the plan existed in May
        model.history.update(history_date=planned)
    assert make_monthly_reports("2026-06-02") == 0  # the second working day
    with COMMITS(execute=True):
        assert make_monthly_reports("2026-06-03") == 2
    kinds = sorted(ReportRun.objects.values_list("kind", "trigger", "status"))
    assert kinds == [("exception", "scheduled", "done"), ("highlight", "scheduled", "done")]
    assert make_monthly_reports("2026-06-03") == 0  # not twice
    assert mail.outbox == []  # the board hears only once they are approved


def test_the_command_does_what_the_schedule_does(plan, closed_period, capsys):
    from django.core.management import call_command

    with COMMITS(execute=True):
        call_command(
            "generate_reports",
            "--period",
            LAST_MONTH.strftime("%Y-%m"),
            "--programme",
            plan["programme"].reference,
            "--kind",
            "highlight",
        )
    assert "Highlight report for" in capsys.readouterr().out
    assert ReportRun.objects.filter(trigger="command", status="done").count() == 1
    call_command(
        "generate_reports", "--period", LAST_MONTH.strftime("%Y-%m"), "--kind", "highlight"
    )
    assert "Nothing new to make" in capsys.readouterr().out
    assert ReportRun.objects.count() == 1


def test_periods_roll_at_month_end(plan):
    from reporting.services import roll_periods

    old = PeriodFactory(programme=plan["programme"], month=date(2026, 3, 1))
    result = roll_periods(date(2026, 4, 2))
    old.refresh_from_db()
    assert old.status == "closed"
    assert result == {"closed": 1, "opened": 1}
    assert roll_periods(date(2026, 4, 2)) == {"closed": 0, "opened": 0}
