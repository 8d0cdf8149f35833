"""A bounded load run (issue 17; `manage.py bench --load`): gunicorn on the loopback address,
as production runs it (DEBUG off, sync workers), and N simultaneous users signed in as the
bench's board member, each requesting the main pages in turn with no pause, for a fixed
number of seconds. Reports the requests made, the errors, the median and the 95th percentile.

Everything stays on 127.0.0.1 and stops when the time is up: the users' threads end, and the
gunicorn process (started here, and only it) is stopped by its own id.
"""

from __future__ import annotations

import http.client
import math
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client

LOAD_PORT = 8792
DEFAULT_USERS = 50
DEFAULT_SECONDS = 30
DEFAULT_WORKERS = 2


@dataclass
class LoadResult:
    users: int
    seconds: float
    workers: int
    timings_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.timings_ms) + sum(self.errors.values())

    def percentile(self, percent: float) -> float | None:
        ordered = sorted(self.timings_ms)
        if not ordered:
            return None
        return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]

    def line(self) -> str:
        p50, p95 = self.percentile(50), self.percentile(95)
        errors = ", ".join(f"{count} {kind}" for kind, count in self.errors.items()) or "none"
        return (
            f"Load: {self.users} users without pauses for {self.seconds:.0f} s against gunicorn "
            f"({self.workers} sync workers, 127.0.0.1): {self.requests} requests "
            f"({self.requests / self.seconds:.1f} a second), median "
            f"{p50 or 0:.0f} ms, 95th percentile {p95 or 0:.0f} ms, errors: {errors}."
        )


def session_cookie(user) -> str:
    """A signed-in session of the user's, stored where gunicorn's workers read it."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must verify there
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "TWO_FACTOR_REQUIRED": "false",
        "GUNICORN_ACCESS_LOG": "",  # 50 users' requests would flood the bench's output
    }
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "-c",
        "python:transformation.gunicorn_conf",  # the deployment's own settings
        "transformation.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not answer within 30 s")


def run_load(
    user,
    paths: list[str],
    *,
    users: int = DEFAULT_USERS,
    seconds: float = DEFAULT_SECONDS,
    workers: int = DEFAULT_WORKERS,
    port: int = LOAD_PORT,
) -> LoadResult:
    """Start gunicorn, warm each worker on every page, then `users` threads request `paths`
    in turn, without pauses, until `seconds` have passed; stop gunicorn."""
    cookie = session_cookie(user)
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    result = LoadResult(users, seconds, workers)
    lock = threading.Lock()
    process = start_gunicorn(port, workers)
    try:
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(workers * 2):
            for path in paths:
                warm.request("GET", path, headers=headers)
                warm.getresponse().read()
        warm.close()
        stop_at = time.monotonic() + seconds

        def user_loop(offset: int):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            index = offset
            while time.monotonic() < stop_at:
                path = paths[index % len(paths)]
                index += 1
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status = type(error).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status == 200:
                        result.timings_ms.append(elapsed)
                    else:
                        key = f"HTTP {status}" if isinstance(status, int) else status
                        result.errors[key] = result.errors.get(key, 0) + 1
            connection.close()

        threads = [threading.Thread(target=user_loop, args=(n,)) for n in range(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 90)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    return result
