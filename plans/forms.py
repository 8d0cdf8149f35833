"""Forms of the plan workbook pages: the upload to check, and the confirmation to import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from plans.read import MAX_FILE_BYTES, MEGABYTE, WorkbookRefused, WorkbookSize, measure_workbook

XLSX_TYPES = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanUploadForm(forms.Form):
    """The plan workbook to check (a dry run first, always)."""

    workbook_size: WorkbookSize | None = None

    workbook = forms.FileField(
        label="Plan workbook",
        help_text="An Excel workbook (.xlsx) in the format of the template, up to 10 MB.",
        widget=forms.FileInput(attrs={"accept": XLSX_TYPES}),
        error_messages={
            "required": "Choose the plan workbook to upload",
            "empty": "The file is empty: choose the plan workbook",
        },
    )

    def clean_workbook(self):
        """Refuse, by the field, a file too large to read (or not a workbook), from what it
        declares and before any cell is parsed; `workbook_size` is what the page needs to
        decide whether to check the file at once or in the background."""
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                f"The file is {upload.size / MEGABYTE:.1f} MB; the largest plan we accept "
                f"is {MAX_FILE_BYTES // MEGABYTE} MB"
            )
        data = upload.read()
        upload.seek(0)
        try:
            self.workbook_size = measure_workbook(data)
        except WorkbookRefused as refused:
            raise ValidationError(refused.problem.message) from None
        return upload


class PlanImportForm(forms.Form):
    """Confirming an import after its dry run: the checked file, and the choices it needs."""

    upload = forms.CharField(widget=forms.HiddenInput)
    create_people = forms.BooleanField(required=False)
    rebaseline_reason = forms.CharField(
        label="Reason for re-baselining",
        help_text="Kept in each milestone's history, as when a due date is moved on its page.",
        required=False,
        max_length=500,
        widget=forms.Textarea,
    )

    def __init__(self, *args, new_people: int = 0, rebaselined: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_people = new_people
        self.rebaselined = rebaselined
        self.fields["create_people"].label = (
            f"Add {'this person' if new_people == 1 else f'these {new_people} people'} to the "
            "council's list of people"
        )

    def clean(self):
        cleaned = super().clean()
        if self.new_people and not cleaned.get("create_people"):
            self.add_error(
                "create_people",
                "Tick the box to add the new people, or correct their names in the file and "
                "upload it again",
            )
        if self.rebaselined and not (cleaned.get("rebaseline_reason") or "").strip():
            self.add_error("rebaseline_reason", "Give the reason for re-baselining")
        return cleaned
