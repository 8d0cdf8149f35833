"""The bench: each page timed on a generated data set, with its median, 95th percentile,
query count and target; pages not built yet are said to be so, not failed."""

import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plans.bench import (
    NOT_BUILT,
    PAGES,
    PAGES_BY_NAME,
    Page,
    ensure_bench_users,
    ensure_scale_data,
    percentile,
    run_bench,
)
from plans.load import wrk, wrk_available
from plans.scale_data import ScaleSize, generate_scale_data, scale_programmes
from programmes.caching import changes_of
from programmes.choices import Role
from programmes.models import Membership

TINY = ScaleSize(programmes=2, workstreams=3, milestones=4, risks=5, measures=2, months=6)


@pytest.fixture
def tiny(db):
    return generate_scale_data(TINY, prefix="BENCH", today=date(2026, 6, 15))


def test_each_page_gets_its_figures_and_a_missing_one_is_not_built_yet(tiny):
    pages = [
        PAGES_BY_NAME["home"],
        PAGES_BY_NAME["programme_detail"],
        Page("no_such_page", "A page still to come", target_ms=100),
    ]

    report = run_bench(prefix="BENCH", pages=pages, requests=1)

    home, dashboard, missing = report.results
    assert home.outcome == dashboard.outcome == "measured"
    for result in (home, dashboard):
        assert len(result.timings_ms) == 1
        assert result.median_ms > 0
        assert result.p95_ms == result.median_ms
        assert result.queries > 0
        # The page's own statements, run again on their own, take some time.
        assert result.sql_floor_ms > 0
        assert result.floor_ratio == result.median_ms / result.sql_floor_ms
    assert home.page.target_ms == 60
    assert dashboard.page.target_ms == 60
    assert dashboard.meets_target in (True, False)
    assert dashboard.verdict in ("meets target", "MISSES target")
    assert missing.outcome == NOT_BUILT
    assert missing.median_ms is None
    assert missing.verdict == "not built yet"

    lines = report.lines()
    table = [line for line in lines if line.startswith("| ")]
    header, rows = table[:2], table[2:]
    assert header[0].startswith(
        "| page | median ms | 95th percentile ms | SQL queries | SQL floor ms "
        "| server / SQL floor |"
    )
    assert len(rows) == len(pages)
    assert rows[0].startswith(f"| My work (programme office) (`home`) | {home.median_ms:.1f} |")
    assert f"| {home.sql_floor_ms:.1f} | {home.floor_ratio:.1f} |" in rows[0]
    assert rows[2].endswith("| - | - | median < 100 ms | not built yet |")
    assert {"CPU", "Python", "database"} <= set(report.machine)
    assert report.data_set["programmes"] == 2
    assert report.data_set["milestones"] == 2 * 3 * 4


def test_a_page_just_after_a_change_is_timed_with_its_programme_changed_before_each_request(
    tiny,
):
    ensure_bench_users("BENCH")  # their roles, given, raise the counter too
    programme = scale_programmes("BENCH").order_by("pk").first()
    before = changes_of(programme.pk)
    after_change = [page for page in PAGES if page.after_change]
    assert {page.url_name for page in after_change} == {"programme_detail", "workstream_list"}

    report = run_bench(prefix="BENCH", pages=after_change[:1], requests=3, warm_ups=2)

    (result,) = report.results
    assert result.outcome == "measured" and len(result.timings_ms) == 3
    assert changes_of(programme.pk) == before + 5  # each warm-up and timed request
    # Worked out again each time: the programme's whole data read, not what was kept.
    steady = run_bench(prefix="BENCH", pages=[PAGES_BY_NAME["programme_detail"]], requests=1)
    assert result.queries > steady.results[0].queries
    assert changes_of(programme.pk) == before + 5  # the steady page changes nothing


