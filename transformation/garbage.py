"""The garbage collector's thresholds in the web processes (issue 17).

A programme's assessment and dashboard are kept in each process (`programmes.caching`): about
100,000 objects each, a million or more in all. Python 3.13's default thresholds (2,000, 10,
10) made a full collection, which walks every one of them, every three or four requests that
worked a programme out again after a change: 200 to 490 ms each, in the request of whoever
happened to be next (the workstream list just after a change: median 90 ms, 95th percentile
410 ms, 12 full collections in 40 requests; `docs/benchmarks.md`, "A tenth session"). With
(50,000, 20, 10) the first generation is collected after 50,000 new objects rather than
2,000, and the older ones are walked 50 times less often: no full collection in 40 such
requests, median 79 ms, 95th percentile 82 ms.
Garbage in cycles waits longer to be freed; reference counting frees the rest at once, and
gunicorn replaces each worker after about 10,000 requests (`gunicorn_conf`).
"""

import gc

THRESHOLDS = (50_000, 20, 10)


def tune_garbage_collector() -> tuple[int, int, int]:
    """Set this process's thresholds; the ones it had, to put back."""
    previous = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    return previous
