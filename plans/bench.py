"""How fast the main pages are at scale (docs/benchmarks.md; `manage.py bench`).

Each page is requested in-process from Django's WSGI handler, as a server calls it, signed in
as a board member (or, for My work, as the programme office), against the synthetic data set
of `plans.scale_data`: a few warm-up requests, then N timed ones. What is measured is server
time (the middleware, the view, its queries and the template) until the response's body is
ready, not the network or the browser, nor what runs once the server has sent it and closes
it (`request_finished`: the shared cache's writes, `programmes.caching.share`). The number of
SQL queries comes from one warm-up request, so that counting them does not slow the timed ones.

Two kinds of row besides: a page timed just after a change to its programme (its counter
raised before each request, so that what is kept is worked out again: what the first person
to look after an edit waits), and a signed-in request that does nothing (`plans.bench_urls`),
what every page costs before its own work, and so the lowest ratio to the SQL floor any page
could have.

Pages are looked up by URL name; one that does not exist yet is reported as "not built yet"
rather than failing the run, so the bench can be run while the pages are being built.
"""

from __future__ import annotations

import functools
import gc
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.urls import NoReverseMatch, get_resolver, reverse

from plans.scale_data import (
    DEFAULT_SIZE,
    ScaleSize,
    ScaleSummary,
    generate_scale_data,
    scale_programmes,
)
from programmes.caching import forget_kept, programme_changed
from programmes.choices import MembershipSource, Role
from programmes.models import Membership, Person, Programme
from risks.models import Risk
from transformation.garbage import tune_garbage_collector
from workstreams.models import Measure, MeasureReading, Milestone, StatusUpdate, Workstream

BENCH_PREFIX = "SCALE"
DEFAULT_REQUESTS = 20
SQL_FLOOR_RUNS = 5
WARM_UP_REQUESTS = 2
BOARD, OFFICE = "board", "office"
BENCH_USERS = {
    BOARD: ("bench-board", "Bench Board Member", Role.BOARD_MEMBER),
    OFFICE: ("bench-office", "Bench Programme Office", Role.PROGRAMME_OFFICE),
}


@dataclass(frozen=True)
class Page:
    """A page to time: its URL name, who looks at it, and the median it should beat."""

    url_name: str
    label: str
    signed_in_as: str = BOARD
    takes_programme: bool = False
    target_ms: int | None = None
    cold_cache: bool = False  # empty the shared cache before each request (sparklines redrawn)
    query: str = ""  # the query string, if any ("months=36")
    after_change: bool = False  # raise the programme's change counter before each request
    urlconf: str | None = None  # another URLconf than the site's (the bench's own page)

    @property
    def as_most_requests_find_it(self) -> bool:
        """A page of the site with what it keeps kept (the load run requests these)."""
        return not (self.cold_cache or self.after_change or self.urlconf)


# The targets of issue 17 (on PostgreSQL, at the scale data's size, after ANALYZE).
PAGES = (
    Page("portfolio", "Portfolio", target_ms=70),
    Page("programme_detail", "Programme dashboard", takes_programme=True, target_ms=60),
    Page(
        "programme_detail",
        "Programme dashboard, cold cache",
        takes_programme=True,
        cold_cache=True,
    ),
    Page(
        "programme_timeline",
        "Timeline, 12 months",
        takes_programme=True,
        target_ms=80,
        query="months=12",
    ),
    Page(
        "programme_timeline",
        "Timeline, 36 months",
        takes_programme=True,
        target_ms=80,
        query="months=36",
    ),
    Page("milestone_list", "Milestone list", takes_programme=True, target_ms=40),
    Page("risk_list", "Risk list", takes_programme=True, target_ms=40),
    Page("workstream_list", "Workstream list", takes_programme=True, target_ms=40),
    Page("home", "My work (programme office)", signed_in_as=OFFICE, target_ms=60),
    Page(
        "programme_detail",
        "Programme dashboard, just after a change",
        takes_programme=True,
        after_change=True,
    ),
    Page(
        "workstream_list",
        "Workstream list, just after a change",
        takes_programme=True,
        after_change=True,
    ),
    Page("bench_nothing", "A signed-in request that does nothing", urlconf="plans.bench_urls"),
)
# The first page of each URL name; `--pages name` times every page of that name.
PAGES_BY_NAME = {}
for _page in PAGES:
    PAGES_BY_NAME.setdefault(_page.url_name, _page)
del _page

MEASURED, NOT_BUILT, FAILED = "measured", "not built yet", "failed"


