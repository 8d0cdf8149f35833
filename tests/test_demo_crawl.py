"""Every page of the demo has content (issue 18): signed in as each demo sign-in, a crawl with
Django's test client follows the same-site links from the first page (My work) and opens each
kind of page once (one URL per route), within Harrow, the programme the sign-ins' roles are in
(the board member and the programme office see all five, and are kept to Harrow so that the
crawl reads the same pages for each). No page may show an empty register or an empty state
("No reports have been made yet", "No risks match these filters", ...): the demo shows every
capability with data.

The browser crawl (tests/browser/test_phone_crawl.py) checks the same pages' layout and
accessibility; this one checks their words, and runs with the rest of the suite.
"""

from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve

from plans.demo import load_approved_reports
from programmes.models import ProgrammeArea, ReportingPeriod
from reporting.models import BoardPack, ChangeRequest, ReportRun
from risks.models import ActionItem, BoardMeeting, Decision, Issue, Risk
from workstreams.models import Measure, Milestone, Workstream

ROLES = ["board", "sponsor", "manager", "lead", "office"]
MOST_ROUTES_PER_ROLE = 100
SKIPPED_PATHS = ("/sign-out/", "/admin/", "/api/", "/static/", "/media/", "/__debug__/")
SKIPPED_QUERY = ("format=", "download=")

# What a page says when it has nothing to show: none of these may appear on a demo page.
EMPTY = [
    "No reports have been made yet",
    "match these filters",
    "No meetings are planned",
    "No items are on the agenda yet",
    "No agenda items have been added yet",
    "No one is on the meeting's list yet",
    "No papers yet",
    "No status updates yet",
    "No updates yet",
    "No actions yet",
    "No mitigation actions yet",
    "No budget lines yet",
    "No budget is recorded for the programme",
    "no areas or workstreams yet",
    "No workstreams in this area yet",
    "no objectives recorded yet",
    "No key documents recorded",
    "No one has a role in the programme yet",
    "Nothing needs you today",
]

# Empty where the document itself gives nothing, each with its reason: (route, words) -> why.
FAITHFULLY_EMPTY = {
    # Harrow's plan gives each workstream's funding in words ("Within MTFP", "Workforce
    # Grant") but no amounts: its budget is not invented.
    ("programmes/<int:programme_id>/budget/", "No budget lines yet"): "no amounts in the plan",
    ("programmes/<int:programme_id>/budget/", "No budget is recorded for the programme"): (
        "no amounts in the plan"
    ),
    ("programmes/<int:programme_id>/finance/", "No budget lines yet"): "no amounts in the plan",
    ("workstreams/<int:workstream_id>/budget/", "No budget lines yet"): "no amounts in the plan",
    # The golden thread is Cheshire East's (its service plans); Harrow's plan has none.
    ("programmes/<int:programme_id>/objectives/", "no objectives recorded yet"): (
        "no objectives in the plan"
    ),
}

# The programme each kind of object in a URL belongs to.
OWNERS = {
    "workstream_id": (Workstream, "programme_id"),
    "area_id": (ProgrammeArea, "programme_id"),
    "period_id": (ReportingPeriod, "programme_id"),
    "meeting_id": (BoardMeeting, "programme_id"),
    "milestone_id": (Milestone, "workstream__programme_id"),
    "risk_id": (Risk, "programme_id"),
    "issue_id": (Issue, "programme_id"),
    "decision_id": (Decision, "programme_id"),
    "measure_id": (Measure, "workstream__programme_id"),
    "run_id": (ReportRun, "programme_id"),
    "change_id": (ChangeRequest, "programme_id"),
    "action_item_id": (ActionItem, "programme_id"),
    "pack_id": (BoardPack, "programme_id"),
}


def programme_of(kwargs: dict) -> int | None:
    if "programme_id" in kwargs:
        return kwargs["programme_id"]
    for name, value in kwargs.items():
        if name in OWNERS:
            model, path = OWNERS[name]
            return model.objects.filter(pk=value).values_list(path, flat=True).first()
    return None


def route_of(url: str, programme_id: int) -> str | None:
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED_PATHS) or any(q in parts.query for q in SKIPPED_QUERY):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if "download" in (match.url_name or "") or "." in parts.path.rsplit("/", 1)[-1]:
        return None
    owner = programme_of(match.kwargs)
    if owner is not None and owner != programme_id:
        return None
    return match.route


def links(html: str) -> list[str]:
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "a" and attrs.get("href") and "download" not in attrs:
                found.append(attrs["href"])

    Parser().feed(html)
    return found


def crawl(client, programme_id: int) -> tuple[list[str], list[str]]:
    queue = deque(["/"])
    seen = set()
    opened, problems = [], []
    while queue and len(opened) < MOST_ROUTES_PER_ROLE:
        url = queue.popleft()
        route = route_of(url, programme_id)
        if route is None or route in seen:
            continue
        seen.add(route)
        response = client.get(url)
        if response.status_code != 200:
            if response.status_code not in (302, 403, 405):
                problems.append(f"{url}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        opened.append(route)
        page = response.content.decode()
        for words in EMPTY:
            if words in page and (route, words) not in FAITHFULLY_EMPTY:
                problems.append(f"{url} ({route}): {words!r}")
        for link in links(page):
            if route_of(link, programme_id) not in seen:
                queue.append(link)
    return opened, problems


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def test_every_page_a_demo_sign_in_reaches_has_content(demo, client):
    # Harrow's reports for last month, made and approved as `load_demo` makes them (the shared
    # demo fixture leaves them out: tests/test_demo_reports.py).
    office = get_user_model().objects.get(username="office")
    load_approved_reports(demo["HARROW-TPP"], approver=office, log=lambda *args: None)
    harrow = demo["HARROW-TPP"].pk
    problems, opened = {}, {}
    for role in ROLES:
        client.force_login(get_user_model().objects.get(username=role))
        opened[role], found = crawl(client, harrow)
        if found:
            problems[role] = found
    for role, routes in opened.items():
        assert len(routes) >= 15, (role, routes)
    assert not problems, problems
