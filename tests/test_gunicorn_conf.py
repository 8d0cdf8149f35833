"""gunicorn's settings are in one place (transformation/gunicorn_conf.py), and the Docker image,
docker-compose and the bench's load run all start gunicorn with it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def printed_config(**env: str | None) -> dict[str, str]:
    """gunicorn's settings as it prints them; a variable given as None is unset."""
    environment = {**os.environ, **env}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
    result = subprocess.run(
        [
            str(GUNICORN),
            "-c",
            "python:transformation.gunicorn_conf",
            "--print-config",
            "transformation.wsgi",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    settings = {}
    for line in result.stdout.splitlines():
        name, equals, value = line.partition("=")
        if equals:
            settings[name.strip()] = value.strip()
    return settings


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this environment")
def test_sync_workers_as_many_as_web_concurrency_each_replaced_after_about_10000_requests():
    settings = printed_config(
        WEB_CONCURRENCY="3", PORT="8123", GUNICORN_ACCESS_LOG="", GUNICORN_MAX_REQUESTS=None
    )
    assert settings["worker_class"] == "sync"
    assert settings["workers"] == "3"
    assert settings["max_requests"] == "10000"
    assert settings["max_requests_jitter"] == "1000"
    assert settings["bind"] == "['0.0.0.0:8123']"
    assert settings["accesslog"] == "None"


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this environment")
def test_how_often_a_worker_is_replaced_can_be_set():
    settings = printed_config(GUNICORN_MAX_REQUESTS="2000")
    assert settings["max_requests"] == "2000"
    assert settings["max_requests_jitter"] == "200"


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this environment")
def test_one_worker_per_core_the_process_may_use_unless_told():
    settings = printed_config(WEB_CONCURRENCY=None, GUNICORN_ACCESS_LOG=None)
    assert settings["workers"] == str(os.process_cpu_count())
    assert settings["accesslog"] == "-"


@pytest.mark.parametrize("path", ["Dockerfile", "docker-compose.yml", "plans/load.py"])
def test_every_way_of_starting_gunicorn_takes_the_one_configuration(path):
    text = (ROOT / path).read_text()
    assert "python:transformation.gunicorn_conf" in text
    assert "--max-requests" not in text and '"--worker-class"' not in text


def test_the_web_application_runs_with_the_garbage_collectors_thresholds_raised():
    """A full collection walks everything a process keeps (each programme's assessment):
    the web processes, whatever serves them, make them rarer (transformation/garbage.py)."""
    from transformation.garbage import THRESHOLDS

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc; default = gc.get_threshold(); import transformation.wsgi; "
            "print(default, gc.get_threshold())",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "transformation.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    default, tuned = result.stdout.strip().split(") (")
    assert tuned == ", ".join(map(str, THRESHOLDS)) + ")"
    assert THRESHOLDS[0] >= 10 * int(default.strip("(").split(",")[0])  # ten times, at least
