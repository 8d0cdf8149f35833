"""`make bench`, reports part: seconds and peak memory to make one highlight or exception
report, each in a fresh process as a worker would (several times, the median shown: the
machine's other core is often busy), and the wall time of the monthly run for every programme
of the scale data set with one worker of two processes.

With REDIS_URL set and PostgreSQL, the monthly run uses a real Celery worker
(`--concurrency 2`); otherwise two processes render the runs in turn from a shared queue in
the database, which is what such a worker does.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.db import connection

from programmes.choices import PeriodStatus
from programmes.models import Programme, ReportingPeriod
from reporting.models import ReportKind, ReportRun, RunStatus, RunTrigger

ROOT = Path(settings.BASE_DIR)

ONE_REPORT = """
import json, resource, sys, time
import django
django.setup()
from programmes.models import Programme, ReportingPeriod
from reporting.pdf import cyclic_garbage_collection_paused, html_to_pdf, render_html
from reporting.reports import gather_exceptions, gather_highlight
programme = Programme.objects.get(pk=int(sys.argv[1]))
period = ReportingPeriod.objects.get(pk=int(sys.argv[2]))
gather = gather_exceptions if sys.argv[3] == "exception" else gather_highlight
started, cpu_started = time.perf_counter(), time.process_time()
with cyclic_garbage_collection_paused():  # as reporting.tasks.build_pdf makes a report
    report = gather(programme, period, author="Bench")
    report.summary_only = sys.argv[3] == "summary"
    html = render_html(report)
    pdf = html_to_pdf(html)
seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
# The peak of this process's own memory: VmHWM on Linux. ru_maxrss would not do, as it keeps
# the peak of the parent's memory that the child shared before it started this interpreter.
try:
    with open("/proc/self/status") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except OSError:
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_kib": peak_kib,
                  "pages": pdf.pages, "bytes": len(pdf.content)}))
