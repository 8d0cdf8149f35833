import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from plans.bench import (
    DEFAULT_REQUESTS,
    PAGES,
    PAGES_BY_NAME,
    ensure_scale_data,
    run_bench,
)
from plans.report_bench import DEFAULT_RUNS
from plans.scale_data import analyze_database

BENCH_SQLITE_FILE = settings.BASE_DIR / "bench.sqlite3"


def use_bench_database() -> str:
    """Without DATABASE_URL, use a SQLite file of the bench's own, so that the developer's
    demo database (db.sqlite3) is untouched. Returns what is used, in words."""
    if os.environ.get("DATABASE_URL"):
        return "the database of DATABASE_URL"
    connection = connections["default"]
    connection.close()
    settings.DATABASES["default"]["NAME"] = str(BENCH_SQLITE_FILE)
    connection.settings_dict["NAME"] = str(BENCH_SQLITE_FILE)
    return f"SQLite file {BENCH_SQLITE_FILE.name}"


class Command(BaseCommand):
    help = (
        "Time the main pages on the synthetic data set at scale (generated the first time): "
        "median and 95th percentile of server time, and SQL queries. See docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--requests",
            type=int,
            default=DEFAULT_REQUESTS,
            help="timed requests per page, after two warm-up requests",
        )
        parser.add_argument(
            "--no-reports",
            action="store_true",
            help="time the pages only, not the reports and the monthly run",
        )
        parser.add_argument(
            "--reports-only",
            action="store_true",
            help="time the reports (and the monthly run) only, not the pages",
        )
        parser.add_argument(
            "--no-monthly-run",
            action="store_true",
            help="do not time the monthly run of every scale programme's reports",
        )
        parser.add_argument(
            "--report-runs",
            type=int,
            default=DEFAULT_RUNS,
            help="how many times each report is made, each in a fresh process (the median is "
            f"shown; default {DEFAULT_RUNS})",
        )
        parser.add_argument(
            "--load",
            action="store_true",
            help="after the pages, a bounded load run: gunicorn on 127.0.0.1 and simultaneous "
            "users without pauses (see --users, --seconds, --workers)",
        )
        parser.add_argument("--users", type=int, default=50, help="simultaneous users (--load)")
        parser.add_argument("--seconds", type=int, default=30, help="how long (--load)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (--load)")
        parser.add_argument(
            "--load-client",
            choices=["python", "wrk"],
            default="python",
            help="who makes the load: threads of this process (python, as before), or wrk "
            "(Debian's wrk, in C: it takes little of the machine, so the tail it measures is "
            "the server's)",
        )
        parser.add_argument(
            "--changes-per-second",
            type=float,
            default=0,
            help="during the load run, raise the first programme's change counter this many "
            "times a second, as people editing it do (default 0: no changes)",
        )
        parser.add_argument(
            "--pages",
            default="",
            help="URL names to time, comma-separated: " + ",".join(page.url_name for page in PAGES),
        )

    def handle(self, *args, **options):
        names = [name.strip() for name in options["pages"].split(",") if name.strip()]
        unknown = [name for name in names if name not in PAGES_BY_NAME]
        if unknown:
            raise CommandError(
                f"Unknown page {', '.join(unknown)}; choose from "
                + ", ".join(page.url_name for page in PAGES)
            )
        if options["requests"] < 1:
            raise CommandError("--requests must be at least 1")
        if options["report_runs"] < 1:
            raise CommandError("--report-runs must be at least 1")
        if options["reports_only"] and options["no_reports"]:
            raise CommandError("--reports-only and --no-reports leave nothing to time")
        pages = [page for page in PAGES if page.url_name in names] if names else list(PAGES)

        self.stdout.write(f"Using {use_bench_database()}.")
        call_command("migrate", interactive=False, verbosity=0)
        with_monthly_run = not options["no_reports"] and not options["no_monthly_run"]
        if not options["reports_only"] or with_monthly_run:
            self.stdout.write("Generating the data set at full size if it is not there yet...")
            summary = ensure_scale_data(log=self.stdout.write)
            self.stdout.write(summary.line() if summary else "The data set is there already.")
            # The planner's statistics, whether the data was made now or before (a server
            # without autovacuum has none after a bulk load).
            analyze_database()
            self.stdout.write("Planner statistics gathered (ANALYZE).")
        if not options["reports_only"]:
            self.stdout.write("Timing the pages:")
            report = run_bench(pages=pages, requests=options["requests"], log=self.stdout.write)
            self.stdout.write("")
            for line in report.lines():
                self.stdout.write(line)

        if options["load"]:
            self.bench_load(options)

        if not options["no_reports"]:
            self.bench_reports(runs=options["report_runs"], with_monthly_run=with_monthly_run)

    def bench_load(self, options):
        from plans.bench import ensure_bench_users, page_url, scale_programmes
        from plans.load import run_load, wrk_available

        if not 1 <= options["users"] <= 200 or not 1 <= options["seconds"] <= 600:
            raise CommandError("--users is 1 to 200 and --seconds 1 to 600")
        if not 0 <= options["changes_per_second"] <= 20:
            raise CommandError("--changes-per-second is 0 to 20")
        if options["load_client"] == "wrk" and not wrk_available():
            raise CommandError("--load-client wrk needs wrk (Debian: apt-get install wrk)")
        board = ensure_bench_users()["board"]
        programme = scale_programmes("SCALE").order_by("pk").first()
        paths = [
            page_url(page, programme)
            for page in PAGES
            if page.signed_in_as == "board" and page.as_most_requests_find_it
        ]
        self.stdout.write("")
        self.stdout.write(f"Load run on {len(paths)} pages in turn: " + ", ".join(paths))
        result = run_load(
            board,
            [path for path in paths if path],
            client=options["load_client"],
            users=options["users"],
            seconds=options["seconds"],
            workers=options["workers"],
            changing_programme=programme.pk,
            changes_per_second=options["changes_per_second"],
        )
        self.stdout.write(result.line())

    def bench_reports(self, *, runs: int, with_monthly_run: bool):
        from plans.demo import load_demo
        from plans.report_bench import measure_report, monthly_run
        from plans.scale_data import ScaleSize, generate_scale_data, scale_programmes
        from programmes.models import Programme

        self.stdout.write("")
        self.stdout.write("Reports: loading the demo and a 60-workstream programme if not there...")
        load_demo(log=lambda *args: None, reports=None)  # it times reports itself
        if not scale_programmes("SIXTY").exists():
            generate_scale_data(
                ScaleSize(programmes=1, workstreams=60), prefix="SIXTY", replace=True
            )
        largest_demo = max(
            Programme.objects.exclude(reference__startswith="SCALE").exclude(
                reference__startswith="SIXTY"
            ),
            key=lambda p: p.workstreams.count(),
        )
        sixty = scale_programmes("SIXTY").get()
        self.stdout.write("")
        self.stdout.write(
            f"Each report made {runs} time{'s' if runs > 1 else ''}, each in a fresh process: "
            "the median seconds (the fastest and the slowest), the median seconds of CPU, the "
            "highest peak of memory."
        )
        self.stdout.write(
            "| programme | report | seconds | CPU seconds | peak memory MB | pages | size KB |"
        )
        self.stdout.write("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for programme, label in ((largest_demo, largest_demo.name), (sixty, "Scale programme")):
            for kind in ("summary", "highlight", "exception"):
                self.stdout.write(measure_report(programme, kind, label, runs=runs).line())
        if not with_monthly_run:
            return
        self.stdout.write("")
        programmes = list(scale_programmes("SCALE").order_by("pk"))
        seconds, done, how = monthly_run(programmes)
        self.stdout.write(
            f"Monthly run: {done} reports for {len(programmes)} programmes in {seconds:.1f} s "
            f"with {how} (target: under 45 s, issue 17)."
        )
