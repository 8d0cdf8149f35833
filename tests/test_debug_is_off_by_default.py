"""DEBUG is off unless switched on (`make run` and the tests switch it on): a server error
shows a signed-in lead the plain error page, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_like_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a deployment: no DEBUG at all, a secret, a host name."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return {
        **environment,
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "programmes.example.gov.uk",
        "DATABASE_URL": "sqlite://:memory:",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


def run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_debug_is_off_unless_switched_on(tmp_path):
    show = [
        "manage.py",
        "shell",
        "-v0",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
    ]
    environment = production_like_environment(tmp_path)
    assert run(show, environment).stdout.strip() == "False"
    assert run(show, {**environment, "DEBUG": "true"}).stdout.strip() == "True"


def test_a_server_error_shows_a_signed_in_lead_the_plain_page_without_a_traceback(tmp_path):
    script = "import django; django.setup(); from tests.server_error_page import main; main()"
    environment = {
        **production_like_environment(tmp_path),
        "DJANGO_SETTINGS_MODULE": "transformation.settings",
    }
    result = run(["-c", script], environment)
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["status"] == 500
    assert "Sorry, there is a problem with the service" in response["page"]
    for detail in ("Traceback", "RuntimeError", "the detail of a failure", "SECRET_KEY"):
        assert detail not in response["page"]
