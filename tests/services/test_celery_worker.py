"""Reports made by a real Celery worker, through Redis, on PostgreSQL: end to end, with the
worker's pool process killed in the middle of rendering, and with the whole worker killed and
started again (DOMAIN.md section 4).

These need the real services: they run in CI (.ci/run sets DATABASE_URL and REDIS_URL) and
skip elsewhere, saying why.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
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
def start_worker(tmp_path):
    """Start real workers (prefork, one pool process each) on the test database and the Redis
    of REDIS_URL; each is stopped at the end of the test, if it is still running."""
    _need_services()
    media = tmp_path / "media"
    started = []

    def start(pause: float = 0, **environment: str):
        log_path = tmp_path / f"worker-{len(started) + 1}.log"
        process = _start_worker(log_path, media, pause, environment)
        started.append(process)
        _wait_until_ready(log_path, process)
        return process

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
        yield start
    finally:
        app.conf.task_always_eager = True
        for process in started:
            _stop(process)


@pytest.fixture
def worker(start_worker, request):
    """One real worker; a test's parameter is how long it pauses in the middle of rendering."""
    return start_worker(pause=getattr(request, "param", 0))


def _start_worker(log_path: Path, media: Path, pause: float, environment: dict[str, str]):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "REPORT_RENDER_PAUSE_SECONDS": str(pause),
        "DJANGO_SETTINGS_MODULE": "transformation.settings",
        # The worker's cache keys its own: another run's programme with the same id is not this
        # one (tests/settings.py keeps the tests' processes apart the same way).
        "CACHE_KEY_PREFIX": f"worker-{uuid.uuid4().hex}",
        **environment,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with open(log_path, "w") as log:  # the worker writes to its own copy of the file
        return subprocess.Popen(
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
            start_new_session=True,  # its own process group: the worker and its pool
        )


def _stop(process) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


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


# Limits short enough for a test and consistent as in production: the broker hands a task out
# again only after the hard time limit has passed (settings: CELERY_VISIBILITY_TIMEOUT).
SHORT_LIMITS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": "40",
    "CELERY_TASK_TIME_LIMIT": "45",
    "CELERY_VISIBILITY_TIMEOUT": "50",
}


def test_a_whole_worker_killed_mid_render_is_replaced_and_the_report_made(start_worker, period):
    first = start_worker(pause=30, **SHORT_LIMITS)
    run = create_run(period.programme, period, "highlight")
    _wait_for(run.pk, {"rendering"}, timeout=30)
    os.killpg(first.pid, signal.SIGKILL)  # the worker's main process and its pool, at once
    first.wait(timeout=20)

    start_worker(**SHORT_LIMITS)
    finished = _wait_for(run.pk, {"done", "failed"}, timeout=180)
    assert finished.status == "done", finished.error  # handed out again by Redis, and made
    assert finished.attempts == 2


def test_a_reset_link_is_made_and_emailed_by_the_worker_and_never_passes_the_broker(
    start_worker, tmp_path, client
):
    from celery.signals import before_task_publish

    from programmes.accounts.reset import forget_requests, request_password_reset
    from tests.factories import UserFactory

    user = UserFactory(username="anne", email="anne.shaw@harrow.example.org")
    forget_requests(user.email)
    published = []

    def keep(body=None, headers=None, **kwargs):
        published.append((headers or {}).get("task"))
        published.append(repr(body))

    before_task_publish.connect(keep, weak=False)
    try:
        start_worker()
        assert request_password_reset(user.email) == 1  # queued: no transaction to wait for
    finally:
        before_task_publish.disconnect(keep)

    assert published[0] == "programmes.send_reset_link"
    assert "password-reset" not in published[1] and str(user.pk) in published[1]
    # The worker prints the email (the console mailer) into its log.
    log = tmp_path / "worker-1.log"
    started = time.monotonic()
    while "Reset your password" not in log.read_text() and time.monotonic() - started < 60:
        time.sleep(0.3)
    printed = log.read_text().replace("=\n", "")  # quoted-printable's soft line breaks
    found = re.search(r"https?://[^/\s]+(/account/password-reset/[^/\s]+/[^/\s]+/)", printed)
    assert found, log.read_text()
    page = client.get(found.group(1), follow=True)
    assert page.status_code == 200 and "new password" in page.content.decode().lower()
