"""The plan workbook pages: the template, the export, and the programme office's upload, dry
run and import; each role allowed or denied."""

import os
import time
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from plans.export import blank_template, export_plan
from plans.format import PLAN_SHEETS
from plans.importer import import_plan
from plans.tasks import delete_stale_plan_uploads
from tests.factories import AreaFactory, MilestoneFactory, UserFactory, WorkstreamFactory, grant
from tests.plan_workbooks import make_workbook, milestone, small_plan
from workstreams.models import BaselineChange, Milestone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def kept_uploads() -> list[str]:
    if not default_storage.exists("plan-imports"):
        return []
    return default_storage.listdir("plan-imports")[1]


def upload(client, programme, data: bytes, name="plan.xlsx"):
    file = BytesIO(data)
    file.name = name
    return client.post(reverse("import_plan", args=[programme.pk]), {"workbook": file})


def workbook_of(response):
    return load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def test_the_template_has_instructions_drop_downs_and_an_example_row(client, people):
    client.force_login(people["lead"])

    response = client.get(reverse("plan_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["Instructions"] + [sheet.title for sheet in PLAN_SHEETS]
    drop_downs = {
        (sheet, str(validation.sqref)[0], validation.formula1)
        for sheet in ("Milestones", "Risks")
        for validation in workbook[sheet].data_validations.dataValidation
    }
    assert ("Milestones", "E", '"Milestone,Key decision,Deliverable"') in drop_downs
    assert ("Milestones", "L", '"Not started,In progress,Complete"') in drop_downs
    assert ("Risks", "N", '"1,2,3,4,5"') in drop_downs
    assert ("Risks", "Q", '"Red,Amber,Green"') in drop_downs
    assert workbook["Milestones"]["C2"].value == "Staff consultation meetings"
    assert "How to fill in this workbook" in [c.value for c in workbook["Instructions"]["A"]]


def test_the_blank_template_imports_as_nothing(people, plan):
    result = import_plan(plan["programme"], blank_template(), by=people["office"])

    assert result.is_ok
    assert (result.created, result.changed) == (0, 0)
    assert sum("template's example" in note for note in result.notes) == len(PLAN_SHEETS)


def test_the_template_needs_a_sign_in(client, db):
    response = client.get(reverse("plan_template"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["board", "sponsor", "manager", "lead", "office", "admin"])
def test_everyone_who_sees_the_programme_may_export_its_plan(client, people, plan, role):
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1", title="Staff consultation")
    client.force_login(people[role])

    response = client.get(reverse("export_plan", args=[plan["programme"].pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment;" in response["Content-Disposition"]
    rows = list(workbook_of(response)["Milestones"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[2]) for row in rows] == [("1.1", "1.1.1", "Staff consultation")]


def test_an_outsider_cannot_export_a_plan(client, people, plan):
    client.force_login(people["outsider"])

    response = client.get(reverse("export_plan", args=[plan["programme"].pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("size", [1, 4])
def test_the_export_runs_a_fixed_number_of_queries(
    client, people, plan, size, django_assert_max_num_queries
):
    for number in range(3 * size):
        workstream = WorkstreamFactory(area=plan["area_two"], reference=f"2.{number + 3}")
        for milestone_number in range(2 * size):
            MilestoneFactory(workstream=workstream, reference=f"2.{number + 3}.{milestone_number}")
    client.force_login(people["board"])

    with django_assert_max_num_queries(16):
        response = client.get(reverse("export_plan", args=[plan["programme"].pk]))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("board", 403),
        ("sponsor", 403),
        ("manager", 403),
        ("lead", 403),
        ("outsider", 404),
        ("office", 200),
        ("admin", 200),
    ],
)
def test_only_the_programme_office_may_import_a_plan(client, people, plan, role, status):
    client.force_login(people[role])
    programme = plan["programme"]

    page = client.get(reverse("import_plan", args=[programme.pk]))
    posted = upload(client, programme, make_workbook(small_plan()))

    assert page.status_code == status
    if status != 200:
        assert posted.status_code == status
        assert kept_uploads() == []
    assert Milestone.objects.count() == 0


def test_importing_needs_a_sign_in(client, plan):
    response = client.get(reverse("import_plan", args=[plan["programme"].pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_upload_is_checked_first_and_imported_only_when_confirmed(client, people, plan):
    client.force_login(people["office"])
    programme = plan["programme"]

    checked = upload(client, programme, make_workbook(small_plan()))

    assert checked.status_code == 200
    page = checked.content.decode()
    assert "Nothing has been imported yet" in page
    assert "1.1 / 1.1.1 Staff consultation meetings" in page
    assert Milestone.objects.count() == 0
    assert len(kept_uploads()) == 1
    token = checked.context["import_form"].initial["upload"]

    confirmed = client.post(reverse("confirm_plan_import", args=[programme.pk]), {"upload": token})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("programme_detail", args=[programme.pk])
    assert Milestone.objects.get().title == "Staff consultation meetings"
    assert kept_uploads() == []

    again = client.post(reverse("confirm_plan_import", args=[programme.pk]), {"upload": token})

    assert again.status_code == 302
    assert again["Location"] == reverse("import_plan", args=[programme.pk])
    assert Milestone.objects.count() == 1


def test_a_checked_file_cannot_be_imported_by_someone_else(client, people, plan):
    programme = plan["programme"]
    client.force_login(people["office"])
    token = (
        upload(client, programme, make_workbook(small_plan()))
        .context["import_form"]
        .initial["upload"]
    )
    colleague = UserFactory()
    grant(colleague, "programme_office", programme=programme)
    client.force_login(colleague)

    response = client.post(reverse("confirm_plan_import", args=[programme.pk]), {"upload": token})

    assert response.status_code == 302
    assert Milestone.objects.count() == 0


def test_a_tampered_upload_value_is_refused(client, people, plan):
    programme = plan["programme"]
    client.force_login(people["office"])
    token = (
        upload(client, programme, make_workbook(small_plan()))
        .context["import_form"]
        .initial["upload"]
    )

    response = client.post(
        reverse("confirm_plan_import", args=[programme.pk]), {"upload": token[:-2] + "xx"}
    )

    assert response.status_code == 302
    assert Milestone.objects.count() == 0


def test_a_file_that_moves_due_dates_needs_the_reason_next_to_the_field(client, people, plan):
    programme = plan["programme"]
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", title="Staff consultation meetings"
    )
    client.force_login(people["office"])
    data = make_workbook(small_plan(Milestones=[]) | {"Milestones": [milestone(Due="Dec 26")]})
    token = upload(client, programme, data).context["import_form"].initial["upload"]

    without_reason = client.post(
        reverse("confirm_plan_import", args=[programme.pk]), {"upload": token}
    )

    assert without_reason.status_code == 400
    assert without_reason.context["import_form"].errors == {
        "rebaseline_reason": ["Give the reason for re-baselining"]
    }
    assert 'href="#id_rebaseline_reason"' in without_reason.content.decode()
    assert BaselineChange.objects.count() == 0

    with_reason = client.post(
        reverse("confirm_plan_import", args=[programme.pk]),
        {"upload": token, "rebaseline_reason": "Cabinet moved the decision"},
    )

    assert with_reason.status_code == 302
    assert BaselineChange.objects.get().reason == "Cabinet moved the decision"


def test_new_people_are_added_only_when_the_box_is_ticked(client, people, plan):
    programme = plan["programme"]
    client.force_login(people["office"])
    data = make_workbook(small_plan(Milestones=[]) | {"Milestones": [milestone(Owner="Jo Bloggs")]})
    checked = upload(client, programme, data)
    assert "Jo Bloggs" in checked.content.decode()
    token = checked.context["import_form"].initial["upload"]

    unticked = client.post(reverse("confirm_plan_import", args=[programme.pk]), {"upload": token})

    assert unticked.status_code == 400
    assert "Tick the box to add the new people" in unticked.content.decode()
    assert Milestone.objects.count() == 0

    ticked = client.post(
        reverse("confirm_plan_import", args=[programme.pk]),
        {"upload": token, "create_people": "on"},
    )

    assert ticked.status_code == 302
    assert Milestone.objects.get().owner.name == "Jo Bloggs"


def test_a_bad_file_lists_its_problems_and_keeps_nothing(client, people, plan):
    client.force_login(people["office"])
    data = make_workbook(small_plan(Milestones=[]) | {"Milestones": [milestone(Due="31/02/2025")]})

    response = upload(client, plan["programme"], data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem with the file" in page
    assert "Milestones row 2, Due: &#x27;31/02/2025&#x27; is not a date" in page
    assert "Nothing has been imported" in page
    assert kept_uploads() == []


def test_a_file_too_big_or_missing_is_refused_next_to_the_field(client, people, plan):
    client.force_login(people["office"])

    too_big = upload(client, plan["programme"], b"\0" * (50 * 1024 * 1024))
    missing = client.post(reverse("import_plan", args=[plan["programme"].pk]), {})

    assert too_big.status_code == 400
    assert too_big.context["upload_form"].errors == {
        "workbook": ["The file is 50.0 MB; the largest plan we accept is 10 MB"]
    }
    assert missing.context["upload_form"].errors == {
        "workbook": ["Choose the plan workbook to upload"]
    }
    assert kept_uploads() == []


def test_a_file_that_changes_nothing_offers_no_import(client, people, plan):
    client.force_login(people["office"])
    programme = plan["programme"]

    response = upload(client, programme, export_plan(programme))

    assert response.status_code == 200
    assert "importing it would change nothing" in response.content.decode()
    assert response.context["import_form"] is None
    assert kept_uploads() == []


def test_the_import_page_runs_a_fixed_number_of_queries(
    client, people, plan, django_assert_max_num_queries
):
    for number in range(5):
        AreaFactory(programme=plan["programme"], reference=str(number + 3))
    client.force_login(people["office"])

    with django_assert_max_num_queries(8):
        response = client.get(reverse("import_plan", args=[plan["programme"].pk]))

    assert response.status_code == 200


def test_checked_files_never_imported_are_deleted_after_a_day(client, people, plan):
    client.force_login(people["office"])
    upload(client, plan["programme"], make_workbook(small_plan()))
    upload(client, plan["programme"], make_workbook(small_plan()))
    old, recent = sorted(kept_uploads())
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(f"plan-imports/{old}"), (two_days_ago, two_days_ago))

    deleted = delete_stale_plan_uploads()

    assert deleted == 1
    assert kept_uploads() == [recent]
