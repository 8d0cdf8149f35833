"""The `oidc_provider` fixture: the test identity provider (this package) running on the
loopback in a process of its own, for the whole test session.

Import the fixture into a test module (or a conftest) to use it. However many modules import
it, one provider runs per test process: the first use starts it, the end of the session
stops it. It answers as a provider does: discovery at `issuer/.well-known/openid-configuration`,
its sign-in page, the authorization and token endpoints, its keys.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "http://testserver/sign-in/with/oidc/callback/"
STARTUP_SECONDS = 90


@dataclass
class RunningProvider:
    url: str
    client_id: str
    client_secret: str
    setup_key: str
    process: subprocess.Popen = field(repr=False)
    folder: tempfile.TemporaryDirectory = field(repr=False)

    @property
    def issuer(self) -> str:
        return self.url + "/o"

    def configuration(self, **overrides) -> dict:
        """An entry for settings.OIDC_PROVIDERS naming this provider."""
        return {
            "id": "oidc",
            "name": "the test provider",
            "organisation": None,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "trust_email": False,
            **overrides,
        }

    def _setup(self, what: str, data: dict) -> None:
        response = requests.post(
            f"{self.url}/setup/{what}/", data, headers={"X-Setup-Key": self.setup_key}, timeout=30
        )
        response.raise_for_status()

    def add_user(self, email: str, password: str, *, email_verified: bool | None = True) -> None:
        """A user of the provider (made, or changed if there). `email_verified` None: the
        provider says nothing either way, as Microsoft Entra ID."""
        verified = "" if email_verified is None else str(email_verified).lower()
        self._setup("user", {"email": email, "password": password, "email_verified": verified})

    def allow_redirect_uri(self, uri: str) -> None:
        self._setup("redirect-uri", {"client_id": self.client_id, "uri": uri})

    def sign_in(self, authorize_url: str, email: str, password: str) -> str:
        """What a person does at the provider: open the link the product sent them to, sign in
        on the provider's page, and be sent back. Returns the address they are sent back to
        (the product's callback, with the code and state), without following it."""
        browser = requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=30)
        while response.is_redirect and self._is_ours(response.headers["Location"]):
            target = urljoin(response.url, response.headers["Location"])
            if urlsplit(target).path == "/accounts/login/":
                form = browser.get(target, timeout=30)
                response = browser.post(
                    target,
                    {
                        "username": email,
                        "password": password,
                        "next": parse_qs(urlsplit(form.url).query).get("next", [""])[0],
                        "csrfmiddlewaretoken": browser.cookies["provider_csrftoken"],
                    },
                    headers={"Referer": target},
                    allow_redirects=False,
                    timeout=30,
                )
                if not response.is_redirect:
                    raise AssertionError(f"The provider refused {email}: {response.status_code}")
            else:
                response = browser.get(target, allow_redirects=False, timeout=30)
        if not response.is_redirect:
            raise AssertionError(f"The provider answered {response.status_code}: {response.text}")
        return response.headers["Location"]

    def _is_ours(self, location: str) -> bool:
        return location.startswith("/") or location.startswith(self.url)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.folder.cleanup()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_provider() -> RunningProvider:
    folder = tempfile.TemporaryDirectory(prefix="oidc-provider-")
    port = _free_port()
    setup_key = secrets.token_urlsafe(24)
    client_id, client_secret = "programme-tracker", secrets.token_urlsafe(32)
    log = open(Path(folder.name) / "provider.log", "wb")  # noqa: SIM115 (kept for the process)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "serve_provider",
            f"--port={port}",
            f"--client-id={client_id}",
            f"--client-secret={client_secret}",
            f"--redirect-uri={CALLBACK}",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "OIDC_PROVIDER_DATABASE": str(Path(folder.name) / "provider.sqlite3"),
            "OIDC_PROVIDER_SETUP_KEY": setup_key,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = RunningProvider(
        url=f"http://127.0.0.1:{port}",
        client_id=client_id,
        client_secret=client_secret,
        setup_key=setup_key,
        process=process,
        folder=folder,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            log.close()
            output = (Path(folder.name) / "provider.log").read_text(errors="replace")
            provider.stop()
            raise RuntimeError(f"The test identity provider did not start:\n{output}")
        try:
            if requests.get(provider.issuer + "/.well-known/openid-configuration", timeout=5).ok:
                return provider
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            provider.stop()
            raise RuntimeError("The test identity provider did not answer in time")
        time.sleep(0.2)


_running: list[RunningProvider] = []


@pytest.fixture(scope="session")
def oidc_provider():
    """The running test identity provider (one per test process)."""
    if not _running:
        _running.append(start_provider())
    yield _running[0]
    while _running:
        _running.pop().stop()
