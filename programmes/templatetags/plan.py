"""Template helpers for showing the plan: RAG tags with words, plan dates, money."""

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join

from programmes.choices import Rag
from programmes.dates import financial_year_label, format_plan_date
from programmes.rules import RagResult

register = template.Library()

RAG_CLASSES = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER_RED: "govuk-tag--pink",
    Rag.AMBER: "govuk-tag--orange",
    Rag.AMBER_GREEN: "govuk-tag--yellow",
    Rag.GREEN: "govuk-tag--green",
    Rag.COMPLETE: "",
    Rag.NOT_STARTED: "govuk-tag--grey",
    Rag.NO_DATA: "govuk-tag--grey",
}


_rag_tags: dict[tuple[str, bool], str] = {}


@register.simple_tag
def rag_tag(value, small=False) -> str:
    """A RAG as a coloured tag with its word (DOMAIN.md section 3: never colour alone); a
    rating's RAG, or "Not reported" for none. Written once per RAG and size in each process:
    the portfolio and the lists show hundreds."""
    if isinstance(value, RagResult):
        value = value.rag
    key = (value or "", bool(small))
    if key not in _rag_tags:
        label, css = ("Not reported", "govuk-tag--grey") if not value else _label_and_css(value)
        _rag_tags[key] = format_html(
            '<strong class="govuk-tag app-rag {}{}">{}</strong>',
            css,
            " app-rag--small" if small else "",
            label,
        )
    return _rag_tags[key]


def _label_and_css(value) -> tuple[str, str]:
    rag = Rag(value)
    return rag.label, RAG_CLASSES[rag]


SHOWN_REASONS = 5


@register.simple_tag
def reasons(result: RagResult | None, prefix: str = "") -> str:
    """Why a rating is what it is, from the one rating path's reasons: "Red because: ...", the
    first five reasons, and the rest behind "and 5 more", which opens (GOV.UK details, no
    script). Nothing for a rating without reasons. `prefix`: "Suggested", say."""
    if result is None or not result.reasons:
        return ""
    shown, more = result.reasons[:SHOWN_REASONS], result.reasons[SHOWN_REASONS:]
    said = format_html_join("; ", "{}", ((reason,) for reason in shown))
    opening = format_html("{} ", prefix) if prefix else ""
    details = ""
    if more:
        details = format_html(
            '<details class="govuk-details app-reasons__more"><summary class="govuk-details__'
            'summary"><span class="govuk-details__summary-text">and {} more</span></summary>'
            '<div class="govuk-details__text"><ul class="govuk-list govuk-list--bullet '
            'app-explanation">{}</ul></div></details>',
            len(more),
            format_html_join("", "<li>{}</li>", ((reason,) for reason in more)),
        )
    return format_html(
        '<div class="app-reasons"><p class="app-explanation">{}{} because: {}{}</p>{}</div>',
        opening,
        result.label,
        said,
        ";" if more else ".",
        details,
    )


@register.filter
def plan_date(obj, field_name):
    """{{ milestone|plan_date:"baseline" }} -> "Sep 2008" or "15 Sep 2008"."""
    return format_plan_date(
        getattr(obj, f"{field_name}_date", None), getattr(obj, f"{field_name}_precision", None)
    )


@register.filter
def financial_year(start_year):
    return financial_year_label(start_year)


@register.filter
def pounds(value):
    """£1,234 (whole pounds), or blank."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.0f}"


@register.filter
def number(value):
    """12.50 -> 12.5, 20.00 -> 20, with thousands separators; blank stays blank."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).normalize()
    if amount == amount.to_integral():
        return f"{amount:,.0f}"
    return f"{amount:,f}"


@register.filter
def needs_explaining(result) -> bool:
    """Only ratings that are not plainly fine carry their reasons on a list."""
    return isinstance(result, RagResult) and result.rag not in (Rag.GREEN, Rag.COMPLETE)


@register.filter
def explanation(result, subject="it"):
    """Why a RAG is what it is, listing at most five reasons."""
    if isinstance(result, RagResult):
        return result.explanation(subject, limit=5)
    return ""
