"""What every app's forms share: dates as plans write them (in the GOV.UK date input pattern),
and the one way a page changes a stored object without losing anyone's change: the form opens
showing the object as stored with its version (`ChangeForm`), and the save runs through
`save_form`, which turns a service's refusals into messages on the form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404

from programmes.choices import DatePrecision, RagScale
from programmes.dates import PlanDate
from programmes.history import conflict_message
from programmes.models import COMMENT_LIMIT, Organisation, Person, Programme, StaleEdit

RELOAD_MESSAGE = (
    "Nothing was saved: the page did not say which version you started from, so saving could "
    "overwrite someone else's change. Please reload the page to see what is stored now, then "
    "make your change again."
)


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input). Rendered by the govuk_field tag."""

    def __init__(self, attrs=None):
        widgets = [forms.TextInput(), forms.TextInput(), forms.TextInput()]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, PlanDate):
            day = "" if value.is_month else value.value.day
            return [day, value.value.month, value.value.year]
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class _DateParts(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, *, label: str, **kwargs):
        self.noun = label
        fields = [forms.CharField(required=False)] * 3
        super().__init__(fields=fields, require_all_fields=False, label=label, **kwargs)

    def _parts(self, values) -> tuple[int | None, int | None, int | None] | None:
        day, month, year = ((value or "").strip() for value in (values or ["", "", ""]))
        if not (day or month or year):
            return None
        try:
            numbers = [int(part) if part else None for part in (day, month, year)]
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date") from None
        return tuple(numbers)

    def _year(self, year: int | None) -> int:
        if year is None:
            raise ValidationError(f"{self.noun} must include a year")
        if not 1900 <= year <= 2200:
            raise ValidationError(f"{self.noun} must be a real date, with a four-digit year")
        return year


class PlanDateField(_DateParts):
    """A date that may be a day or only a month ("Sep 2026"): leave the day blank for a month.

    Cleans to a PlanDate (a month is its last day, with month precision) or None.
    """

    def compress(self, data_list):
        parts = self._parts(data_list)
        if parts is None:
            if self.required:
                raise ValidationError(f"Enter the {self.noun.lower()}")
            return None
        day, month, year = parts
        if month is None:
            raise ValidationError(f"{self.noun} must include a month")
        year = self._year(year)
        try:
            if day is None:
                return PlanDate.of_month(year, month)
            return PlanDate.of_day(date(year, month, day))
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date") from None

    def clean(self, value):
        # MultiValueField skips compress() when every part is empty and the field is optional.
        return self.compress(value)


class DayDateField(_DateParts):
    """A date to the day, in the GOV.UK date input pattern. Cleans to a date or None."""

    def compress(self, data_list):
        parts = self._parts(data_list)
        if parts is None:
            if self.required:
                raise ValidationError(f"Enter the {self.noun.lower()}")
            return None
        day, month, year = parts
        if day is None:
            raise ValidationError(f"{self.noun} must include a day")
        if month is None:
            raise ValidationError(f"{self.noun} must include a month")
        year = self._year(year)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date") from None

    def clean(self, value):
        return self.compress(value)


def plan_date_from_fields(value: date | None, precision: str | None) -> PlanDate | None:
    return PlanDate.from_fields(value, precision or DatePrecision.DAY)


