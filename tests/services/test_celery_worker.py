"""Reports made by a real Celery worker, through Redis, on PostgreSQL: end to end, and with
the worker's process killed in the middle of rendering (DOMAIN.md section 4).

These need the real services: they run in CI (.ci/run sets DATABASE_URL and REDIS_URL) and
skip elsewhere, saying why.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from programmes.choices import PeriodStatus
from reporting.models import ReportRun
from reporting.services import create_run
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    WorkstreamFactory,
)
from transformation.celery import app

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _need_services():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL (CI does)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker: set DATABASE_URL (CI does)")


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def worker(tmp_path, request):
    """A real worker (prefork, one process) on the test database and the Redis of REDIS_URL."""
    _need_services()
    pause = getattr(request, "param", 0)
    media = tmp_path / "media"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "REPORT_RENDER_PAUSE_SECONDS": str(pause),
        "DJANGO_SETTINGS_MODULE": "transformation.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - kept open for the worker's life
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "transformation",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # The test process sends its tasks to the broker, for real this time.
    app.conf.task_always_eager = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    try:
        _wait_until_ready(tmp_path / "worker.log", process)
        yield process
    finally:
        app.conf.task_always_eager = True
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _wait_until_ready(log: Path, process, timeout=60):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise AssertionError("The worker stopped:\n" + log.read_text())
        if "ready." in log.read_text():
            return
        time.sleep(0.5)
    raise AssertionError("The worker did not start:\n" + log.read_text())


def _wait_for(run_id, statuses, timeout=90):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        run = ReportRun.objects.get(pk=run_id)
        if run.status in statuses:
            return run
        time.sleep(0.3)
    raise AssertionError(f"Run {run_id} still {ReportRun.objects.get(pk=run_id).status}")


@pytest.fixture
def period():
    today = timezone.localdate()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    programme = ProgrammeFactory(name="Putting People First")
    workstream = WorkstreamFactory(area=AreaFactory(programme=programme))
    MilestoneFactory(workstream=workstream, baseline_date=last + timedelta(days=2))
    return PeriodFactory(programme=programme, month=last, status=PeriodStatus.CLOSED)


def test_a_real_worker_makes_the_report_end_to_end(worker, period):
    run = create_run(period.programme, period, "highlight")  # queued after the commit
    done = _wait_for(run.pk, {"done", "failed"})
    assert done.status == "done", done.error
    assert done.attempts == 1 and done.size_bytes > 1000
    with done.file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@pytest.mark.parametrize("worker", [6], indirect=True)
def test_a_worker_killed_mid_render_is_retried_not_left_rendering(worker, period):
    run = create_run(period.programme, period, "highlight")
    _wait_for(run.pk, {"rendering"}, timeout=30)
    children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True)
    pids = [int(pid) for pid in children.stdout.split()]
    assert pids, "the worker has no pool process to kill"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)  # the process rendering the report dies

    finished = _wait_for(run.pk, {"done", "failed"}, timeout=120)
    assert finished.status == "done", finished.error  # delivered again, and made
    assert finished.attempts == 2
