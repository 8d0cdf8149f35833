"""A bounded load run (issue 17; `manage.py bench --load`): gunicorn on the loopback address,
as production runs it (DEBUG off, sync workers), and N simultaneous users signed in as the
bench's board member, each requesting the main pages in turn with no pause, for a fixed
number of seconds. Reports the requests made, the errors, the median and the 95th percentile.

The users are threads of this Python process, or, with `client="wrk"`, the connections of
wrk (Debian's `wrk`, written in C). On two cores the Python
users share the machine with gunicorn's workers and each other's interpreter lock, which
widens the tail they measure; wrk costs the machine little, so its figures are the server's.

With `changes_per_second` (`--changes-per-second`), a thread of this process raises the
change counter of the programme whose pages are requested that many times a second, as the
programme office and the leads editing it do in the week the updates are due: what it keeps
is worked out again after each change, by whichever worker is asked first.

Everything stays on 127.0.0.1 and stops when the time is up: the users' threads end, and the
gunicorn process (started here, and only it) is stopped by its own id.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
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
    client: str = "Python threads"
    changes_per_second: float = 0
    changes: int = 0  # how many changes were made during the run
    # What wrk counted and measured itself (it keeps no list of timings).
    counted: int | None = None
    percentiles_ms: dict[int, float] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        if self.counted is not None:
            return self.counted
        return len(self.timings_ms) + sum(self.errors.values())

    def percentile(self, percent: int) -> float | None:
        if percent in self.percentiles_ms:
            return self.percentiles_ms[percent]
        ordered = sorted(self.timings_ms)
        if not ordered:
            return None
        return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]

    def line(self) -> str:
        p50, p95 = self.percentile(50), self.percentile(95)
        errors = ", ".join(f"{count} {kind}" for kind, count in self.errors.items()) or "none"
        return (
            f"Load ({self.client}): {self.users} users without pauses for {self.seconds:.0f} s "
            f"against gunicorn ({self.workers} sync workers, 127.0.0.1): {self.requests} "
            f"requests ({self.requests / self.seconds:.1f} a second), median "
            f"{p50 or 0:.0f} ms, 95th percentile {p95 or 0:.0f} ms, errors: {errors}."
            + (
                f" The programme changed {self.changes} times meanwhile "
                f"({self.changes_per_second:g} a second)."
                if self.changes_per_second
                else ""
            )
        )


@contextmanager
def changing(programme_id: int | None, per_second: float):
    """While inside, a thread raises the programme's change counter `per_second` times a
    second; yields a list that holds, at the end, how many times it did."""
    from programmes.caching import programme_changed

    made = [0]
    if per_second <= 0:
        yield made
        return
    stop = threading.Event()

    def change():
        from django.db import connection

        try:
            while not stop.wait(1 / per_second):
                programme_changed([programme_id])
                made[0] += 1
        finally:
            connection.close()

    thread = threading.Thread(target=change, name="bench-changes", daemon=True)
    thread.start()
    try:
        yield made
    finally:
        stop.set()
        thread.join(10)


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


@contextmanager
def serving(port: int, workers: int, paths: list[str], headers: dict[str, str]):
    """gunicorn started, each worker warmed on every page, and stopped at the end."""
    process = start_gunicorn(port, workers)
    try:
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(workers * 2):
            for path in paths:
                warm.request("GET", path, headers=headers)
                warm.getresponse().read()
        warm.close()
        yield
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def run_load(
    user,
    paths: list[str],
    *,
    client: str = "python",
    users: int = DEFAULT_USERS,
    seconds: float = DEFAULT_SECONDS,
    workers: int = DEFAULT_WORKERS,
    port: int = LOAD_PORT,
    changing_programme: int | None = None,
    changes_per_second: float = 0,
) -> LoadResult:
    """Start gunicorn, warm each worker on every page, then `users` request `paths` in turn,
    without pauses, until `seconds` have passed (`client`: threads of this process, "python",
    or wrk's connections, "wrk"), the programme changing meanwhile if asked; stop gunicorn."""
    if client == "wrk" and not wrk_available():
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    cookie = session_cookie(user)
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    with (
        serving(port, workers, paths, headers),
        changing(changing_programme, changes_per_second) as changes,
    ):
        if client == "wrk":
            result = wrk(port, paths, cookie, users=users, seconds=seconds)
        else:
            result = _python_users(port, paths, headers, users=users, seconds=seconds)
    result.workers = workers
    result.changes_per_second, result.changes = changes_per_second, changes[0]
    return result


def _python_users(
    port: int, paths: list[str], headers: dict[str, str], *, users: int, seconds: float
) -> LoadResult:
    """`users` threads requesting the paths in turn on 127.0.0.1:`port` for the seconds
    given, each timing its requests."""
    result = LoadResult(users, seconds, 0)
    lock = threading.Lock()
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
    return result


# wrk's script: each connection requests the paths in turn from its own place in the list,
# counts the answers that are not 200, and at the end says what wrk measured, as JSON.
WRK_SCRIPT = """
local paths = %(paths)s
local cookie = %(cookie)s
local threads = {}
local next_offset = 0
function setup(thread)
  thread:set("offset", next_offset)
  next_offset = next_offset + 7
  table.insert(threads, thread)
end
function init(args)
  index = offset
  not_ok = 0
end
function request()
  index = index + 1
  return wrk.format("GET", paths[(index %% #paths) + 1], {Cookie = cookie, Host = "127.0.0.1"})
end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local refused = 0
  for _, thread in ipairs(threads) do refused = refused + thread:get("not_ok") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "not_200": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"timeout": %%d, "p50_us": %%d, "p95_us": %%d}\\n',
    summary.requests, refused, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a Lua string for these characters


def wrk(port: int, paths: list[str], cookie: str, *, users: int, seconds: float) -> LoadResult:
    """wrk's `users` connections requesting the paths in turn on 127.0.0.1:`port` for the
    seconds given: what it counted (answers other than 200 are errors) and its percentiles."""
    lua_paths = "{" + ", ".join(_lua_string(path) for path in paths) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % {"paths": lua_paths, "cookie": _lua_string(cookie)})
        script.flush()
        finished = subprocess.run(  # noqa: S603 - our own arguments, on the loopback only
            [
                shutil.which("wrk"),
                "--threads",
                "2",
                "--connections",
                str(users),
                "--duration",
                f"{seconds:.0f}s",
                "--timeout",
                "60s",
                "--script",
                script.name,
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 90,
            check=True,
        )
    line = next(line for line in finished.stdout.splitlines() if line.startswith("WRK "))
    figures = json.loads(line.removeprefix("WRK "))
    errors = {
        name: figures[key]
        for name, key in (
            ("not 200", "not_200"),
            ("connect", "connect"),
            ("read", "read"),
            ("write", "write"),
            ("timeout", "timeout"),
        )
        if figures[key]
    }
    return LoadResult(
        users,
        seconds,
        0,
        errors=errors,
        client="wrk",
        counted=figures["requests"],
        percentiles_ms={50: figures["p50_us"] / 1000, 95: figures["p95_us"] / 1000},
    )
