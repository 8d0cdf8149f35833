"""Read a page's forms as a browser does, to open a form and send it back as the user would.

A parsed form knows its fields as rendered (text boxes, hidden fields, the checked radio and
checkbox, the selected option, the text of a text area) and gives the data a browser would send
if the user pressed its button without changing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Select:
    name: str
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)

    @property
    def value(self) -> str:
        """The selected option; with none marked, the first (as browsers do)."""
        chosen = [value for value, selected in self.options if selected]
        if chosen:
            return chosen[-1]
        return self.options[0][0] if self.options else ""


@dataclass
class Form:
    action: str
    method: str
    # name -> (type, value, checked) for every <input> and <button>, in page order
    inputs: list[tuple[str, str, str, bool]] = field(default_factory=list)
    selects: dict[str, Select] = field(default_factory=dict)
    textareas: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        """The names of the form's fields (not its buttons, nor the CSRF token)."""
        named = {name for name, kind, _, _ in self.inputs if kind not in ("submit", "button")}
        return (named | set(self.selects) | set(self.textareas)) - {"csrfmiddlewaretoken"}

    def data(self) -> dict[str, str]:
        """What the browser sends when the form is submitted unchanged (no button's value)."""
        sent: dict[str, str] = {}
        for name, kind, value, checked in self.inputs:
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and not checked:
                continue
            sent[name] = value
        for name, select in self.selects.items():
            sent[name] = select.value
        sent.update(self.textareas)
        return sent

    def shown(self, name: str) -> str | None:
        """The value the user sees for a field: for radios and checkboxes, the checked one's
        value (None if none is checked)."""
        return self.data().get(name)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Select | None = None
        self._option: list | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._form = Form(
                action=attributes.get("action") or "",
                method=(attributes.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            value = attributes.get("value")
            self._form.inputs.append(
                (name, kind, default if value is None else value, "checked" in attributes)
            )
        elif tag == "button" and name:
            self._form.inputs.append((name, "submit", attributes.get("value") or "", False))
        elif tag == "select" and name:
            self._select = self._form.selects.setdefault(name, Select(name))
        elif tag == "option" and self._select is not None:
            self._option = [attributes.get("value"), "selected" in attributes, []]
            self._select.options.append(("", False))  # replaced at the option's end
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options[-1] = (value if value is not None else "".join(text), selected)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._text)
            # As the HTML standard says: a newline straight after <textarea> is not content.
            self._form.textareas[self._textarea] = text[1:] if text.startswith("\n") else text
            self._textarea = None


def forms_on(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with(html: str, field_name: str, *, action: str | None = None) -> Form:
    """The page's one POST form that has a field named `field_name` (and, if given, posts to
    `action`)."""
    found = [
        form
        for form in forms_on(html)
        if form.method == "post"
        and field_name in form.names
        and (action is None or form.action == action)
    ]
    assert len(found) == 1, f"expected one form with {field_name!r}, found {len(found)}"
    return found[0]


# ----- GOV.UK error messages on a page -----


def error_by(html: str, field_id: str) -> str:
    """The message shown next to a field (GOV.UK: the error message above its input)."""
    found = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span>\s*(.*?)</p>',
        html,
        re.S,
    )
    assert found, f"no error message by {field_id}"
    return found[1].strip()


def summary(html: str) -> list[tuple[str, str]]:
    """The error summary's entries: (link target, message)."""
    assert "govuk-error-summary" in html and "There is a problem" in html
    body = html[html.index("govuk-error-summary__list") :]
    body = body[: body.index("</ul>")]
    return re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', body, re.S)