class VersionField(forms.IntegerField):
    """The version of the object the user started editing, for optimistic concurrency.

    Optional as a field: `ChangeForm` decides what a missing one means, and says it at the top
    of the form (the field itself is hidden, so an error by it would be seen by nobody)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)


def posted(request):
    """The data a POST sent, or None for any other request, to build a form from: built from
    None, a form is unbound, and a ChangeForm then shows the object as stored."""
    return request.POST if request.method == "POST" else None


class ChangeForm(forms.Form):
    """A form that adds an object, or changes a stored one (`instance`).

    Opened to change one, it shows the object as stored (`initial_for`) with, in a hidden
    field, the version it was read at. The version comes back with the save, so that a save
    over someone else's newer change is refused (see `save_form`), and a change sent back
    without a usable version is refused too, asking the user to reload: which version they
    started from is unknown, and saving could overwrite a change they have not seen (DOMAIN.md
    section 2: nobody loses a change).

    Forms that write the one object of its kind (a month's status update, a breach's
    narrative) set `blank_version_adds`: there, a blank version says "there was none when I
    opened the page", and the service refuses it as a conflict if one has been written since.
    """

    version = VersionField()
    blank_version_adds = False

    def __init__(self, data=None, *args, instance=None, initial=None, **kwargs):
        self.instance = instance
        # Set by save_form when someone else saved first: `conflict.instance` is as stored.
        self.conflict: StaleEdit | None = None
        if instance is not None and data is None:
            initial = {**(initial or {}), **self.initial_for(instance)}
            initial["version"] = instance.version
        super().__init__(data, *args, initial=initial, **kwargs)

    def initial_for(self, instance) -> dict:
        """The form's fields as `instance` holds them (none but the version, unless said)."""
        return {}

    def clean(self):
        data = super().clean()
        # A version that is not a whole number was mangled on the way. It matters only when
        # changing a stored object; adding one, there is no version to speak of.
        unusable = "version" in self.errors
        if unusable:
            del self.errors["version"]
            data["version"] = None
        if self.instance is None:
            return data
        if unusable or (data.get("version") is None and not self.blank_version_adds):
            self.add_error(None, RELOAD_MESSAGE)
        return data


def save_form[Saved](
    form: ChangeForm,
    save: Callable[[dict], Saved],
    *,
    noun: str,
    doing: str | None = None,
    outcome: str | None = None,
) -> Saved | None:
    """Save what a form holds through a service: the one way every page that writes does it.

    Returns what `save(form.cleaned_data)` returned. Returns None, with the form ready to be
    shown again, when the form was not sent (a GET) or has problems; when the service refuses
    the data (its ValidationError, put by the fields it names); or when someone else saved the
    object after the user opened it (StaleEdit): the form then keeps everything the user typed,
    at the version now stored, under the conflict message naming the other change ("Someone
    else changed this `noun` ..."), so that their next save goes through once they have seen
    it (for an action rather than a save, `doing` and `outcome` say so: "while you were
    looking at it", "It has not been removed ..."). Either way the object the form changes is read again, so that the page shows it as
    stored rather than as the refused save left it.
    """
    if not form.is_valid():
        return None
    sent_version = form.cleaned_data.get("version")
    try:
        return save(form.cleaned_data)
    except StaleEdit as stale:
        _read_again(form.instance)
        _show_at_version(form, stale.stored_version)
        form.conflict = stale
        told = {name: words for name, words in (("doing", doing), ("outcome", outcome)) if words}
        form.add_error(
            None,
            conflict_message(type(stale.instance), stale.instance.pk, sent_version, noun, **told),
        )
    except ValidationError as error:
        _read_again(form.instance)
        add_errors(form, error)
    return None


def _read_again(instance) -> None:
    if instance is None or instance.pk is None:
        return
    try:
        instance.refresh_from_db()
    except ObjectDoesNotExist:
        raise Http404("Someone else has removed this while you were changing it") from None