def test_a_signed_in_request_that_does_nothing_reads_only_the_session_and_the_user(tiny):
    (nothing,) = [page for page in PAGES if page.urlconf]

    report = run_bench(prefix="BENCH", pages=[nothing], requests=2)

    (result,) = report.results
    assert result.outcome == "measured", result.detail
    assert result.queries == 2
    assert result.sql_floor_ms > 0
    # The load run requests only the site's pages as most requests find them.
    assert not nothing.as_most_requests_find_it
    assert PAGES_BY_NAME["portfolio"].as_most_requests_find_it


def test_bench_users_hold_a_role_in_every_programme_once(tiny):
    first = ensure_bench_users("BENCH")
    again = ensure_bench_users("BENCH")
    assert first == again
    for key, role in (("board", Role.BOARD_MEMBER), ("office", Role.PROGRAMME_OFFICE)):
        memberships = Membership.objects.filter(person__user=first[key], role=role)
        assert sorted(m.programme_id for m in memberships) == sorted(
            scale_programmes("BENCH").values_list("pk", flat=True)
        )


def test_the_data_set_is_generated_only_when_it_is_not_there(tiny):
    assert ensure_scale_data(TINY, prefix="BENCH") is None
    made = ensure_scale_data(TINY, prefix="OTHER")
    assert made is not None and made.counts["programmes"] == 2


def test_the_95th_percentile_is_the_nearest_rank():
    assert percentile(range(1, 21), 95) == 19
    assert percentile([5.0], 95) == 5.0
    assert percentile([3, 1, 2], 50) == 2


def test_the_load_run_reports_requests_errors_and_the_95th_percentile():
    from plans.load import LoadResult

    result = LoadResult(
        users=50, seconds=10, workers=2, timings_ms=[float(n) for n in range(1, 21)]
    )
    result.errors["HTTP 502"] = 5
    assert result.requests == 25
    assert result.percentile(95) == 19
    assert result.percentile(50) == 10
    line = result.line()
    assert "50 users" in line and "25 requests (2.5 a second)" in line
    assert "95th percentile 19 ms" in line and "errors: 5 HTTP 502" in line


class _Answers(BaseHTTPRequestHandler):
    """200 for every path but /moved/ (a redirect); the cookie it was sent, kept."""

    cookies: set = set()

    def do_GET(self):
        _Answers.cookies.add(self.headers.get("Cookie"))
        self.send_response(302 if self.path == "/moved/" else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # wrk drops its connections when its time is up, mid-answer


@pytest.mark.skipif(
    not wrk_available(), reason="wrk is not installed (Debian: apt-get install wrk)"
)
def test_wrk_requests_each_path_in_turn_and_counts_what_is_not_200_as_errors():
    server = _Server(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = wrk(
            server.server_address[1],
            ["/a/", "/moved/", "/b/", "/c/"],
            "sessionid=abc",
            users=4,
            seconds=1,
        )
    finally:
        server.shutdown()
    assert result.requests > 20
    # One path in four answers a redirect: about a quarter of the requests are errors.
    assert 0.15 < result.errors["not 200"] / result.requests < 0.35
    assert set(result.errors) == {"not 200"}
    assert _Answers.cookies == {"sessionid=abc"}
    assert 0 < result.percentile(50) <= result.percentile(95)
    assert "Load (wrk): 4 users" in result.line()


@pytest.mark.django_db(transaction=True)
def test_a_load_run_can_change_the_programme_while_it_runs():
    from plans.load import LoadResult, changing
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    before = changes_of(programme.pk)
    with changing(programme.pk, 20) as made:
        time.sleep(0.6)
    assert made[0] >= 3
    assert changes_of(programme.pk) == before + made[0]
    with changing(programme.pk, 0) as none:
        time.sleep(0.1)
    assert none == [0]
    assert changes_of(programme.pk) == before + made[0]

    result = LoadResult(users=50, seconds=30, workers=2, timings_ms=[10.0])
    assert "changed" not in result.line()
    result.changes_per_second, result.changes = 2, 61
    assert result.line().endswith(" The programme changed 61 times meanwhile (2 a second).")