def percentile(values: Iterable[float], percent: float) -> float:
    """The nearest-rank percentile: the smallest value with `percent`% of values at or below
    it (the 95th of 20 timings is the 19th slowest)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("No values")
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class PageResult:
    page: Page
    outcome: str
    url: str = ""
    timings_ms: list[float] = field(default_factory=list)
    queries: int | None = None
    detail: str = ""
    # The time the database takes for the page's statements (`sql_floor_ms`).
    sql_floor_ms: float | None = None

    @property
    def floor_ratio(self) -> float | None:
        """Server time (median) over the SQL floor: 1 would be all database time."""
        if not self.sql_floor_ms or self.median_ms is None:
            return None
        return self.median_ms / self.sql_floor_ms

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.timings_ms) if self.timings_ms else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.timings_ms, 95) if self.timings_ms else None

    @property
    def meets_target(self) -> bool | None:
        """None when there is no target or nothing was measured."""
        if self.page.target_ms is None or self.median_ms is None:
            return None
        return self.median_ms < self.page.target_ms

    @property
    def verdict(self) -> str:
        if self.outcome == NOT_BUILT:
            return "not built yet"
        if self.outcome == FAILED:
            return f"failed: {self.detail}"
        if self.meets_target is None:
            return "measured (no target)"
        return "meets target" if self.meets_target else "MISSES target"


@dataclass
class BenchReport:
    machine: dict[str, str]
    data_set: dict[str, int]
    results: list[PageResult]
    requests: int
    warm_ups: int

    def result(self, url_name: str) -> PageResult:
        return next(r for r in self.results if r.page.url_name == url_name)

    def lines(self) -> list[str]:
        """The report as Markdown, to read in a terminal or paste into docs/benchmarks.md."""
        lines = ["Machine: " + ", ".join(f"{k} {v}" for k, v in self.machine.items())]
        lines.append("Data set: " + ", ".join(f"{v:,} {k}" for k, v in self.data_set.items()))
        lines.append(
            f"Server time in-process (Django's WSGI handler, DEBUG off): {self.requests} requests "
            f"per page after {self.warm_ups} warm-up requests."
        )
        lines.append("")
        lines.append(
            "| page | median ms | 95th percentile ms | SQL queries | SQL floor ms "
            "| server / SQL floor | target | result |"
        )
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
        for result in self.results:
            target = f"median < {result.page.target_ms} ms" if result.page.target_ms else "-"
            lines.append(
                f"| {result.page.label} (`{result.page.url_name}`) "
                f"| {_number(result.median_ms)} | {_number(result.p95_ms)} "
                f"| {result.queries if result.queries is not None else '-'} "
                f"| {_number(result.sql_floor_ms)} | {_number(result.floor_ratio)} "
                f"| {target} | {result.verdict} |"
            )
        return lines


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


# --------------------------------------------------------------------------------------------
# Getting ready: the data set and the people who look at it
# --------------------------------------------------------------------------------------------


def ensure_scale_data(
    size: ScaleSize = DEFAULT_SIZE,
    *,
    prefix: str = BENCH_PREFIX,
    log: Callable[[str], object] | None = None,
) -> ScaleSummary | None:
    """Generate the data set unless its programmes are there; None if they were."""
    if scale_programmes(prefix).exists():
        return None
    # Leftovers without programmes (organisations, people) would block a plain run.
    return generate_scale_data(size, prefix=prefix, replace=True, log=log)


def ensure_bench_users(prefix: str = BENCH_PREFIX) -> dict[str, object]:
    """A board member and a programme-office user, each with a role in every programme of
    the data set (idempotent)."""
    programmes = list(scale_programmes(prefix).select_related("organisation").order_by("pk"))
    if not programmes:
        raise ValueError(f"There is no data set with prefix {prefix}")
    user_model = get_user_model()
    users = {}
    for key, (username, name, role) in BENCH_USERS.items():
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        person = Person.objects.filter(user=user).first()
        if person is None:
            person, _ = Person.objects.get_or_create(
                organisation=programmes[0].organisation, name=name
            )
            person.user = user
            person.save()
        held = set(
            Membership.objects.filter(person=person, role=role).values_list(
                "programme_id", flat=True
            )
        )
        for programme in programmes:
            if programme.pk not in held:
                Membership.objects.create(
                    person=person,
                    role=role,
                    programme=programme,
                    source=MembershipSource.GRANTED,
                )
        users[key] = user
    return users


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def page_url(page: Page, programme: Programme) -> str | None:
    """The page's URL, or None if no URL has that name yet. NoReverseMatch if the page
    exists but takes other arguments than expected."""
    if page.url_name not in get_resolver().reverse_dict:
        return None
    url = reverse(page.url_name, args=[programme.pk] if page.takes_programme else [])
    return f"{url}?{page.query}" if page.query else url


class StatementRecorder:
    """An execute wrapper (`connection.execute_wrapper`) that keeps each statement a request
    runs, with its parameters, to run them again on their own."""

    def __init__(self):
        self.statements: list[tuple[str, object, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def sql_floor_ms(
    statements: list[tuple[str, object, bool]], *, runs: int = SQL_FLOOR_RUNS
) -> float:
    """The time the database needs for a page's own statements: each one executed again
    and its rows fetched, the whole set `runs` times; the median, in ms. What is left of
    the server time is Python's (loading rows into objects, rating, the template)."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params, many in statements:
                if many:
                    continue  # no page writes many rows at once; a write is not timed again
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


@functools.cache
def _wsgi_handler() -> WSGIHandler:
    return WSGIHandler()


