"""The settings the tests load (pyproject.toml: DJANGO_SETTINGS_MODULE).

DEBUG is off unless switched on (transformation/settings.py); the tests switch it on, as
`make run` does, unless the environment says otherwise: the development configuration needs
no secret and serves plain HTTP to the test client. pytest-django then turns DEBUG off while
each test runs, so pages and error pages behave as in production. It is set in the
environment, so that the processes tests start (Celery workers) load the same; the
production configuration itself is tested in processes of its own
(tests/test_production_settings.py, tests/test_debug_is_off_by_default.py).
"""

import os

os.environ.setdefault("DEBUG", "true")
# Each test process sends its tasks to a Celery queue of its own, and the real workers it
# starts (tests/services/) inherit it: a task a killed worker left unacknowledged in Redis, from
# an earlier test or an earlier run, is handed out again only on its own queue, never to a
# later test's worker, where it found a report run of the same id in another database.
os.environ["CELERY_QUEUE"] = f"tests-{os.getpid()}-{os.urandom(4).hex()}"

from transformation.settings import *  # noqa: E402, F403

# Tasks run eagerly, in the test's own process: no worker reads the broker in ordinary tests.
# The tests that need a real worker (tests/services/, tests/browser/test_report_in_background.py)
# switch it off while their worker runs (the worker itself loads transformation.settings).
CELERY_TASK_ALWAYS_EAGER = True

# Two-factor codes are asked only in tests/test_two_factor.py, which turns them on; the other
# tests sign in with force_login, as people who have entered their code.
TWO_FACTOR_REQUIRED = False

# On Redis, the tests' cache keeps to a database of its own (the broker's number plus one):
# a test that empties the cache (cache.clear() is FLUSHDB) must not empty Celery's queues
# under the real-worker tests running beside it.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _broker = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    _number = int(_broker.path.strip("/") or 0)
    CACHES["default"]["LOCATION"] = urlunsplit(_broker._replace(path=f"/{_number + 1}"))  # noqa: F405
    # And each test process keeps to keys of its own: the processes' databases give the same
    # ids to different programmes (and so does a later run's), and what is kept as at a
    # closed period is keyed by programme id and moment, which tests share (tests/conftest.py
    # empties this process's keys before each test).
    import uuid

    CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"  # noqa: F405
