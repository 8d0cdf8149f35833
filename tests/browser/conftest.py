"""Browser tests: Playwright for Python driving Debian's Chromium (`apt-get install chromium`).

Playwright cannot download its own browsers here, so we launch the system binary. Without
it these tests skip, saying why; CI installs it so they always run there.

They must hold on a busy machine (two cores shared with other test processes): they wait on
conditions (`expect(...)`, `wait_for_url`), never for a fixed time, and every wait may take up
to `TIMEOUT_MS` before it fails.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# How long any action, navigation or `expect` may wait for its condition before failing: a
# page that answers in 0.2 s when the machine is idle can take many seconds under load.
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium is not installed: apt-get install -y chromium (CI installs it)")
    if not AXE.exists():
        pytest.skip("axe-core is missing: run `npm ci` (make test does)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    # Playwright's sync API runs an event loop in this thread; the tests' own database calls
    # are still synchronous, so Django's async-safety guard is lifted while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the app itself sends a strict policy.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    # Signed in once the sign-in page has sent us on; a refused sign-in stays and times out.
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    page.wait_for_load_state()


def serious_accessibility_violations(page) -> list[dict]:
    """Run axe-core on the page; return its serious and critical findings (WCAG 2.1 AA). Only
    the violations are built in full (`resultTypes`): axe details no passing rule."""
    page.wait_for_load_state()
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations']
        })"""
    )
    found = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in found
    ]


def describe(violations) -> str:
    return json.dumps(violations, indent=2)
