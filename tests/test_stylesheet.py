"""The stylesheet `make static` builds (static/build/app.css, from static/src/app.scss):
GOV.UK Frontend's rules once. Its partials load the Design System's helpers (`govuk/base`),
not the whole of it: loading the whole again wrote every GOV.UK rule twice more, after ours,
so that each of ours that overrides one (the small RAG tags, the small buttons, the side
column of the status update) silently lost, and the file was 2.7 times its size."""

from pathlib import Path

import pytest

BUILT = Path(__file__).resolve().parents[1] / "static" / "build" / "app.css"
SOURCES = Path(__file__).resolve().parents[1] / "static" / "src"


@pytest.fixture
def css() -> str:
    if not BUILT.exists():
        pytest.fail("static/build/app.css is missing: `make test` builds it (`make static`)")
    return BUILT.read_text()


def test_govuk_frontend_is_in_the_stylesheet_once(css):
    for rule in (".govuk-grid-column-one-third{width:", ".govuk-grid-column-two-thirds{width:"):
        assert css.count(rule) == 1, rule
    assert "arial" in css and "GDS Transport" not in css  # the council's font, configured once


def test_our_overrides_come_after_the_rules_they_override(css):
    assert css.index(".app-rag--small{") > css.index(".govuk-tag{")
    assert css.index("app-grid-column--aside{float:right}") > css.index(
        ".govuk-grid-column-one-third{width:"
    )


def test_partials_load_only_the_helpers():
    for partial in SOURCES.glob("_*.scss"):
        text = partial.read_text()
        assert '@use "govuk-frontend/dist/govuk" ' not in text, partial.name
