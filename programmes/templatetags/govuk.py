"""Render Django forms in the GOV.UK Design System: fields with labels, hints and errors, and
the error summary that links to them."""

from django import forms, template
from django.utils.functional import LazyObject

from programmes.forms import DateInputWidget

register = template.Library()


def _kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.CheckboxSelectMultiple):  # a kind of RadioSelect to Django
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


def first_input_id(field) -> str:
    """Where the error summary's link for a field should take the user."""
    kind = _kind(field)
    if kind in ("date", "radios", "checkboxes"):
        return f"{field.auto_id}_0"
    return field.auto_id


def _date_parts(field) -> list[tuple[str, dict, int]]:
    """(label, sub-widget, width) for the day, month and year boxes of a date input."""
    context = field.field.widget.get_context(field.html_name, field.value(), {"id": field.auto_id})
    parts = context["widget"]["subwidgets"]
    return list(zip(("Day", "Month", "Year"), parts, (2, 2, 4), strict=True))


@register.inclusion_tag("govuk/field.html")
def govuk_field(field, label_size="s", width="", rows=5, legend_is_page_heading=False):
    kind = _kind(field)
    max_length = getattr(field.field, "max_length", None)
    hint = field.help_text
    if kind == "textarea" and max_length:
        limit = f"Up to {max_length:,} characters."
        hint = f"{hint} {limit}" if hint else limit
    return {
        "field": field,
        "kind": kind,
        "label_size": label_size,
        "width": width,
        "rows": rows,
        "hint": hint,
        "max_length": max_length,
        "date_parts": _date_parts(field) if kind == "date" else [],
        "input_type": getattr(field.field.widget, "input_type", "text"),
        "inputmode": "decimal" if isinstance(field.field, forms.DecimalField) else "",
    }


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms_to_check):
    errors = []
    for form in forms_to_check:
        if not hasattr(form, "non_field_errors"):  # None, or a name the page does not set
            continue
        for error in form.non_field_errors():
            errors.append(("#main-content", error))
        for field in form:
            for error in field.errors:
                errors.append((f"#{first_input_id(field)}", error))
    return {"errors": errors}


def _has_errors(value) -> bool:
    if isinstance(value, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, forms.BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    return False


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """'Error: ' when a form the page shows was refused, to start the page's title with (as the
    GOV.UK Design System asks, so that a screen reader says so first); else nothing. Every page's
    title gets it from base.html, which is why it looks through the whole context."""
    for value in context.flatten().values():
        # Not a value worked out only when shown (a form never is): asking what class it is
        # would work it out (the dashboard's trend chart, the CSRF token) on every page.
        if issubclass(type(value), LazyObject):
            continue
        values = value if isinstance(value, list | tuple) else (value,)
        if any(_has_errors(item) for item in values):
            return "Error: "
    return ""