def _show_at_version(form: forms.Form, version: int) -> None:
    """The form as the user filled it, but at `version`: saving it again then goes through."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data
    form.full_clean()


class ProgrammeSettingsForm(ChangeForm):
    """The programme office's settings: board, RAG scale, the board's own rating, tolerances,
    risk bands and reminders (DOMAIN.md section 3)."""

    board_name = forms.CharField(label="Name of the board", max_length=200)
    rag_scale = forms.ChoiceField(label="Rating scale", widget=forms.RadioSelect)
    overall_rag = forms.ChoiceField(
        label="The board's overall rating",
        required=False,
        help_text="Leave as 'Not set' to show only the rating rolled up from the workstreams.",
    )
    overall_commentary = forms.CharField(
        label="The board's commentary", required=False, max_length=4000, widget=forms.Textarea
    )
    time_tolerance_days = forms.IntegerField(
        label="Time tolerance, in days",
        min_value=0,
        max_value=365,
        help_text="How far a milestone's forecast may pass its baseline before it is Red.",
    )
    cost_tolerance_percent = forms.DecimalField(
        label="Cost tolerance, in percent",
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput,
    )
    benefit_tolerance_percent = forms.DecimalField(
        label="Benefits tolerance, in percent",
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput,
        help_text="How far a measure may miss its target and be Amber rather than Red.",
    )
    risk_tolerance_score = forms.IntegerField(
        label="Risks go to the board from this score", min_value=1, max_value=25
    )
    risk_amber_from = forms.IntegerField(
        label="Risk scores are Amber from", min_value=2, max_value=24
    )
    risk_red_from = forms.IntegerField(label="Risk scores are Red from", min_value=3, max_value=25)
    reminder_days = forms.IntegerField(
        label="Remind leads this many days before the cut-off", min_value=0, max_value=28
    )
    report_working_day = forms.IntegerField(
        label="Make last month's reports on this working day of the month",
        min_value=1,
        max_value=15,
        help_text="3 means the third working day: Monday to Friday, not counting bank holidays.",
    )
    auto_close_periods = forms.BooleanField(
        label="Close each reporting period at the end of its month", required=False
    )
    approve_reports_after_working_days = forms.IntegerField(
        label="Approve the monthly reports automatically after this many working days",
        required=False,
        min_value=1,
        max_value=20,
        help_text="Leave empty for the programme office to approve every report before the "
        "board is emailed. With a number, a monthly report nobody has approved or sent back "
        "by then is approved, and the board told.",
    )

    def __init__(self, data=None, *, programme, **kwargs):
        from programmes.choices import FIVE_POINT_RATINGS, Rag, RagScale

        super().__init__(data, instance=programme, **kwargs)
        self.fields["rag_scale"].choices = RagScale.choices
        self.fields["overall_rag"].choices = [("", "Not set")] + [
            (rag.value, Rag(rag).label) for rag in FIVE_POINT_RATINGS
        ]

    def initial_for(self, programme) -> dict:
        from programmes.services import SETTINGS

        return {name: getattr(programme, name) for name in SETTINGS}

    def clean(self):
        from programmes.rules import ratings_on_scale

        data = super().clean()
        amber, red = data.get("risk_amber_from"), data.get("risk_red_from")
        if amber is not None and red is not None and amber >= red:
            self.add_error("risk_red_from", "Red must start above where Amber starts")
        allowed = ratings_on_scale(data.get("rag_scale"))
        if data.get("overall_rag") and data["overall_rag"] not in allowed:
            self.add_error("overall_rag", "Choose a rating on the programme's own scale")
        return data


def free_reference(value: str, others, *, instance=None, parent: str, noun: str) -> str:
    """A reference typed into a form, without the spaces around it; refused, by the field, when
    another of `others` (the objects under the same parent) already has it: references are
    unique within their parent (a milestone's in its workstream, a decision's in its
    programme). `instance` is the object being changed, if any."""
    reference = value.strip()
    taken = others.filter(reference=reference)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise forms.ValidationError(
            f"This {parent} already has a {noun} {reference}: choose another reference"
        )
    return reference


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# ----- A new programme, people and roles, and setting a password (issue 11) -----


class _PersonChoice(forms.ModelChoiceField):
    """A person of the organisation; with people of several organisations to choose from
    (a site administrator's), each is named with their organisation."""

    def __init__(self, *, with_organisation: bool = False, **kwargs):
        self.with_organisation = with_organisation
        super().__init__(**kwargs)

    def label_from_instance(self, person) -> str:
        text = person.description
        return f"{text} - {person.organisation.name}" if self.with_organisation else text


class NewProgrammeForm(ChangeForm):
    """The portfolio office's new programme: what it is, when it runs, its board and
    tolerances, and who runs it (DOMAIN.md sections 1-3). Opens at the usual defaults."""

    name = forms.CharField(
        label="Name of the programme",
        max_length=200,
        error_messages={"required": "Enter the name of the programme"},
    )
    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your own short reference, such as ATP or CYP-2027.",
        error_messages={"required": "Enter a reference for the programme"},
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose the organisation the programme is for",
            "invalid_choice": "Choose an organisation you create programmes for",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="What the programme is for, in a sentence or two.",
    )
    starts_on = DayDateField(label="Start date", help_text="For example, 1 4 2027.")
    ends_on = DayDateField(label="End date", help_text="For example, 31 3 2030.")
    # As on the programme's settings page, where the programme office changes them later.
    board_name = ProgrammeSettingsForm.base_fields["board_name"]
    rag_scale = ProgrammeSettingsForm.base_fields["rag_scale"]
    senior_responsible_owner = _PersonChoice(
        label="Senior responsible owner",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not named yet",
        error_messages={"invalid_choice": "Choose a person of the organisation"},
    )
    programme_office = _PersonChoice(
        label="Programme office",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not appointed yet",
        help_text="Who runs the programme day to day: they can change everything in it.",
        error_messages={"invalid_choice": "Choose a person of the organisation"},
    )
    office_name = forms.CharField(
        label="Full name",
        required=False,
        max_length=200,
    )
    office_email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    time_tolerance_days = ProgrammeSettingsForm.base_fields["time_tolerance_days"]
    cost_tolerance_percent = ProgrammeSettingsForm.base_fields["cost_tolerance_percent"]
    benefit_tolerance_percent = ProgrammeSettingsForm.base_fields["benefit_tolerance_percent"]
    risk_tolerance_score = ProgrammeSettingsForm.base_fields["risk_tolerance_score"]
    risk_amber_from = ProgrammeSettingsForm.base_fields["risk_amber_from"]
    risk_red_from = ProgrammeSettingsForm.base_fields["risk_red_from"]
    reminder_days = ProgrammeSettingsForm.base_fields["reminder_days"]
    report_working_day = ProgrammeSettingsForm.base_fields["report_working_day"]
    # The fields above that take the programme's defaults until changed.
    DEFAULTS = (
        "board_name",
        "rag_scale",
        "time_tolerance_days",
        "cost_tolerance_percent",
        "benefit_tolerance_percent",
        "risk_tolerance_score",
        "risk_amber_from",
        "risk_red_from",
        "reminder_days",
        "report_working_day",
    )

    def __init__(self, data=None, *, organisations, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name in self.DEFAULTS:
            initial.setdefault(name, Programme._meta.get_field(name).get_default())
        organisations = list(organisations)
        if len(organisations) == 1:
            initial.setdefault("organisation", organisations[0].pk)
        super().__init__(data, **kwargs)
        self.fields["rag_scale"].choices = RagScale.choices
        ids = [organisation.pk for organisation in organisations]
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=ids)
        if len(organisations) != 1:
            self.fields["organisation"].empty_label = "Choose an organisation"
        people = (
            Person.objects.filter(organisation_id__in=ids)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        for name in ("senior_responsible_owner", "programme_office"):
            self.fields[name].queryset = people
            self.fields[name].with_organisation = len(organisations) > 1

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation")
        for name in ("senior_responsible_owner", "programme_office"):
            person = data.get(name)
            if organisation and person and person.organisation_id != organisation.pk:
                self.add_error(name, f"Choose a person of {organisation.name}")
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        amber, red = data.get("risk_amber_from"), data.get("risk_red_from")
        if amber is not None and red is not None and amber >= red:
            self.add_error("risk_red_from", "Red must start above where Amber starts")
        office_name = (data.get("office_name") or "").strip()
        if data.get("programme_office") and (office_name or data.get("office_email")):
            self.add_error(
                "office_name", "Choose someone from the list or name someone new, not both"
            )
        elif data.get("office_email") and not office_name:
            self.add_error("office_name", "Enter the full name of the programme office")
        return data


class PersonForm(ChangeForm):
    """A person of the plan (DOMAIN.md section 1): an officer, a partner or a team, who may
    or may not sign in."""

    name = forms.CharField(
        label="Full name",
        max_length=200,
        help_text="For a team, its name: SMT, Commissioning team.",
        error_messages={"required": "Enter the person's full name"},
    )
    job_title = forms.CharField(label="Job title", required=False, max_length=200)
    employer = forms.CharField(
        label="Employer",
        required=False,
        max_length=200,
        help_text="The partner organisation they work for, if not the council.",
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="Needed to invite them to sign in.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    is_team = forms.BooleanField(label="This is a team or group, not one person", required=False)

    def __init__(self, data=None, *, person: Person | None = None, **kwargs):
        super().__init__(data, instance=person, **kwargs)

    def initial_for(self, person: Person) -> dict:
        return {
            "name": person.name,
            "job_title": person.job_title,
            "employer": person.employer,
            "email": person.email,
            "is_team": person.is_team,
        }


class RoleForm(ChangeForm):
    """A role for a person, and where they hold it (DOMAIN.md section 2). The portfolio
    office appoints only the programme office."""

    person = _PersonChoice(
        label="Person",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the person",
            "invalid_choice": "Choose a person of the programme's organisation",
        },
    )
    role = forms.ChoiceField(
        label="Role", widget=forms.RadioSelect, error_messages={"required": "Choose a role"}
    )
    area = forms.ModelChoiceField(
        label="Area",
        queryset=None,
        required=False,
        empty_label="Not in an area",
        help_text="For a sponsor or a project manager.",
        error_messages={"invalid_choice": "Choose an area of this programme"},
    )
    workstream = forms.ModelChoiceField(
        label="Workstream",
        queryset=None,
        required=False,
        empty_label="Not in a workstream",
        help_text="For a workstream lead.",
        error_messages={"invalid_choice": "Choose a workstream of this programme"},
    )

    def __init__(self, data=None, *, programme, roles, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            organisation_id=programme.organisation_id
        ).order_by("name")
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0].value
            del self.fields["area"]
            del self.fields["workstream"]
            return
        self.fields["area"].queryset = programme.areas.order_by("position", "sort_key")
        self.fields["workstream"].queryset = programme.workstreams.order_by("sort_key")

    def clean(self):
        from programmes.services import role_scope_problems

        data = super().clean()
        role = data.get("role")
        if role and "area" not in self.errors and "workstream" not in self.errors:
            problems = role_scope_problems(
                role, area=data.get("area"), workstream=data.get("workstream")
            )
            for name, message in problems.items():
                self.add_error(name if name in self.fields else None, message)
        return data


class NewPasswordForm(forms.Form):
    """A new password, typed twice, held to the site's password rules
    (AUTH_PASSWORD_VALIDATORS)."""

    password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput,
        help_text="At least 12 characters. A few words you will remember work well.",
        error_messages={"required": "Enter a password"},
    )
    confirmation = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Type the password again"},
    )

    def __init__(self, data=None, *, user, **kwargs):
        self.user = user
        super().__init__(data, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        data = super().clean()
        password, confirmation = data.get("password"), data.get("confirmation")
        if password and confirmation is not None and password != confirmation:
            self.add_error("confirmation", "The passwords do not match")
        return data


class CommentForm(forms.Form):
    """A comment on an item (programmes/comments.py): its words, in which "@" and a name
    mentions a person of the programme."""

    body = forms.CharField(
        label="Add a comment",
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter a comment",
            "max_length": f"A comment must be {COMMENT_LIMIT:,} characters or fewer",
        },
    )
