"""Links that take a person back where they were."""

from urllib.parse import urlsplit

from django import template
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.simple_tag(takes_context=True)
def came_from(context) -> str:
    """The page of this site the person came from (the browser's Referer), or "" when they
    came from elsewhere, from nowhere, or from this very page: a link to another site is never
    offered."""
    request = context.get("request")
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    if urlsplit(referer).path == request.path:
        return ""
    return referer
