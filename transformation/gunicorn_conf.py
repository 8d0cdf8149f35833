"""gunicorn's settings, the one place the Docker image, docker-compose and `manage.py bench
--load` take them from (`gunicorn -c python:transformation.gunicorn_conf transformation.wsgi`).

Sync workers, one per core unless WEB_CONCURRENCY says otherwise: the pages are bound by the
CPU, and on 2 cores 50 users without pauses were served 17 requests a second by 2 workers,
15.5 by 3 and 13.2 by 4 (docs/benchmarks.md, "Under load"). Each worker is replaced after
about 10,000 requests (GUNICORN_MAX_REQUESTS), which bounds what it keeps in memory; a request
has 60 s. Not after 1,000: a new worker starts with nothing kept (each programme's rating and
charts are worked out again, about 2 s for a large dashboard without Redis), and 50 users
without pauses reach 1,000 requests a worker every 15 s, which doubled the 95th percentile
(745 to 1,258 ms).
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.process_cpu_count() or 2)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 10_000)
max_requests_jitter = max_requests // 10
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
