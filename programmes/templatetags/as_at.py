"""Links that keep the "as at" choice (issue 15, part 6): from a page showing a past
period, a link to another page that accepts the choice shows that period too.

    {% load as_at %}
    <a href="{% as_at_url 'milestone_list' programme.pk %}">Milestones</a>
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from programmes.as_at import PARAMETER, keep_as_at

register = template.Library()


@register.simple_tag(takes_context=True)
def as_at_url(context, url_name: str, *args) -> str:
    """`{% url %}` that keeps the page's as-at choice."""
    return keep_as_at(context.get("request"), url_name, reverse(url_name, args=args))


@register.simple_tag(takes_context=True)
def today_url(context) -> str:
    """This page's address with its other choices (filters, sort) but not the as-at one."""
    request = context.get("request")
    query = request.GET.copy()
    query.pop(PARAMETER, None)
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
