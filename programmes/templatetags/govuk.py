"""Render Django forms in the GOV.UK Design System: fields with labels, hints and errors, and
the error summary that links to them."""

from django import forms, template
from django.utils.formats import localize
from django.utils.functional import LazyObject
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

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


def _text(value) -> str:
    """A value as a template writes it: localised, in local time, escaped unless safe."""
    return conditional_escape(localize(template_localtime(value)))


def _value(value) -> str:
    """`{{ value|default_if_none:"" }}`."""
    return "" if value is None else _text(value)


def _errors(field, auto_id: str) -> str:
    return "".join(
        f'<p id="{auto_id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
        f"Error:</span> {_text(error)}</p>"
        for error in field.errors
    )


def _described_by(auto_id: str, hint, has_errors: bool) -> str:
    """The aria-describedby attribute naming the hint and the error, where there are any."""
    if not (hint or has_errors):
        return ""
    ids = (f"{auto_id}-hint" if hint else "") + (f" {auto_id}-error" if has_errors else "")
    return f' aria-describedby="{ids}"'


def _choices(field, kind: str) -> str:
    """The options of a select, or the items of radios or checkboxes."""
    name = _text(field.html_name)
    if kind == "select":
        return "".join(
            f'<option value="{_value(choice.data["value"])}"'
            f"{' selected' if choice.data['selected'] else ''}>{_text(choice.choice_label)}</option>"
            for choice in field
        )
    block = "checkboxes" if kind == "checkboxes" else "radios"
    items = "".join(
        f'<div class="govuk-{block}__item">'
        f'<input class="govuk-{block}__input" id="{_text(choice.id_for_label)}" name="{name}" '
        f'type="{"checkbox" if kind == "checkboxes" else "radio"}" '
        f'value="{_text(choice.data["value"])}"{" checked" if choice.data["selected"] else ""}>'
        f'<label class="govuk-label govuk-{block}__label" for="{_text(choice.id_for_label)}">'
        f"{_text(choice.choice_label)}</label></div>"
        for choice in field
    )
    if not items and kind == "checkboxes":
        items = '<p class="govuk-body">None to choose from.</p>'
    return (
        f'<div class="govuk-{block} govuk-{block}--small" data-module="govuk-{block}">{items}</div>'
    )


def _date_inputs(field, has_errors: bool) -> str:
    error = " govuk-input--error" if has_errors else ""
    return (
        f'<div class="govuk-date-input" id="{_text(field.auto_id)}">'
        + "".join(
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            f'<label class="govuk-label govuk-date-input__label" for="{_text(part["attrs"]["id"])}">'
            f"{name}</label>"
            f'<input class="govuk-input govuk-date-input__input govuk-input--width-{size}{error}" '
            f'id="{_text(part["attrs"]["id"])}" name="{_text(part["name"])}" type="text" '
            f'inputmode="numeric" value="{_value(part["value"])}"></div></div>'
            for name, part, size in _date_parts(field)
        )
        + "</div>"
    )


def render_field(field, label_size="s", width="", rows=5) -> str:
    """A form field in the GOV.UK Design System's markup: its label (or legend), hint, error
    messages and input, as the GOV.UK Frontend macros draw them. Written in Python, not a
    template: a list's filters draw a dozen fields on every request."""
    kind = _kind(field)
    if kind == "hidden":
        return _text(field)
    auto_id = _text(field.auto_id)
    name = _text(field.html_name)
    has_errors = bool(field.errors)
    errors = _errors(field, auto_id) if has_errors else ""
    hint = field.help_text
    max_length = getattr(field.field, "max_length", None)
    if kind == "textarea" and max_length:
        limit = f"Up to {max_length:,} characters."
        hint = f"{hint} {limit}" if hint else limit
    hint_html = _text(hint)
    label = _text(field.label)
    label_size = _text(label_size)
    parts = [f'<div class="govuk-form-group{" govuk-form-group--error" if has_errors else ""}">']
    if kind in ("date", "radios", "checkboxes"):
        parts.append(
            f'<fieldset class="govuk-fieldset" role="group"{_described_by(auto_id, hint, has_errors)}>'
            f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--{label_size}">{label}'
            "</legend>"
        )
        if hint:
            parts.append(f'<div id="{auto_id}-hint" class="govuk-hint">{hint_html}</div>')
        parts.append(errors)
        parts.append(_date_inputs(field, has_errors) if kind == "date" else _choices(field, kind))
        parts.append("</fieldset>")
    elif kind == "checkbox":
        described = f' aria-describedby="{auto_id}-hint"' if hint else ""
        parts.append(
            f'{errors}<div class="govuk-checkboxes govuk-checkboxes--small" '
            'data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
            f'<input class="govuk-checkboxes__input" id="{auto_id}" name="{name}" type="checkbox" '
            f'value="on"{" checked" if field.value() else ""}{described}>'
            f'<label class="govuk-label govuk-checkboxes__label" for="{auto_id}">{label}</label>'
        )
        if hint:
            parts.append(
                f'<div id="{auto_id}-hint" class="govuk-hint govuk-checkboxes__hint">{hint_html}</div>'
            )
        parts.append("</div></div>")
    else:
        parts.append(
            f'<label class="govuk-label govuk-label--{label_size}" for="{auto_id}">{label}</label>'
        )
        if hint:
            parts.append(f'<div id="{auto_id}-hint" class="govuk-hint">{hint_html}</div>')
        parts.append(errors)
        described = _described_by(auto_id, hint, has_errors)
        if kind == "textarea":
            error = " govuk-textarea--error" if has_errors else ""
            parts.append(
                f'<textarea class="govuk-textarea{error}" id="{auto_id}" name="{name}" '
                f'rows="{_text(rows)}"{described}>{_value(field.value())}</textarea>'
            )
        elif kind == "file":
            error = " govuk-file-upload--error" if has_errors else ""
            accept = field.field.widget.attrs.get("accept")
            accept = f' accept="{_text(accept)}"' if accept else ""
            parts.append(
                f'<input class="govuk-file-upload{error}" id="{auto_id}" name="{name}" '
                f'type="file"{accept}{described}>'
            )
        elif kind == "select":
            error = " govuk-select--error" if has_errors else ""
            parts.append(
                f'<select class="govuk-select{error}" id="{auto_id}" name="{name}"{described}>'
                f"{_choices(field, kind)}</select>"
            )
        else:
            width_class = f" govuk-input--width-{_text(width)}" if width else ""
            error = " govuk-input--error" if has_errors else ""
            input_type = _text(getattr(field.field.widget, "input_type", "text"))
            inputmode = (
                ' inputmode="decimal"' if isinstance(field.field, forms.DecimalField) else ""
            )
            parts.append(
                f'<input class="govuk-input{width_class}{error}" id="{auto_id}" name="{name}" '
                f'type="{input_type}"{inputmode} value="{_value(field.value())}"{described} '
                'spellcheck="false">'
            )
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def govuk_field(field, label_size="s", width="", rows=5):
    return render_field(field, label_size=label_size, width=width, rows=rows)


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
