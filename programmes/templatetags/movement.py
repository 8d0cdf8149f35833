"""{% movement value %}: a movement since the last period as its arrow and its word, the same
on every page and in every report (`programmes.movement`)."""

from django import template
from django.utils.html import format_html

from programmes.movement import as_movement

register = template.Library()


@register.simple_tag
def movement(value):
    """ "↓ Worse": the arrow is hidden from screen readers, which read the word."""
    if value is None or value == "":
        return ""
    move = as_movement(value)
    return format_html(
        '<span class="app-movement movement movement--{}"><span aria-hidden="true">{}</span> {}</span>',
        move.value,
        move.arrow,
        move.label,
    )
