"""A large plan workbook is checked, then imported, by a background job (issue 10, defect 8):
the upload answers at once with the job's page, which shows how far the job has got (asking
again every two seconds) and then the result, as the import page shows a small plan's. The
import is still all or nothing. Celery runs eagerly in tests, and the jobs are queued when
the request's transaction commits, so the tests say when that happens."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import JobKind, JobStatus, PlanImportJob
from plans.read import MEGABYTE, WorkbookSize
from plans.services import checks_in_background, keep_upload
from plans.tasks import delete_stale_plan_uploads, run_plan_import_job
from tests.factories import MilestoneFactory, UserFactory, grant
from tests.plan_workbooks import make_workbook, milestone, small_plan
from workstreams.models import BaselineChange, Milestone

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Running jobs keep their progress in the cache, which outlives a test's database."""
    cache.clear()


@pytest.fixture
def large(monkeypatch):
    """Every workbook counts as large: checking the rule with a plan of a few rows keeps the
    tests quick (the rule itself is tested at its boundary below)."""
    monkeypatch.setattr(services, "LARGE_PLAN_ROWS", 2)


def kept_uploads() -> list[str]:
    if not default_storage.exists("plan-imports"):
        return []
    return default_storage.listdir("plan-imports")[1]


def upload(client, programme, data: bytes):
    file = BytesIO(data)
    file.name = "big-plan.xlsx"
    return client.post(reverse("import_plan", args=[programme.pk]), {"workbook": file})


def job_url(job: PlanImportJob) -> str:
    return reverse("plan_import_job", args=[job.programme_id, job.pk])


def test_more_than_300_rows_or_2_mb_unpacked_is_checked_in_the_background():
    def size(rows, unpacked=100_000):
        return WorkbookSize(rows={"Milestones": rows}, unpacked_bytes=unpacked)

    assert not checks_in_background(size(300))
    assert checks_in_background(size(301))
    assert not checks_in_background(size(10, unpacked=2 * MEGABYTE))
    assert checks_in_background(size(10, unpacked=2 * MEGABYTE + 1))


@pytest.mark.usefixtures("large")
def test_a_large_plan_is_checked_then_imported_in_the_background(
    client, people, plan, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    programme = plan["programme"]

    with django_capture_on_commit_callbacks(execute=True):
        uploaded = upload(client, programme, make_workbook(small_plan()))

    check = PlanImportJob.objects.get()
    assert uploaded.status_code == 302
    assert uploaded["Location"] == job_url(check)
    assert (check.kind, check.status, check.original_name) == (
        JobKind.CHECK,
        JobStatus.DONE,
        "big-plan.xlsx",
    )
    assert (check.rows_done, check.rows_total) == (3, 3)
    assert Milestone.objects.count() == 0
    checked = client.get(job_url(check))
    assert checked.status_code == 200
    page = checked.content.decode()
    assert "Nothing has been imported yet" in page
    assert "1.1 / 1.1.1 Staff consultation meetings" in page
    assert "hx-get" not in page
    token = checked.context["import_form"].initial["upload"]

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            reverse("confirm_plan_import", args=[programme.pk]), {"upload": token}
        )

    imported = PlanImportJob.objects.get(kind=JobKind.IMPORT)
    assert confirmed["Location"] == job_url(imported)
    assert imported.status == JobStatus.DONE
    assert Milestone.objects.get().title == "Staff consultation meetings"
    assert kept_uploads() == []
    done = client.get(job_url(imported)).content.decode()
    assert "Plan imported: 1 added, 0 changed" in done
    assert "What the import did" in done

    again = client.post(reverse("confirm_plan_import", args=[programme.pk]), {"upload": token})

    assert again["Location"] == reverse("import_plan", args=[programme.pk])
    assert Milestone.objects.count() == 1


@pytest.mark.usefixtures("large")
def test_the_job_page_shows_the_queue_and_asks_again_until_the_job_is_done(
    client, people, plan, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    with django_capture_on_commit_callbacks() as queued:
        upload(client, plan["programme"], make_workbook(small_plan()))
    job = PlanImportJob.objects.get()

    waiting = client.get(job_url(job))
    polled = client.get(job_url(job), **HTMX)

    assert job.status == JobStatus.QUEUED
    assert "Queued" in waiting.content.decode()
    assert f'hx-get="{job_url(job)}" hx-trigger="every 2s"' in waiting.content.decode()
    assert "Queued" in polled.content.decode()
    assert "<html" not in polled.content.decode()
    assert "hx-get" in polled.content.decode()

    for callback in queued:
        callback()
    finished = client.get(job_url(job), **HTMX)

    assert finished["HX-Refresh"] == "true"
    assert "Nothing has been imported yet" in client.get(job_url(job)).content.decode()


def test_a_running_job_shows_how_many_rows_it_has_done(client, people, plan):
    client.force_login(people["office"])
    job = PlanImportJob.objects.create(
        programme=plan["programme"],
        requested_by=people["office"],
        kind=JobKind.IMPORT,
        file_name="plan-imports/x.xlsx",
        status=JobStatus.RUNNING,
    )
    reading = client.get(job_url(job), **HTMX).content.decode()

    job.record_progress(1200, 4800)
    polled = client.get(job_url(job), **HTMX).content.decode()

    assert "Importing</strong> Reading the file." in reading
    assert "Importing</strong> 1,200 of 4,800 rows (25%)." in polled
    assert "until then nothing has changed" in polled


@pytest.mark.usefixtures("large")
def test_a_bad_large_plan_lists_its_problems_and_keeps_nothing(
    client, people, plan, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    data = make_workbook(small_plan(Milestones=[]) | {"Milestones": [milestone(Due="31/02/2025")]})

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, plan["programme"], data)

    page = client.get(job_url(PlanImportJob.objects.get())).content.decode()
    assert "There is a problem with the file" in page
    assert "Milestones row 2, Due: &#x27;31/02/2025&#x27; is not a date" in page
    assert kept_uploads() == []
    assert Milestone.objects.count() == 0


@pytest.mark.usefixtures("large")
def test_the_reason_for_re_baselining_is_asked_by_the_field_before_the_import_is_queued(
    client, people, plan, django_capture_on_commit_callbacks
):
    programme = plan["programme"]
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", title="Staff consultation meetings"
    )
    client.force_login(people["office"])
    data = make_workbook(small_plan(Milestones=[]) | {"Milestones": [milestone(Due="Dec 26")]})
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, programme, data)
    check = PlanImportJob.objects.get()
    token = client.get(job_url(check)).context["import_form"].initial["upload"]

    without_reason = client.post(
        reverse("confirm_plan_import", args=[programme.pk]), {"upload": token}
    )

    assert without_reason.status_code == 400
    assert without_reason.context["import_form"].errors == {
        "rebaseline_reason": ["Give the reason for re-baselining"]
    }
    assert 'href="#id_rebaseline_reason"' in without_reason.content.decode()
    assert PlanImportJob.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("confirm_plan_import", args=[programme.pk]),
            {"upload": token, "rebaseline_reason": "Cabinet moved the decision"},
        )

    assert BaselineChange.objects.get().reason == "Cabinet moved the decision"