def serve(url: str, cookie: str) -> tuple[int, float]:
    """One GET of the URL from Django's WSGI handler, as a server makes it: its status and the
    milliseconds until its body was ready. The response is then closed, as the server closes
    it once the body is sent, outside the time: what runs then is not waited for."""
    environ = RequestFactory().get(url, HTTP_COOKIE=cookie).environ
    # As Django's test client does, the database connection is left open between requests
    # (it is the bench's own, and inside a test's transaction it must not be closed).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        started = time.perf_counter()
        response = _wsgi_handler()(environ, lambda status, headers, exc_info=None: None)
        b"".join(response)
        elapsed = (time.perf_counter() - started) * 1000
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return response.status_code, elapsed


def time_page(
    cookie: str, page: Page, url: str, *, requests: int, warm_ups: int, programme_id: int
):
    """Warm up (counting and keeping the statements of the last warm-up request), then time
    the requests, then the SQL floor: the kept statements run again on their own."""
    for _ in range(warm_ups):
        _before_request(page, programme_id)
        recorder = StatementRecorder()
        with connection.execute_wrapper(recorder):
            status, _ = serve(url, cookie)
        if status != 200:
            return PageResult(page, FAILED, url, detail=f"HTTP {status}")
    counted = len(recorder.statements)
    timings = []
    for _ in range(requests):
        _before_request(page, programme_id)
        status, elapsed = serve(url, cookie)
        timings.append(elapsed)
        if status != 200:
            return PageResult(page, FAILED, url, detail=f"HTTP {status}")
    floor = sql_floor_ms(recorder.statements) if not page.cold_cache else None
    return PageResult(page, MEASURED, url, timings, queries=counted, sql_floor_ms=floor)


def _before_request(page: Page, programme_id: int) -> None:
    if page.cold_cache:
        cache.clear()
        forget_kept()
    if page.after_change:
        programme_changed([programme_id])


def run_bench(
    *,
    prefix: str = BENCH_PREFIX,
    pages: Iterable[Page] = PAGES,
    requests: int = DEFAULT_REQUESTS,
    warm_ups: int = WARM_UP_REQUESTS,
    log: Callable[[str], object] | None = None,
) -> BenchReport:
    """Time each page on the data set with this prefix (which must be there)."""
    if requests < 1 or warm_ups < 1:
        raise ValueError("At least one request and one warm-up request per page")
    users = ensure_bench_users(prefix)
    programme = scale_programmes(prefix).order_by("pk").first()
    cookies = {}
    for key, user in users.items():
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        cookies[key] = f"{name}={client.cookies[name].value}"
    results = []
    # As in production: no query log kept in memory, no debug pages, the web processes'
    # garbage collector; the bench's users are signed in as if after their second factor
    # (the programme office must use one).
    thresholds = tune_garbage_collector()
    try:
        with override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            TWO_FACTOR_REQUIRED=False,
        ):
            for page in pages:
                result = _time_one(page, programme, cookies, requests=requests, warm_ups=warm_ups)
                if log is not None:
                    log(f"  {page.label}: {result.verdict}")
                results.append(result)
    finally:
        gc.set_threshold(*thresholds)
    return BenchReport(
        machine=machine(),
        data_set=data_set_size(prefix),
        results=results,
        requests=requests,
        warm_ups=warm_ups,
    )


def _time_one(page: Page, programme, cookies, *, requests: int, warm_ups: int) -> PageResult:
    with override_settings(ROOT_URLCONF=page.urlconf or settings.ROOT_URLCONF):
        try:
            url = page_url(page, programme)
        except NoReverseMatch:
            return PageResult(page, FAILED, detail="its URL takes other arguments")
        if url is None:
            return PageResult(page, NOT_BUILT)
        return time_page(
            cookies[page.signed_in_as],
            page,
            url,
            requests=requests,
            warm_ups=warm_ups,
            programme_id=programme.pk,
        )


def machine() -> dict[str, str]:
    version = ".".join(str(part) for part in connection.get_database_version())
    return {
        "CPU": f"{os.cpu_count()} x {_cpu_model()}",
        "Python": platform.python_version(),
        "database": f"{connection.display_name} {version}",
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def data_set_size(prefix: str = BENCH_PREFIX) -> dict[str, int]:
    programmes = scale_programmes(prefix)
    milestones = Milestone.objects.filter(workstream__programme__in=programmes)
    risks = Risk.objects.filter(programme__in=programmes)
    return {
        "programmes": programmes.count(),
        "workstreams": Workstream.objects.filter(programme__in=programmes).count(),
        "milestones": milestones.count(),
        "risks": risks.count(),
        "measures": Measure.objects.filter(workstream__programme__in=programmes).count(),
        "readings": MeasureReading.objects.filter(
            measure__workstream__programme__in=programmes
        ).count(),
        "status updates": StatusUpdate.objects.filter(workstream__programme__in=programmes).count(),
        "milestone history records": Milestone.history.filter(
            id__in=milestones.values("pk")
        ).count(),
        "risk history records": Risk.history.filter(id__in=risks.values("pk")).count(),
    }
