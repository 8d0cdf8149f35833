"""gunicorn's settings, the one place the Docker image, docker-compose and `manage.py bench
--load` take them from (`gunicorn -c python:transformation.gunicorn_conf transformation.wsgi`).

Sync workers, one per core unless WEB_CONCURRENCY says otherwise: the pages are bound by the
CPU, and on 2 cores 50 users without pauses were served 17 requests a second by 2 workers,
15.5 by 3 and 13.2 by 4 (docs/benchmarks.md, "Under load"). Each worker is replaced after
about 1,000 requests, which bounds what it keeps in memory; a request has 60 s.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.process_cpu_count() or 2)
max_requests = 1000
max_requests_jitter = 100
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
