"""Every page fits a phone (issue 15, part 1): signed in as each role of the Harrow demo
programme, a crawl follows the same-site links from the home page and opens each kind of page
once (one URL per route: 300 milestones are one page), at 390 px and 1366 px wide. No page may
be wider than the window, and axe-core's WCAG 2.2 AA rules may find nothing serious or
critical.

Kept to a few minutes on two busy cores: the five demo programmes are put back from the
demo's rows loaded once per run (tests/conftest.py); each role opens at most
`MOST_ROUTES_PER_ROLE` kinds of page; a page is measured at both widths in one load (the
window is resized, the page laid out again); and axe-core runs once per kind of page, for the
first role that reaches it.
"""

import json
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import AXE, TIMEOUT_MS
from tests.conftest import put_demo_back

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["board", "sponsor", "manager", "lead", "office"]
WIDTHS = (390, 1366)
MOST_ROUTES_PER_ROLE = 40
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Links not to follow: signing out, the site administration and the API, and files rather
# than pages (a route named for a download, a path ending in a file name, a format asked for).
SKIPPED_PATHS = ("/sign-out/", "/admin/", "/api/", "/static/", "/media/", "/__debug__/")
SKIPPED_QUERY = ("format=", "download=")

# Findings known and owned elsewhere, each to be removed once fixed: (route, axe rule id).
KNOWN_ACCESSIBILITY_FINDINGS: set[tuple[str, str]] = set()

# The outermost elements reaching past the window's right edge (their parent does not), outside
# any box that scrolls or clips them, to say where a page overflows.
WIDEST = """(width) => {
    const name = (element) => element.tagName.toLowerCase()
        + (element.id ? '#' + element.id : '')
        + (typeof element.className === 'string' && element.className.trim()
            ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
    const beyond = (element) => element.getBoundingClientRect().right > width + 1;
    const clipped = (element) => {
        for (let up = element.parentElement; up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== 'visible') return true;
        }
        return false;
    };
    const out = [];
    for (const element of document.querySelectorAll('body *')) {
        if (!beyond(element) || beyond(element.parentElement) || clipped(element)) continue;
        out.push(`${name(element.parentElement)} > ${name(element)}: `
            + (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50));
        if (out.length === 3) break;
    }
    return out;
}"""

LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => !a.hasAttribute('download'))
    .map(a => a.href)"""


@pytest.fixture
def the_demo(demo_rows):
    """The demo as at the tests' day, without its rendered reports, committed for the live
    server to read: put back from the rows the test processes share (tests/conftest.py), a
    second where loading Harrow alone took 20 s; the test's flush empties the tables after it.
    The board member and the programme office reach all five programmes, so the first page of
    a kind they open may be any programme's."""
    put_demo_back(demo_rows)


def route_of(url: str, site: str) -> str | None:
    """The route a same-site link opens (`workstreams/<int:workstream_id>/`), or None for a
    link the crawl leaves alone."""
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != site:
        return None
    if parts.path.startswith(SKIPPED_PATHS) or any(q in parts.query for q in SKIPPED_QUERY):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if "download" in (match.url_name or "") or "." in parts.path.rsplit("/", 1)[-1]:
        return None
    return match.route


def accessibility_violations(page) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        # Only the violations in full: axe builds no details of what passed (a third of its time).
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in_as(context, username: str):
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    page.wait_for_load_state()
    return page


def crawl(page, site: str, checked_for_accessibility: set, problems: dict, role: str) -> list:
    """Open each route reachable from the home page once; return the routes opened."""
    queue = deque([site + "/"])
    seen_routes = set()
    opened = []
    while queue and len(opened) < MOST_ROUTES_PER_ROLE:
        url = queue.popleft()
        route = route_of(url, site)
        if route is None or route in seen_routes:
            continue
        seen_routes.add(route)
        page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or not response.ok:
            problems.setdefault("not ok", []).append(
                f"{role} {url}: {response.status if response else 'no response'}"
            )
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state()
        opened.append(route)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.setdefault("overflow", []).append(
                    {
                        "role": role,
                        "url": url.removeprefix(site),
                        "width": width,
                        "scrollWidth": scroll_width,
                        "widest": page.evaluate(WIDEST, width),
                    }
                )
            if width == WIDTHS[0] and route not in checked_for_accessibility:
                checked_for_accessibility.add(route)
                found = [
                    violation
                    for violation in accessibility_violations(page)
                    if (route, violation["id"]) not in KNOWN_ACCESSIBILITY_FINDINGS
                ]
                if found:
                    problems.setdefault("accessibility", []).append(
                        {"role": role, "url": url.removeprefix(site), "violations": found}
                    )
        for link in page.evaluate(LINKS):
            if route_of(link, site) not in seen_routes:
                queue.append(link)
    return opened


def test_every_page_fits_a_phone_for_every_role(browser, live_server, the_demo):
    site = live_server.url
    checked_for_accessibility = set()
    problems = {}
    opened = {}
    for role in ROLES:
        context = browser.new_context(base_url=site, bypass_csp=True)
        try:
            page = sign_in_as(context, role)
            opened[role] = crawl(page, site, checked_for_accessibility, problems, role)
        finally:
            context.close()

    # The crawl reached each role's own pages, not just the home page.
    for role, routes in opened.items():
        assert len(routes) >= 10, (role, routes)
    assert not problems, json.dumps(problems, indent=2)
