"""Pages for the plan workbook (issue 7): the blank template, a programme's plan exported,
and the programme office's import: upload, dry run, then import.

The uploaded file is kept through Django's storage API between the dry run and the import
(processes are stateless: the import may be served by another web process), named in a signed
value that only this user, for this programme, within the hour, can use.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from plans.export import blank_template, export_filename, export_plan
from plans.forms import PlanImportForm, PlanUploadForm
from plans.importer import ImportResult, import_plan
from programmes.lists import programme_for
from programmes.models import Programme
from programmes.permissions import Action, get_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_FOLDER = "plan-imports"
UPLOAD_MAX_AGE_SECONDS = 60 * 60
SALT = "plan-import"


def _workbook_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def plan_template(request):
    """The blank workbook, with instructions, drop-downs and an example row on each sheet."""
    return _workbook_response(blank_template(), "programme-plan-template.xlsx")


@login_required
@require_GET
def export_plan_workbook(request, programme_id: int):
    programme = get_for(request.user, Action.VIEW, Programme, pk=programme_id)
    return _workbook_response(export_plan(programme), export_filename(programme))


def _keep_upload(data: bytes, programme: Programme, user, result: ImportResult) -> str:
    """Keep the checked file; the signed value names it and what its dry run found."""
    name = default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.xlsx", ContentFile(data))
    return signing.dumps(
        {
            "name": name,
            "programme": programme.pk,
            "user": user.pk,
            "new_people": len(result.new_people),
            "rebaselined": len(result.rebaselined),
        },
        salt=SALT,
    )


def _kept_upload(token: str, programme: Programme, user) -> dict | None:
    """This user's checked file for this programme, if the value is theirs and recent."""
    try:
        value = signing.loads(token, salt=SALT, max_age=UPLOAD_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if value.get("programme") != programme.pk or value.get("user") != user.pk:
        return None
    name = value.get("name", "")
    if not name.startswith(f"{UPLOAD_FOLDER}/") or not default_storage.exists(name):
        return None
    return value


def _page(request, programme, *, upload_form, result=None, import_form=None, status=200):
    return render(
        request,
        "plans/plan_import.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "upload_form": upload_form,
            "import_form": import_form,
            "result": result,
        },
        status=status,
    )


def _import_form(token: str, *, new_people: int, rebaselined: int, data=None) -> PlanImportForm:
    return PlanImportForm(
        data, initial={"upload": token}, new_people=new_people, rebaselined=rebaselined
    )


@login_required
def import_plan_page(request, programme_id: int):
    """Upload a workbook; it is checked (a dry run) and nothing is written yet."""
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    if request.method != "POST":
        return _page(request, programme, upload_form=PlanUploadForm())
    upload_form = PlanUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _page(request, programme, upload_form=upload_form, status=400)
    data = upload_form.cleaned_data["workbook"].read()
    result = import_plan(programme, data, by=request.user, dry_run=True)
    if not result.is_ok:
        return _page(request, programme, upload_form=PlanUploadForm(), result=result, status=400)
    import_form = None
    if result.changes_anything:
        token = _keep_upload(data, programme, request.user, result)
        import_form = _import_form(
            token, new_people=len(result.new_people), rebaselined=len(result.rebaselined)
        )
    return _page(
        request, programme, upload_form=PlanUploadForm(), result=result, import_form=import_form
    )


@login_required
@require_POST
def confirm_plan_import(request, programme_id: int):
    """Import the checked file, all or nothing."""
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    kept = _kept_upload(request.POST.get("upload", ""), programme, request.user)
    if kept is None:
        messages.error(
            request, "The checked file has expired or was already imported: upload it again"
        )
        return redirect("import_plan", programme.pk)
    with default_storage.open(kept["name"], "rb") as file:
        data = file.read()
    form = _import_form(
        request.POST["upload"],
        new_people=kept["new_people"],
        rebaselined=kept["rebaselined"],
        data=request.POST,
    )
    if form.is_valid():
        result = import_plan(
            programme,
            data,
            by=request.user,
            create_people=form.cleaned_data["create_people"],
            rebaseline_reason=form.cleaned_data["rebaseline_reason"],
        )
        if result.is_ok:
            default_storage.delete(kept["name"])
            messages.success(request, _imported_message(result))
            return redirect("programme_detail", programme.pk)
    # Show the check again: with what the form lacks, or with what changed since the check.
    dry_run = import_plan(programme, data, by=request.user, dry_run=True)
    if form.is_valid() and dry_run.is_ok:
        default_storage.delete(kept["name"])
        form = _import_form(
            _keep_upload(data, programme, request.user, dry_run),
            new_people=len(dry_run.new_people),
            rebaselined=len(dry_run.rebaselined),
        )
        form.initial |= {
            "create_people": request.POST.get("create_people") == "on",
            "rebaseline_reason": request.POST.get("rebaseline_reason", ""),
        }
        form.changed_since_check = True
    return _page(
        request,
        programme,
        upload_form=PlanUploadForm(),
        result=dry_run,
        import_form=form if dry_run.is_ok else None,
        status=400,
    )


def _imported_message(result: ImportResult) -> str:
    words = f"Plan imported: {result.created} added, {result.changed} changed"
    if result.new_people:
        count = len(result.new_people)
        words += f", {count} {'person' if count == 1 else 'people'} added"
    return words
