"""A report's progress, made in the background (issue 13, part 4): asking for it returns at
once, leaving the work to the worker through the broker; the report's page shows where it has
got to, in a fragment that htmx asks for again every 2 seconds until the report is done or
failed, with a refresh link for browsers without scripts; the fragment is only for those who
may see the report."""

from datetime import timedelta

import pytest
from django.urls import reverse

from programmes.choices import PeriodStatus
from reporting.models import ReportRun
from reporting.tasks import render_report
from tests.clock import TODAY
from tests.factories import MilestoneFactory, PeriodFactory
from transformation.celery import app

LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def run(plan):
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=LAST_MONTH + timedelta(days=3)
    )
    period = PeriodFactory(
        programme=plan["programme"], month=LAST_MONTH, status=PeriodStatus.CLOSED
    )
    return ReportRun.objects.create(
        programme=plan["programme"], period=period, kind="exception", version=1
    )


def fragment(client, run):
    response = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_a_queued_report_says_so_and_keeps_asking(client, people, run):
    client.force_login(people["manager"])
    html = fragment(client, run)
    assert "<html" not in html and "Queued" in html and "Waiting for a worker" in html
    assert f'hx-get="{run.get_absolute_url()}"' in html and 'hx-trigger="every 2s"' in html
    assert "Download the PDF" not in html


def test_a_rendering_report_says_so_with_its_attempt(client, people, run):
    run.status, run.attempts = "rendering", 2
    run.save()
    client.force_login(people["manager"])
    html = fragment(client, run)
    assert "Rendering" in html and "(attempt 2)" in html and 'hx-trigger="every 2s"' in html


def test_a_page_without_scripts_can_be_refreshed_until_the_report_is_finished(client, people, run):
    client.force_login(people["manager"])
    page = client.get(run.get_absolute_url()).content.decode()
    assert f'href="{run.get_absolute_url()}">Refresh' in page
    render_report(run.pk)
    page = client.get(run.get_absolute_url()).content.decode()
    assert ">Refresh<" not in page and "Download the PDF" in page


def test_polling_stops_when_the_report_is_done_and_offers_the_download(client, people, run):
    client.force_login(people["manager"])
    render_report(run.pk)
    html = fragment(client, run)
    assert "Done" in html and reverse("report_download", args=[run.pk]) in html
    assert "hx-get" not in html and "hx-trigger" not in html
    download = client.get(reverse("report_download", args=[run.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_polling_stops_when_the_report_failed_and_says_why(client, people, run):
    run.status, run.error = "failed", "The worker ran out of time"
    run.save()
    client.force_login(people["manager"])
    html = fragment(client, run)
    assert "could not be made" in html and "The worker ran out of time" in html
    assert "hx-trigger" not in html and "Download the PDF" not in html


def test_a_lead_sees_the_progress_but_is_not_offered_the_download(client, people, run):
    render_report(run.pk)
    client.force_login(people["lead"])
    html = fragment(client, run)
    assert "Done" in html and "Download the PDF" not in html


@pytest.mark.parametrize("role", ["outsider", None])
def test_the_progress_is_only_for_those_who_see_the_report(client, people, run, role):
    if role:
        client.force_login(people[role])
    response = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true")
    if role:
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert "Queued" not in response.content.decode()


@pytest.fixture
def folder_broker(tmp_path):
    """The embedded default's broker, kombu's filesystem transport, in a folder of the test's
    own, with tasks sent to it rather than run in the test's process."""
    folders = {name: tmp_path / name for name in ("queue", "control")}
    for folder in folders.values():
        folder.mkdir()
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield folders["queue"]
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None


def test_asking_for_a_report_returns_at_once_leaving_it_to_the_worker(
    client, people, run, folder_broker, django_capture_on_commit_callbacks
):
    client.force_login(people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_list", args=[run.programme_id]),
            {"period": str(run.period_id), "kind": "highlight"},
        )
    asked = ReportRun.objects.get(kind="highlight")
    assert response.status_code == 302 and response["Location"] == asked.get_absolute_url()
    assert asked.status == "queued" and not asked.file  # not made in the request
    messages = list(folder_broker.iterdir())
    assert len(messages) == 1
    assert "reporting.render_report" in messages[0].read_text()
    page = client.get(asked.get_absolute_url()).content.decode()
    assert "Queued" in page and 'hx-trigger="every 2s"' in page
