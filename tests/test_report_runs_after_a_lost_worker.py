"""A report whose worker vanished mid-render is made again or failed, saying why, and never
rendered by two attempts at once (DOMAIN.md section 4; the real worker killed on Redis is in
tests/services/test_celery_worker.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programmes.choices import PeriodStatus
from reporting.models import ReportRun
from reporting.tasks import MAX_ATTEMPTS, STALLED_AFTER, fail_stalled_runs, render_report
from tests.factories import MilestoneFactory, PeriodFactory


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
def rendering(plan):
    """A run that one delivery of the render task ("delivery-1") claimed a minute ago."""
    period = PeriodFactory(
        programme=plan["programme"],
        month=(timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1),
        status=PeriodStatus.CLOSED,
    )
    MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=period.month + timedelta(days=3))
    return ReportRun.objects.create(
        programme=plan["programme"],
        period=period,
        kind="highlight",
        version=1,
        status="rendering",
        attempts=1,
        started_at=timezone.now() - timedelta(minutes=1),
        claimed_by="delivery-1",
    )


def started(run, ago: timedelta, attempts: int = 1) -> None:
    ReportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - ago, attempts=attempts)


def test_a_render_past_the_time_limit_is_queued_again_and_made(
    rendering, django_capture_on_commit_callbacks
):
    started(rendering, STALLED_AFTER + timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert fail_stalled_runs() == 1
    rendering.refresh_from_db()
    assert (rendering.status, rendering.attempts) == ("done", 2), rendering.error


def test_a_stalled_run_out_of_attempts_is_failed_saying_why(rendering):
    started(rendering, STALLED_AFTER + timedelta(seconds=30), attempts=MAX_ATTEMPTS)
    assert fail_stalled_runs() == 1
    rendering.refresh_from_db()
    assert rendering.status == "failed"
    assert rendering.error.startswith(f"The worker stopped {MAX_ATTEMPTS} times")


def test_a_render_within_the_time_limit_is_left_alone(rendering):
    assert fail_stalled_runs() == 0
    rendering.refresh_from_db()
    assert (rendering.status, rendering.attempts) == ("rendering", 1)


def test_a_run_queued_for_six_hours_is_failed(rendering):
    ReportRun.objects.filter(pk=rendering.pk).update(status="queued", attempts=0, started_at=None)
    ReportRun.objects.filter(pk=rendering.pk).update(
        requested_at=timezone.now() - timedelta(hours=7)
    )
    assert fail_stalled_runs() == 1
    rendering.refresh_from_db()
    assert rendering.status == "failed" and "waited too long" in rendering.error


def test_another_delivery_does_not_render_a_run_being_rendered(rendering):
    assert render_report.apply(args=[rendering.pk], task_id="delivery-2").get() == "skipped"
    rendering.refresh_from_db()
    assert (rendering.status, rendering.attempts, rendering.claimed_by) == (
        "rendering",
        1,
        "delivery-1",
    )


def test_the_same_delivery_handed_out_again_takes_its_run_over(rendering):
    assert render_report.apply(args=[rendering.pk], task_id="delivery-1").get() == "done"
    rendering.refresh_from_db()
    assert (rendering.status, rendering.attempts) == ("done", 2)


def test_another_delivery_takes_over_a_run_stalled_past_the_time_limit(rendering):
    started(rendering, STALLED_AFTER + timedelta(seconds=30))
    assert render_report.apply(args=[rendering.pk], task_id="delivery-2").get() == "done"
    rendering.refresh_from_db()
    assert (rendering.status, rendering.attempts) == ("done", 2)
