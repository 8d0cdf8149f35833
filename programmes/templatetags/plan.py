"""Template helpers for showing the plan: RAG tags with words, plan dates, money."""

from decimal import Decimal

from django import template

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


@register.inclusion_tag("includes/rag_tag.html")
def rag_tag(value, small=False):
    """A RAG as a coloured tag with its word (DOMAIN.md section 3: never colour alone)."""
    if isinstance(value, RagResult):
        value = value.rag
    if not value:
        return {"label": "Not reported", "css": "govuk-tag--grey", "small": small}
    rag = Rag(value)
    return {"label": rag.label, "css": RAG_CLASSES[rag], "small": small}


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
