"""Showing a comment's words: escaped, paragraphs and line breaks kept, and the people it
mentions in bold (programmes/comments.py)."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def comment_body(comment) -> SafeString:
    """The comment as paragraphs, with each "@Name" of a person it mentions in bold. Reads
    `comment.mentioned` (prefetch it)."""
    text = str(escape(comment.body))
    names = sorted({person.name for person in comment.mentioned.all()}, key=len, reverse=True)
    if names:
        pattern = re.compile(
            "@(" + "|".join(re.escape(str(escape(name))) for name in names) + r")(?!\w)",
            re.IGNORECASE,
        )
        text = pattern.sub(lambda match: f"<strong>{match.group(0)}</strong>", text)
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    return mark_safe(  # noqa: S308 (escaped above; only <strong> and <br> added)
        "".join(
            f'<p class="govuk-body app-email">{part.replace(chr(10), "<br>")}</p>'
            for part in paragraphs
        )
    )
