"""Pages for the plan workbook (issue 7): the blank template, a programme's plan exported,
and the programme office's import: upload, dry run, then import.

The uploaded file is kept through Django's storage API between the dry run and the import
(`plans.services`). A plan too large to check within a page request is checked, and then
imported, by a background job whose page shows its progress and then its result, as the
import page shows a small plan's at once (issue 10, defect 8).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from plans.export import blank_template, export_filename, export_plan
from plans.forms import PlanImportForm, PlanUploadForm
from plans.importer import ImportResult, import_plan
from plans.models import JobStatus, PlanImportJob
from plans.services import (
    checks_in_background,
    keep_upload,
    kept_upload,
    start_plan_check,
    start_plan_import,
    upload_token,
)
from programmes.lists import programme_for
from programmes.models import Programme
from programmes.permissions import Action, get_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _page(
    request,
    programme,
    *,
    upload_form,
    result=None,
    import_form=None,
    job: PlanImportJob | None = None,
    status=200,
):
    job_failed = job is not None and (job.status == JobStatus.FAILED or job.has_stalled)
    return render(
        request,
        "plans/plan_import.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "upload_form": upload_form,
            "import_form": import_form,
            "result": result,
            "job": job,
            "job_running": job is not None and not job.is_finished and not job.has_stalled,
            "job_failed": job_failed,
            "job_error": (job.error or "The job stopped without finishing.") if job_failed else "",
            "progress": _progress(job) if job is not None else None,
            "imported": _imported_message(result) if result and not result.dry_run else "",
        },
        status=status,
    )


def _progress(job: PlanImportJob) -> dict:
    done, total = job.progress()
    return {
        "done": f"{done:,}",
        "total": f"{total:,}" if total else "",
        "percent": done * 100 // total if total else 0,
    }


def _import_form(token: str, *, new_people: int, rebaselined: int, data=None) -> PlanImportForm:
    return PlanImportForm(
        data, initial={"upload": token}, new_people=new_people, rebaselined=rebaselined
    )


@login_required
def import_plan_page(request, programme_id: int):
    """Upload a workbook; it is checked (a dry run) and nothing is written yet. A large one
    is checked in the background, on its job's page."""
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    if request.method != "POST":
        return _page(request, programme, upload_form=PlanUploadForm())
    upload_form = PlanUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _page(request, programme, upload_form=upload_form, status=400)
    upload = upload_form.cleaned_data["workbook"]
    data = upload.read()
    if checks_in_background(upload_form.workbook_size):
        job = start_plan_check(programme, data, by=request.user, original_name=upload.name)
        return redirect("plan_import_job", programme.pk, job.pk)
    result = import_plan(programme, data, by=request.user, dry_run=True)
    if not result.is_ok:
        return _page(request, programme, upload_form=PlanUploadForm(), result=result, status=400)
    import_form = None
    if result.changes_anything:
        token = upload_token(keep_upload(data), programme, request.user, result)
        import_form = _import_form(
            token, new_people=len(result.new_people), rebaselined=len(result.rebaselined)
        )
    return _page(
        request, programme, upload_form=PlanUploadForm(), result=result, import_form=import_form
    )


@login_required
@require_POST
def confirm_plan_import(request, programme_id: int):
    """Import the checked file, all or nothing: at once, or, when it was checked in the
    background, by a background job."""
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    kept = kept_upload(request.POST.get("upload", ""), programme, request.user)
    checked = None
    if kept is not None and kept.get("job"):
        checked = programme.plan_import_jobs.filter(pk=kept["job"], status=JobStatus.DONE).first()
    if kept is None or (kept.get("job") and checked is None):
        messages.error(
            request, "The checked file has expired or was already imported: upload it again"
        )
        return redirect("import_plan", programme.pk)
    form = _import_form(
        request.POST["upload"],
        new_people=kept["new_people"],
        rebaselined=kept["rebaselined"],
        data=request.POST,
    )
    if checked is not None:
        return _confirm_in_background(request, programme, checked, form)
    with default_storage.open(kept["name"], "rb") as file:
        data = file.read()
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
            upload_token(keep_upload(data), programme, request.user, dry_run),
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


def _confirm_in_background(request, programme, checked: PlanImportJob, form: PlanImportForm):
    """The import of a file checked in the background: queued once the form is complete,
    else the check shown again with what the form lacks."""
    if not form.is_valid():
        form.changed_since_check = checked.result.get("changed_since_check", False)
        return _page(
            request,
            programme,
            upload_form=PlanUploadForm(),
            result=ImportResult.from_data(checked.result["result"]),
            import_form=form,
            status=400,
        )
    job = start_plan_import(
        checked,
        by=request.user,
        create_people=form.cleaned_data["create_people"],
        rebaseline_reason=form.cleaned_data["rebaseline_reason"],
    )
    return redirect("plan_import_job", programme.pk, job.pk)


@login_required
@require_GET
def plan_import_job(request, programme_id: int, job_id: int):
    """A background check or import: its progress while it runs (the page asks again every
    two seconds), then its result as the import page shows it. The import itself is offered
    only to whoever asked for the check: the checked file is theirs."""
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    job = programme.plan_import_jobs.filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import")
    running = not job.is_finished and not job.has_stalled
    if request.htmx:
        if not running:
            return HttpResponseClientRefresh()  # the whole page, with the result
        return render(
            request,
            "plans/includes/import_job.html",
            {"programme": programme, "job": job, "progress": _progress(job)},
        )
    if running:
        return _page(request, programme, upload_form=None, job=job)
    if job.status != JobStatus.DONE:
        return _page(request, programme, upload_form=PlanUploadForm(), job=job)
    result = ImportResult.from_data(job.result["result"])
    import_form = None
    token = job.result.get("upload")
    if token and job.requested_by_id == request.user.pk:
        kept = kept_upload(token, programme, request.user)
        if kept is not None:
            import_form = _import_form(
                token, new_people=kept["new_people"], rebaselined=kept["rebaselined"]
            )
            import_form.changed_since_check = job.result.get("changed_since_check", False)
    return _page(
        request,
        programme,
        upload_form=PlanUploadForm(),
        result=result,
        import_form=import_form,
        job=job,
    )


def _imported_message(result: ImportResult) -> str:
    words = f"Plan imported: {result.created} added, {result.changed} changed"
    if result.new_people:
        count = len(result.new_people)
        words += f", {count} {'person' if count == 1 else 'people'} added"
    return words
