"""A project manager asks for an exception report on the embedded default's broker (kombu's
filesystem transport, no service) with a real Celery worker running (issue 13, part 4): the
page answers at once, shows the report's progress and then its download without a reload
(htmx), and the download works. No request the page makes takes 2 seconds or more: a test
that nothing waits for the report, not a benchmark.

The worker is a process of its own, so it must share the test database: PostgreSQL (CI sets
DATABASE_URL); on SQLite the tests' database is in memory, and the test skips, saying why.
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
from playwright.sync_api import expect

from programmes.choices import PeriodStatus, Role
from reporting.models import ReportRun
from tests.browser.conftest import sign_in
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from transformation.celery import app

ROOT = Path(__file__).resolve().parents[2]

# `services`: the real clock, which the worker's process shares.
pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def worker(tmp_path):
    """A real worker on a filesystem broker in the test's own folder, sharing the test
    database and the media folder with the live server, which sends it the tasks."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker: set DATABASE_URL (CI does)")
    broker = tmp_path / "celery"
    media = tmp_path / "media"
    folders = {name: broker / name for name in ("queue", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    saved = (
        app.conf.broker_url,
        app.conf.broker_transport_options,
        app.conf.task_always_eager,
        settings.STORAGES,
    )
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "CELERY_FOLDER": str(broker),
        "CELERY_EAGER": "false",
        # Long enough to be seen rendering by a page that asks every 2 seconds.
        "REPORT_RENDER_PAUSE_SECONDS": "3",
        "DJANGO_SETTINGS_MODULE": "transformation.settings",
    }
    env.pop("REDIS_URL", None)  # the embedded default's broker, whatever CI has
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "transformation", "worker"]
            + ["--pool", "prefork", "--concurrency", "1", "--without-gossip"]
            + ["--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        while "ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() - started > 60:
                raise AssertionError("The worker did not start:\n" + log_path.read_text())
            time.sleep(0.5)
        yield log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        (
            app.conf.broker_url,
            app.conf.broker_transport_options,
            app.conf.task_always_eager,
            settings.STORAGES,
        ) = saved
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None


def test_a_report_is_made_in_the_background_while_the_page_shows_its_progress(worker, page):
    today = timezone.localdate()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    programme = ProgrammeFactory(name="Putting People First")
    area = AreaFactory(programme=programme, reference="BSPI", name="Business systems")
    workstream = WorkstreamFactory(area=area, reference="CF6", name="CareFirst Upgrade")
    MilestoneFactory(workstream=workstream, baseline_date=last + timedelta(days=2))
    period = PeriodFactory(programme=programme, month=last, status=PeriodStatus.CLOSED)
    manager = UserFactory(username="alex", password="a-manager-password-1")
    PersonFactory(organisation=programme.organisation, name="Alex Garnett", user=manager)
    grant(manager, Role.PROJECT_MANAGER, area=area)

    timings = []
    page.on(
        "requestfinished",
        lambda request: timings.append((request.url, request.timing["responseEnd"])),
    )
    sign_in(page, "alex", "a-manager-password-1")
    page.goto(f"/programmes/{programme.pk}/reports/")
    page.get_by_label("Period").select_option(str(period.pk))
    page.get_by_label("Exception report").check()
    asked_at = len(timings)
    page.get_by_role("button", name="Make the report").click()

    status = page.locator("#run-status")
    expect(status).to_contain_text("Rendering")  # the worker has it; the page follows
    page.evaluate("window.notReloaded = true")
    expect(status).to_contain_text("Done")
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
    polls = [url for url, _ in timings[asked_at:] if "/reports/" in url]
    assert len(polls) >= 3  # the request, the page, and at least one htmx poll

    run = ReportRun.objects.get(programme=programme, kind="exception")
    assert run.status == "done" and run.attempts == 1
    with page.expect_download() as download:
        status.get_by_role("link", name="Download the PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    slow = [(url, ms) for url, ms in timings if ms >= 2000]
    assert not slow, f"requests that took 2 s or more: {slow}"
