"""Reports as HTML and as PDF: pure functions from a gathered report to a string, and from a
string to PDF bytes (WeasyPrint). Nothing here touches the database or the storage.

WeasyPrint never reaches out: the URL fetcher serves only the app's own static files and the
charts drawn here (data: images), and refuses every other URL and every file:// path, so
nothing a user types into a report can make the renderer read a file or call a server.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import re
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Engine
from django.template.library import import_library
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from reporting.reports import ExceptionReport, HighlightReport

logger = logging.getLogger(__name__)

# Relative links in report HTML resolve against this address, which exists nowhere.
BASE_URL = "https://report.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
DATA_IMAGE = re.compile(r"^data:image/(svg\+xml|png|jpeg)(;[a-z0-9=.+-]+)*(;base64)?,", re.I)


class RefusedURL(URLFetchingError):
    """A report asked for something outside the app's own static files."""


class SafeFetcher(URLFetcher):
    """Serves our static files and our own data: images; refuses everything else."""

    def __init__(self):
        # It never goes to the network, so it is given a bare TLS context: urllib's default,
        # made for each fetcher, loads the system's certificates (15 ms of every report). A
        # request that did go out would fail, as no certificate is trusted.
        super().__init__(
            allowed_protocols={"data", "https"},
            allow_redirects=False,
            ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
        )
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if DATA_IMAGE.match(url):
            return super().fetch(url, headers)
        if url.startswith(STATIC_PREFIX):
            relative = url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0]
            if ".." not in Path(relative).parts:
                found = finders.find(relative)
                if found:
                    body = Path(found).read_bytes()
                    mime, _ = mimetypes.guess_type(found)
                    return URLFetcherResponse(
                        url, body, headers={"Content-Type": mime or "application/octet-stream"}
                    )
        self.refused.append(url)
        logger.warning("Report rendering refused to fetch %s", url[:200])
        raise RefusedURL(f"Refused: {url[:200]}")


class _TagLibrariesOnFirstLoad(dict):
    """The template tag libraries the site's engine has (Django's own, then each installed
    app's, a later app's library taking a name from an earlier one's), each imported the first
    time a report template loads it. The site's engine imports every one of them up front:
    Django REST framework's pull in requests and urllib3, 0.2 s of a fresh worker process's
    first report."""

    def __missing__(self, name: str):
        packages = ["django.templatetags"]
        packages += [f"{app.name}.templatetags" for app in apps.get_app_configs()]
        for package in reversed(packages):
            if find_spec(package) is not None and find_spec(f"{package}.{name}") is not None:
                library = self[name] = import_library(f"{package}.{name}")
                return library
        raise KeyError(name)


class _ReportEngine(Engine):
    def get_template_libraries(self, libraries):
        return _TagLibrariesOnFirstLoad()


@cache
def report_templates() -> Engine:
    """The template engine of the reports: the project's templates folder, every tag library
    the site has (imported when first loaded), autoescaping as everywhere else, and none of the
    context processors of a request, which a report, made by a worker, does not have."""
    return _ReportEngine(dirs=settings.TEMPLATES[0]["DIRS"], debug=settings.DEBUG)


def render_html(report: HighlightReport | ExceptionReport) -> str:
    template = (
        "reports/highlight.html"
        if isinstance(report, HighlightReport)
        else "reports/exception.html"
    )
    return report_templates().render_to_string(template, {"report": report})


@dataclass(frozen=True)
class RenderedPDF:
    content: bytes
    pages: int
    refused: tuple[str, ...]


@contextmanager
def cyclic_garbage_collection_paused():
    """WeasyPrint makes a few hundred thousand objects for a 20-page report, and the cyclic
    garbage collector's passes over them took 7% of its time; gathering a large programme's
    report as at a period's end makes some ten thousand model instances from its history, and
    the collector's passes over those took a tenth of that step. Reference counting still
    frees what is no longer used; only reference cycles (a few MB) wait till the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str, *, fetcher: SafeFetcher | None = None) -> RenderedPDF:
    """A4 PDF, tagged for accessibility (PDF/UA-1), title and language from the HTML."""
    fetcher = fetcher or SafeFetcher()
    with cyclic_garbage_collection_paused():
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        content = document.write_pdf(pdf_variant="pdf/ua-1")
    return RenderedPDF(content, len(document.pages), tuple(fetcher.refused))