"""


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env() -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "transformation.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


DEFAULT_RUNS = 3


@dataclass
class ReportFigure:
    """One report's figures over its runs: the median seconds (and the fastest and slowest),
    the median seconds of CPU this process used (what the report costs whatever else the
    machine is doing), the highest peak of memory."""

    label: str
    kind: str
    seconds: float
    peak_mb: float
    pages: int
    size_kb: float
    workstreams: int
    fastest: float | None = None
    slowest: float | None = None
    cpu_seconds: float | None = None

    def line(self) -> str:
        spread = (
            f" ({self.fastest:.2f}-{self.slowest:.2f})"
            if self.fastest is not None
            and self.slowest is not None
            and self.fastest != self.slowest
            else ""
        )
        return (
            f"| {self.label} ({self.workstreams} workstreams) | {self.kind} | "
            f"{self.seconds:.2f}{spread} | {_figure(self.cpu_seconds)} | {self.peak_mb:.0f} | "
            f"{self.pages} | {self.size_kb:.0f} |"
        )


# "summary": the highlight report's cover and two-page summary, without its annexes.
SUMMARY_LABEL = "Highlight report, summary only"


def last_closed_period(programme: Programme) -> ReportingPeriod:
    return (
        ReportingPeriod.objects.filter(programme=programme, status=PeriodStatus.CLOSED)
        .order_by("-month")
        .first()
    )


def summarise_runs(runs: list[dict], *, label: str, kind: str, workstreams: int) -> ReportFigure:
    """The figures of several runs of one report (each as ONE_REPORT prints them): the
    median time, the fastest and the slowest, and the highest peak of memory."""
    if not runs:
        raise ValueError("No runs")
    seconds = [run["seconds"] for run in runs]
    return ReportFigure(
        label=label,
        kind=SUMMARY_LABEL if kind == "summary" else ReportKind(kind).label,
        seconds=statistics.median(seconds),
        peak_mb=max(run["peak_kib"] for run in runs) / 1024,
        pages=runs[-1]["pages"],
        size_kb=runs[-1]["bytes"] / 1024,
        workstreams=workstreams,
        fastest=min(seconds),
        slowest=max(seconds),
        cpu_seconds=statistics.median(run["cpu_seconds"] for run in runs)
        if all("cpu_seconds" in run for run in runs)
        else None,
    )


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def measure_report(
    programme: Programme, kind: str, label: str, *, runs: int = DEFAULT_RUNS
) -> ReportFigure:
    """Make the report `runs` times, each in a fresh process."""
    period = last_closed_period(programme)
    figures = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", ONE_REPORT, str(programme.pk), str(period.pk), kind],
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        figures.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return summarise_runs(
        figures, label=label, kind=kind, workstreams=programme.workstreams.count()
    )


def _render_queue(worker_number: int) -> tuple[int, float]:
    """One of the two processes: take queued runs one at a time until none is left. Returns
    how many it made and the seconds of CPU it took (whatever else the machine was doing)."""
    import django

    django.setup()
    from django.db import connection as own

    own.close()
    from reporting.tasks import render_report

    made, cpu_started = 0, time.process_time()
    while True:
        run = (
            ReportRun.objects.filter(status=RunStatus.QUEUED, trigger=RunTrigger.COMMAND)
            .order_by("pk")
            .first()
        )
        if run is None:
            return made, time.process_time() - cpu_started
        if render_report.run(run.pk) == "done":
            made += 1


def _queue_without_sending(programme: Programme, period: ReportingPeriod) -> list[ReportRun]:
    """The schedule's runs for a programme, recorded as queued but not sent to a broker: the
    two processes below take them from the database, as a worker would from Redis."""
    from reporting.reports import has_exceptions
    from reporting.services import _next_version

    kinds = [ReportKind.HIGHLIGHT]
    if has_exceptions(programme, period):
        kinds.append(ReportKind.EXCEPTION)
    return [
        ReportRun.objects.create(
            programme=programme,
            period=period,
            kind=kind,
            version=_next_version(programme, period, kind),
            trigger=RunTrigger.COMMAND,
        )
        for kind in kinds
    ]


def monthly_run(programmes: list[Programme]) -> tuple[float, int, str]:
    """Make every programme's reports for its last closed period; wall time, count, how."""
    from reporting.services import make_reports_for
    from transformation.celery import app

    ReportRun.objects.filter(programme__in=programmes, trigger=RunTrigger.COMMAND).delete()
    use_worker = bool(os.environ.get("REDIS_URL")) and connection.vendor == "postgresql"
    eager = app.conf.task_always_eager
    worker = None
    try:
        if use_worker:
            app.conf.task_always_eager = False
            worker = subprocess.Popen(
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
                    "2",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=_env(),
                start_new_session=True,
            )
            time.sleep(3)
        started = time.perf_counter()
        runs = []
        for programme in programmes:
            period = last_closed_period(programme)
            if use_worker:
                runs += make_reports_for(programme, period, trigger=RunTrigger.COMMAND)
            else:
                runs += _queue_without_sending(programme, period)
        cpu_seconds = None
        if not use_worker:
            connection.close()
            with get_context("fork").Pool(2) as pool:
                cpu_seconds = sum(cpu for _, cpu in pool.map(_render_queue, [1, 2]))
        ids = [run.pk for run in runs]
        while ReportRun.objects.filter(
            pk__in=ids, status__in=[RunStatus.QUEUED, RunStatus.RENDERING]
        ).exists():
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        done = ReportRun.objects.filter(pk__in=ids, status=RunStatus.DONE).count()
        how = (
            "a Celery worker with 2 processes, Redis and PostgreSQL"
            if use_worker
            else "two processes taking queued runs from the database (no Redis here; "
            f"{cpu_seconds:.1f} s of CPU between them)"
        )
        return seconds, done, how
    finally:
        app.conf.task_always_eager = eager
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