@pytest.mark.usefixtures("large")
def test_confirming_twice_queues_one_import(
    client, people, plan, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    programme = plan["programme"]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, programme, make_workbook(small_plan()))
    token = (
        client.get(job_url(PlanImportJob.objects.get())).context["import_form"].initial["upload"]
    )

    with django_capture_on_commit_callbacks():
        first = client.post(reverse("confirm_plan_import", args=[programme.pk]), {"upload": token})
        second = client.post(reverse("confirm_plan_import", args=[programme.pk]), {"upload": token})

    assert first["Location"] == second["Location"]
    assert PlanImportJob.objects.filter(kind=JobKind.IMPORT).count() == 1


@pytest.mark.usefixtures("large")
def test_a_colleague_in_the_office_sees_the_check_but_cannot_import_it(
    client, people, plan, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, plan["programme"], make_workbook(small_plan()))
    colleague = UserFactory()
    grant(colleague, "programme_office", programme=plan["programme"])
    client.force_login(colleague)

    response = client.get(job_url(PlanImportJob.objects.get()))

    assert response.status_code == 200
    assert response.context["import_form"] is None
    assert "This check can no longer be imported" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("lead", 403), ("board", 403), ("outsider", 404)])
def test_only_the_programme_office_sees_a_job(client, people, plan, role, status):
    job = PlanImportJob.objects.create(
        programme=plan["programme"],
        requested_by=people["office"],
        kind=JobKind.CHECK,
        file_name="plan-imports/x.xlsx",
    )
    client.force_login(people[role])

    assert client.get(job_url(job)).status_code == status


def test_a_job_of_another_programme_is_not_found(client, people, plan):
    from tests.factories import ProgrammeFactory

    job = PlanImportJob.objects.create(
        programme=ProgrammeFactory(),
        requested_by=people["office"],
        kind=JobKind.CHECK,
        file_name="plan-imports/x.xlsx",
    )
    client.force_login(people["office"])

    url = reverse("plan_import_job", args=[plan["programme"].pk, job.pk])
    assert client.get(url).status_code == 404


def test_a_job_whose_file_is_gone_fails_saying_why(client, people, plan):
    job = PlanImportJob.objects.create(
        programme=plan["programme"],
        requested_by=people["office"],
        kind=JobKind.CHECK,
        file_name="plan-imports/gone.xlsx",
    )

    assert run_plan_import_job(job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    client.force_login(people["office"])
    page = client.get(job_url(job)).content.decode()
    assert "<title>Error: Import a plan" in page
    assert "The check of the file could not be finished" in page
    assert "The uploaded file is no longer kept: upload it again." in page
    assert 'id="id_workbook"' in page


def test_a_finished_job_is_not_run_again(people, plan):
    job = PlanImportJob.objects.create(
        programme=plan["programme"],
        requested_by=people["office"],
        kind=JobKind.CHECK,
        file_name=keep_upload(make_workbook(small_plan())),
    )
    assert run_plan_import_job(job.pk) == "done"

    assert run_plan_import_job(job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


def test_a_job_that_lost_its_worker_shows_as_stopped_and_is_ended_at_night(client, people, plan):
    job = PlanImportJob.objects.create(
        programme=plan["programme"],
        requested_by=people["office"],
        kind=JobKind.IMPORT,
        file_name="plan-imports/x.xlsx",
        status=JobStatus.RUNNING,
    )
    PlanImportJob.objects.filter(pk=job.pk).update(requested_at=timezone.now() - timedelta(hours=2))
    client.force_login(people["office"])

    polled = client.get(job_url(job), **HTMX)
    page = client.get(job_url(job)).content.decode()
    delete_stale_plan_uploads()

    assert polled["HX-Refresh"] == "true"
    assert "The import of the file could not be finished" in page
    assert "hx-get" not in page
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The job stopped without finishing.")
