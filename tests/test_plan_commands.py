"""`export_plan` and `import_plan` at the command line, for operators."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from programmes.models import Person
from tests.factories import MilestoneFactory, ProgrammeFactory, WorkstreamFactory
from tests.plan_workbooks import make_workbook, milestone, small_plan
from workstreams.models import Milestone


@pytest.fixture
def programme(db):
    return ProgrammeFactory(reference="HARROW-TPP")


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_then_dry_run_then_import_into_another_programme(programme, tmp_path):
    MilestoneFactory(
        workstream=WorkstreamFactory(area__programme=programme, reference="1.1"), reference="1.1.1"
    )
    target = ProgrammeFactory(reference="COPY", organisation=programme.organisation)
    path = tmp_path / "plan.xlsx"

    exported, _ = run("export_plan", "--programme", "HARROW-TPP", str(path))
    dry, _ = run("import_plan", str(path), "--programme", "COPY", "--dry-run")

    assert f"Wrote the plan of HARROW-TPP to {path}" in exported
    assert "Dry run: nothing written. The import would make: 3 added, 0 changed." in dry
    assert Milestone.objects.filter(workstream__programme=target).count() == 0

    imported, _ = run("import_plan", str(path), "--programme", "COPY")

    assert "Imported: 3 added, 0 changed." in imported
    assert Milestone.objects.filter(workstream__programme=target).count() == 1


def test_problems_go_to_stderr_and_nothing_is_imported(programme, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(
        make_workbook(small_plan(Milestones=[]) | {"Milestones": [milestone(Due="31/02/2025")]})
    )
    err = StringIO()

    with pytest.raises(CommandError, match="1 problems: nothing was imported"):
        call_command(
            "import_plan", str(path), "--programme", "HARROW-TPP", stdout=StringIO(), stderr=err
        )

    assert "Milestones row 2, Due: '31/02/2025' is not a date" in err.getvalue()
    assert Milestone.objects.count() == 0


def test_new_people_are_added_only_with_create_people(programme, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(
        make_workbook(small_plan(Milestones=[]) | {"Milestones": [milestone(Owner="Jo Bloggs")]})
    )

    dry, _ = run("import_plan", str(path), "--programme", "HARROW-TPP", "--dry-run")
    with pytest.raises(CommandError):
        call_command(
            "import_plan",
            str(path),
            "--programme",
            "HARROW-TPP",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    done, _ = run("import_plan", str(path), "--programme", "HARROW-TPP", "--create-people")

    assert "People would add: Jo Bloggs" in dry
    assert "run again with --create-people" in dry
    assert "People added: Jo Bloggs" in done
    assert Person.objects.filter(name="Jo Bloggs", organisation=programme.organisation).exists()


def test_an_unknown_programme_or_file_is_a_clear_error(programme, tmp_path):
    with pytest.raises(CommandError, match="There is no programme NOPE"):
        call_command("export_plan", "--programme", "NOPE", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_plan", str(tmp_path / "missing.xlsx"), "--programme", "HARROW-TPP")
