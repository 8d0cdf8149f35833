"""Nothing a user types into the plan can make a report fetch a file or call a server: user text
is escaped, so markup comes out as literal text, and the renderer's URL fetcher serves only the
app's own static files and data: images (DOMAIN.md section 5; reporting/pdf.py)."""

import base64
import shutil
import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone
from pypdf import PdfReader

from reporting.models import ExceptionNarrative
from reporting.pdf import STATIC_PREFIX, RefusedURL, SafeFetcher, html_to_pdf, render_html
from reporting.reports import gather_exceptions, gather_highlight
from tests.factories import MilestoneFactory, PeriodFactory, StatusUpdateFactory

REMOTE_IMAGE = '<img src="http://example.com/x.png">'
LOCAL_FILE = '<img src="file:///etc/passwd">'
REMOTE_STYLESHEET = "<link rel=stylesheet href=https://evil.example/x.css>"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


def squashed(text: str) -> str:
    """Text without any white space, so that wrapping in a table cell does not matter."""
    return "".join(text.split())


def pdf_text(content: bytes) -> str:
    return squashed(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages))


@pytest.fixture
def hostile_plan(plan):
    """Workstream names, a lead's escalation and an exception narrative that look like HTML."""
    period = PeriodFactory(programme=plan["programme"], month=timezone.localdate().replace(day=1))
    plan["ws_1_1"].name = REMOTE_IMAGE
    plan["ws_1_1"].save()
    plan["ws_2_1"].name = LOCAL_FILE
    plan["ws_2_1"].save()
    StatusUpdateFactory(
        workstream=plan["ws_1_2"],
        period=period,
        rag="red",
        reason="Behind",
        escalations=REMOTE_STYLESHEET,
        state="submitted",
        submitted_at=timezone.now(),
    )
    overdue = MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        baseline_date=timezone.localdate().replace(day=1) - timedelta(days=10),
    )
    ExceptionNarrative.objects.create(
        period=period,
        key=f"milestone:{overdue.pk}",
        kind="milestone",
        cause=REMOTE_STYLESHEET,
        recommendation=REMOTE_IMAGE,
    )
    return period


def test_user_text_in_the_highlight_report_is_literal_text(plan, hostile_plan):
    report = gather_highlight(plan["programme"], hostile_plan, author="Office")
    html = render_html(report)
    for markup in (REMOTE_IMAGE, LOCAL_FILE, REMOTE_STYLESHEET):
        assert markup not in html
    assert "&lt;img src=&quot;http://example.com/x.png&quot;&gt;" in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "&lt;link rel=stylesheet href=https://evil.example/x.css&gt;" in html

    pdf = html_to_pdf(html)
    assert pdf.refused == ()  # nothing even asked for the addresses
    text = pdf_text(pdf.content)
    for markup in (REMOTE_IMAGE, LOCAL_FILE, REMOTE_STYLESHEET):
        assert squashed(markup) in text


def test_an_exception_narrative_is_literal_text(plan, hostile_plan):
    report = gather_exceptions(plan["programme"], hostile_plan, author="Office")
    assert any(breach.has_narrative for breach in report.breaches)
    html = render_html(report)
    assert REMOTE_STYLESHEET not in html and REMOTE_IMAGE not in html
    pdf = html_to_pdf(html)
    assert pdf.refused == ()
    text = pdf_text(pdf.content)
    assert squashed("Cause" + REMOTE_STYLESHEET) in text
    assert squashed("Recommendation" + REMOTE_IMAGE) in text


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://evil.example/x.css",
        "https://report.invalid/elsewhere/app.css",
        "https://report.invalid/static.evil.example/app.css",
        "file:///etc/passwd",
        "file:///" + str(Path(settings.BASE_DIR) / "static" / "build" / "app.css").lstrip("/"),
        STATIC_PREFIX + "../../../../etc/passwd",
        STATIC_PREFIX + "../transformation/settings.py",
        STATIC_PREFIX + "no-such-file.css",
        "data:text/css,body{background:url(http://example.com/x.png)}",
        "data:text/html,<img src=http://example.com/x.png>",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files_and_images(url):
    fetcher = SafeFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


@pytest.fixture
def built_static():
    """The front end is built into static/build by `npm run build` (`make static`); build it
    if this checkout has not."""
    if finders.find("app.css") is None and shutil.which("npm"):
        subprocess.run(["npm", "run", "--silent", "build"], cwd=settings.BASE_DIR, check=True)
    found = finders.find("app.css")
    if found is None:
        pytest.fail("static/build/app.css is missing: run `make static` first")
    return Path(found)


def test_the_fetcher_serves_a_static_file(built_static):
    fetcher = SafeFetcher()
    response = fetcher.fetch(STATIC_PREFIX + "app.css")
    assert response.read() == built_static.read_bytes()
    assert response.content_type == "text/css"
    assert fetcher.refused == []


def test_the_fetcher_serves_a_data_image():
    fetcher = SafeFetcher()
    url = "data:image/svg+xml;base64," + base64.b64encode(SVG.encode()).decode()
    response = fetcher.fetch(url)
    assert response.read() == SVG.encode()
    assert response.content_type == "image/svg+xml"
    assert fetcher.refused == []


def test_a_document_asking_for_outside_addresses_renders_without_them():
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>t</title>'
        '<link rel="stylesheet" href="https://evil.example/x.css"></head>'
        '<body><p>Hello</p><img src="file:///etc/passwd" alt="">'
        '<img src="http://example.com/x.png" alt=""></body></html>'
    )
    pdf = html_to_pdf(html)
    assert pdf.pages >= 1
    assert set(pdf.refused) == {
        "https://evil.example/x.css",
        "file:///etc/passwd",
        "http://example.com/x.png",
    }
