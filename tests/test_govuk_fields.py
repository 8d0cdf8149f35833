"""Form fields in the GOV.UK Design System's markup (`programmes.templatetags.govuk`), written
in Python rather than a template (issue 17: a list's filters draw a dozen on every request):
each kind of field with its label or legend, hint, errors and value, every value escaped."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from programmes.forms import DateInputWidget
from programmes.templatetags.govuk import render_field


class DateField(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, **kwargs):
        super().__init__(fields=[forms.CharField(required=False)] * 3, **kwargs)

    def compress(self, values):
        return values


class Everything(forms.Form):
    owner = forms.ChoiceField(
        label="Owner <of the item>",
        choices=[("", "Anyone"), ("7", "Sam & Alex"), ("9", '<script>"x"</script>')],
        required=False,
        help_text="Who answers for it",
    )
    statuses = forms.MultipleChoiceField(
        label="Status",
        choices=[("open", "Open"), ("closed", "Closed")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    nothing = forms.MultipleChoiceField(
        label="Tags", choices=[], widget=forms.CheckboxSelectMultiple, required=False
    )
    direction = forms.ChoiceField(
        label="Direction",
        choices=[("up", "Higher is better"), ("down", "Lower is better")],
        widget=forms.RadioSelect,
    )
    due = DateField(label="Due date", help_text="For example, 27 3 2027", required=False)
    narrative = forms.CharField(label="Narrative", widget=forms.Textarea, max_length=2000)
    escalated = forms.BooleanField(
        label="Escalated only", required=False, help_text="Those the board sees"
    )
    cost = forms.DecimalField(label="Cost change (£)", required=False)
    email = forms.EmailField(label="Email address", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    workbook = forms.FileField(
        label="Workbook", required=False, widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )


def html(form, name, **options) -> str:
    return re.sub(r">\s+<", "><", str(render_field(form[name], **options)))


def test_a_select_marks_the_chosen_option_and_escapes_labels_and_choices():
    form = Everything({"owner": "7", "direction": "up", "narrative": "x"})
    select = html(form, "owner")
    assert (
        '<label class="govuk-label govuk-label--s" for="id_owner">Owner &lt;of the item&gt;'
        in select
    )
    assert '<div id="id_owner-hint" class="govuk-hint">Who answers for it</div>' in select
    assert (
        '<select class="govuk-select" id="id_owner" name="owner" aria-describedby="id_owner-hint">'
        in select
    )
    assert '<option value="7" selected>Sam &amp; Alex</option>' in select
    assert '<option value="">Anyone</option>' in select
    assert "&lt;script&gt;&quot;x&quot;&lt;/script&gt;" in select
    assert "<script>" not in select
    assert select.startswith('<div class="govuk-form-group">') and select.endswith("</div>")


def test_a_refused_field_says_why_next_to_it_and_is_described_by_its_hint_and_error():
    form = Everything({"owner": "404", "narrative": ""})
    assert not form.is_valid()
    select = html(form, "owner")
    assert select.startswith('<div class="govuk-form-group govuk-form-group--error">')
    assert 'class="govuk-select govuk-select--error"' in select
    assert 'aria-describedby="id_owner-hint id_owner-error"' in select
    assert (
        '<p id="id_owner-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
        "Error:</span> Select a valid choice. 404 is not one of the available choices.</p>"
    ) in select
    radios = html(form, "direction")
    assert 'aria-describedby=" id_direction-error"' in radios
    assert "govuk-form-group--error" in radios and "This field is required." in radios


def test_checkboxes_and_radios_are_a_fieldset_with_a_legend_and_their_items():
    form = Everything({"statuses": ["closed"], "direction": "down", "narrative": "x"})
    boxes = html(form, "statuses", label_size="m")
    assert boxes.startswith(
        '<div class="govuk-form-group"><fieldset class="govuk-fieldset" role="group">'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Status</legend>'
        '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
    )
    assert (
        '<input class="govuk-checkboxes__input" id="id_statuses_1" name="statuses" '
        'type="checkbox" value="closed" checked>'
        '<label class="govuk-label govuk-checkboxes__label" for="id_statuses_1">Closed</label>'
    ) in boxes
    assert 'value="open">' in boxes
    assert '<p class="govuk-body">None to choose from.</p>' in html(form, "nothing")
    radios = html(form, "direction")
    assert 'type="radio" value="down" checked>' in radios
    assert 'data-module="govuk-radios"' in radios and "govuk-radios__label" in radios


def test_a_date_is_three_boxes_for_day_month_and_year():
    form = Everything(initial={"due": date(2027, 3, 27)})
    due = html(form, "due")
    assert '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_due-hint">' in due
    assert '<div class="govuk-date-input" id="id_due">' in due
    for label, part, value, width in (("Day", 0, 27, 2), ("Month", 1, 3, 2), ("Year", 2, 2027, 4)):
        assert (
            f'<label class="govuk-label govuk-date-input__label" for="id_due_{part}">{label}</label>'
            f'<input class="govuk-input govuk-date-input__input govuk-input--width-{width}" '
            f'id="id_due_{part}" name="due_{part}" type="text" inputmode="numeric" value="{value}">'
        ) in due


def test_a_text_area_says_how_long_it_may_be_and_keeps_what_was_typed():
    form = Everything({"narrative": 'Slipped <two> weeks & "more"', "direction": "up"})
    area = html(form, "narrative", rows=3)
    assert '<div id="id_narrative-hint" class="govuk-hint">Up to 2,000 characters.</div>' in area
    assert (
        '<textarea class="govuk-textarea" id="id_narrative" name="narrative" rows="3" '
        'aria-describedby="id_narrative-hint">Slipped &lt;two&gt; weeks &amp; &quot;more&quot;'
        "</textarea>"
    ) in area


def test_a_single_checkbox_its_hint_and_whether_it_is_ticked():
    ticked = html(Everything({"escalated": "on"}), "escalated")
    assert (
        '<input class="govuk-checkboxes__input" id="id_escalated" name="escalated" '
        'type="checkbox" value="on" checked aria-describedby="id_escalated-hint">'
    ) in ticked
    assert '<div id="id_escalated-hint" class="govuk-hint govuk-checkboxes__hint">' in ticked
    assert " checked" not in html(Everything({}), "escalated")


def test_inputs_by_type_width_and_decimal_keyboard():
    form = Everything({"cost": "1250.50", "email": 'a"b@example.org'})
    cost = html(form, "cost", width="10")
    assert (
        '<input class="govuk-input govuk-input--width-10" id="id_cost" name="cost" type="number" '
        'inputmode="decimal" value="1250.50" spellcheck="false">'
    ) in cost
    assert 'type="email" value="a&quot;b@example.org"' in html(form, "email")
    unbound = Everything(initial={"cost": Decimal("3.5")})
    assert 'value="3.5"' in html(unbound, "cost")
    assert 'value=""' in html(Everything(), "cost")


def test_a_hidden_field_is_its_input_alone_and_a_file_keeps_what_it_accepts():
    hidden = html(Everything(initial={"version": 4}), "version")
    assert hidden == '<input type="hidden" name="version" value="4" id="id_version">'
    upload = Everything({}, {"workbook": SimpleUploadedFile("plan.xlsx", b"x")})
    assert (
        '<input class="govuk-file-upload" id="id_workbook" name="workbook" type="file" '
        'accept=".xlsx">'
    ) in html(upload, "workbook")


def test_the_tag_in_a_template_is_not_escaped_twice():
    form = Everything({"owner": "9"})
    rendered = Template("{% load govuk %}{% govuk_field form.owner %}").render(
        Context({"form": form})
    )
    assert '<option value="9" selected>&lt;script&gt;' in rendered
    assert "&amp;lt;" not in rendered
