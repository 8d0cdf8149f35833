"""A rating as the pages show it (`programmes.templatetags.plan`), written in Python rather than
an included template (issue 17: the portfolio shows hundreds): the RAG's word on its colour,
and why it is what it is, the first five reasons and the rest behind "and N more"."""

import re

from django.template import Context, Template

from programmes.choices import Rag
from programmes.rules import RagResult, Reason
from programmes.templatetags.plan import rag_tag, reasons


def test_every_rag_is_its_word_on_its_colour_large_or_small():
    assert rag_tag(Rag.RED) == '<strong class="govuk-tag app-rag govuk-tag--red">Red</strong>'
    assert rag_tag(Rag.AMBER_RED, small=True) == (
        '<strong class="govuk-tag app-rag govuk-tag--pink app-rag--small">Amber/Red</strong>'
    )
    assert rag_tag(RagResult(Rag.GREEN)) == (
        '<strong class="govuk-tag app-rag govuk-tag--green">Green</strong>'
    )
    for nothing in (None, ""):
        assert rag_tag(nothing) == (
            '<strong class="govuk-tag app-rag govuk-tag--grey">Not reported</strong>'
        )
    # Asked for small, then large: each size keeps its own markup.
    assert "app-rag--small" in rag_tag(Rag.AMBER, small=True)
    assert "app-rag--small" not in rag_tag(Rag.AMBER)


def result_with(count: int) -> RagResult:
    return RagResult(
        Rag.RED,
        tuple(Reason("is <late> & slipping", f"milestone 1.{n}") for n in range(1, count + 1)),
    )


def text(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html))


def test_reasons_say_why_up_to_five_and_the_rest_behind_a_details():
    three = text(reasons(result_with(3)))
    assert three == (
        '<div class="app-reasons"><p class="app-explanation">Red because: '
        "milestone 1.1 is &lt;late&gt; &amp; slipping; milestone 1.2 is &lt;late&gt; &amp; slipping; "
        "milestone 1.3 is &lt;late&gt; &amp; slipping.</p></div>"
    )
    seven = text(reasons(result_with(7), prefix="Suggested"))
    assert "Suggested Red because: milestone 1.1" in seven
    assert "milestone 1.5 is &lt;late&gt; &amp; slipping;</p>" in seven
    assert '<span class="govuk-details__summary-text">and 2 more</span>' in seven
    assert (
        "<li>milestone 1.6 is &lt;late&gt; &amp; slipping</li>"
        "<li>milestone 1.7 is &lt;late&gt; &amp; slipping</li></ul>"
    ) in seven
    assert reasons(RagResult(Rag.GREEN)) == ""
    assert reasons(None) == ""


def test_the_tags_in_a_template_are_not_escaped_again():
    rendered = Template("{% load plan %}{% rag_tag value small=True %}{% reasons value %}").render(
        Context({"value": result_with(1)})
    )
    assert rendered.startswith('<strong class="govuk-tag app-rag govuk-tag--red app-rag--small">')
    assert "Red because: milestone 1.1 is &lt;late&gt;" in rendered
    assert "&amp;lt;" not in rendered
