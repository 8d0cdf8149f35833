"""The bench's report figures: each report made several times in fresh processes, the median
time shown with the fastest and the slowest, the median CPU time, and the highest peak of memory
(the machine's other core is often busy, so one run alone says little)."""

import pytest

from plans.report_bench import SUMMARY_LABEL, summarise_runs


def run(seconds, cpu, peak_kib=100 * 1024, pages=17, size=200 * 1024):
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_kib": peak_kib,
        "pages": pages,
        "bytes": size,
    }


def test_the_median_of_the_runs_is_shown_with_the_fastest_and_the_slowest():
    figure = summarise_runs(
        [
            run(1.9, 1.3),
            run(1.4, 1.35),
            run(1.5, 1.4, peak_kib=180 * 1024),
            run(1.45, 1.2),
            run(3.2, 2.0),
        ],
        label="Harrow",
        kind="highlight",
        workstreams=61,
    )
    assert figure.seconds == 1.5
    assert (figure.fastest, figure.slowest) == (1.4, 3.2)
    assert figure.cpu_seconds == 1.35
    assert figure.peak_mb == 180
    assert figure.line() == (
        "| Harrow (61 workstreams) | Highlight report | 1.50 (1.40-3.20) | 1.35 | 180 | 17 | 200 |"
    )


def test_one_run_is_shown_alone():
    figure = summarise_runs(
        [run(0.62, 0.55, pages=3)], label="Harrow", kind="summary", workstreams=61
    )
    assert figure.kind == SUMMARY_LABEL
    assert figure.line() == (
        f"| Harrow (61 workstreams) | {SUMMARY_LABEL} | 0.62 | 0.55 | 100 | 3 | 200 |"
    )


def test_no_runs_is_refused():
    with pytest.raises(ValueError):
        summarise_runs([], label="Harrow", kind="exception", workstreams=61)
