"""A workbook too large to read is refused from what it declares, before a cell is parsed:
a sheet of more rows than a plan may have, or a file that unpacks to far more than it
weighs (a zip bomb). The refusal is a message by the upload field, not a web process busy
for minutes and then a server error (issue 10, defect 8)."""

import os
import zipfile
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from plans import read
from plans.read import MAX_ROWS, check_file, read_plan
from tests.plan_workbooks import make_workbook, small_plan
from workstreams.models import Milestone

HUGE = 200_000


def _milestones_part(archive: zipfile.ZipFile) -> str:
    return next(
        name
        for name in archive.namelist()
        if name.startswith("xl/worksheets/") and b">Action milestone<" in archive.read(name)
    )


def with_milestone_rows(rows: int, *, declared: bool = True) -> bytes:
    """A plan workbook whose Milestones sheet has `rows` rows below its header, its XML
    written directly (openpyxl would take a minute to write 200,000 rows). With `declared`,
    the sheet states its size in <dimension>, as Excel, LibreOffice and openpyxl write it."""
    source = zipfile.ZipFile(BytesIO(make_workbook(small_plan())))
    part = _milestones_part(source)
    cells = (
        '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>1.1</t></is></c>'
        '<c r="B{n}" t="inlineStr"><is><t>1.1.{n}</t></is></c>'
        '<c r="C{n}" t="inlineStr"><is><t>Milestone {n}</t></is></c></row>'
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="A1:C{rows + 1}"/>' if declared else "")
        + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Workstream</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Ref</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>Action milestone</t></is></c></row>'
        + "".join(cells.format(n=n) for n in range(2, rows + 2))
        + "</sheetData></worksheet>"
    )
    return _replaced(source, {part: sheet.encode()})


def _replaced(source: zipfile.ZipFile, parts: dict[str, bytes], extra=None) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, parts.get(info.filename, source.read(info.filename)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A real workbook carrying 50 MB of zeros, which deflate packs into 50 KB."""
    source = zipfile.ZipFile(BytesIO(make_workbook(small_plan())))
    return _replaced(source, {}, extra={"xl/media/image1.bin": bytes(50 * 1024 * 1024)})


def over_the_unpacked_limit() -> bytes:
    """A workbook that packs well, as text does (about 50 times), but unpacks to more than
    any plan: 65 MB."""
    block = os.urandom(500).hex().encode() + bytes(30_000)
    source = zipfile.ZipFile(BytesIO(make_workbook(small_plan())))
    extra = {"xl/media/image1.bin": block * (65 * 1024 * 1024 // len(block))}
    return _replaced(source, {}, extra=extra)


@pytest.fixture
def no_full_parse(monkeypatch):
    """The test fails if the workbook is loaded cell by cell (openpyxl's full mode, minutes
    for a huge sheet); opening it read-only, to read its declared size, is allowed."""
    real = read.load_workbook

    def load_read_only(*args, **kwargs):
        assert kwargs.get("read_only"), "the workbook was parsed before it was refused"
        return real(*args, **kwargs)

    monkeypatch.setattr(read, "load_workbook", load_read_only)


@pytest.fixture
def huge_workbook():
    return with_milestone_rows(HUGE)


def test_a_sheet_declaring_200000_rows_is_refused_before_it_is_parsed(huge_workbook, no_full_parse):
    problem = check_file(huge_workbook)

    assert problem is not None
    assert str(problem) == (
        "The Milestones sheet has 200,000 rows; a plan may have up to 20,000 rows on each "
        "sheet. Split the rows into several workbooks and import them one after the other"
    )
    assert [str(p) for p in read_plan(huge_workbook).problems] == [str(problem)]


def test_a_sheet_that_does_not_declare_its_size_is_counted_only_up_to_the_limit(no_full_parse):
    data = with_milestone_rows(HUGE, declared=False)

    problem = check_file(data)

    assert problem is not None
    assert str(problem).startswith("The Milestones sheet has more than 20,000 rows;")


def test_a_sheet_at_the_limit_passes_the_check(no_full_parse):
    assert check_file(with_milestone_rows(MAX_ROWS)) is None


def test_a_zip_bomb_is_refused(no_full_parse):
    data = zip_bomb()

    problem = check_file(data)

    assert problem is not None
    assert str(problem).startswith("The workbook unpacks to 50.0 MB from ")
    assert "times its size" in str(problem)


def test_a_workbook_that_unpacks_to_more_than_a_plan_needs_is_refused(no_full_parse):
    data = over_the_unpacked_limit()

    problem = check_file(data)

    assert problem is not None
    assert str(problem).startswith("The workbook unpacks to 65.0 MB; the largest plan we read")


@pytest.fixture
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.mark.usefixtures("_media")
@pytest.mark.parametrize(
    ("workbook", "message"),
    [
        (lambda: with_milestone_rows(HUGE), "The Milestones sheet has 200,000 rows;"),
        (zip_bomb, "The workbook unpacks to 50.0 MB from "),
    ],
    ids=["200000-rows", "zip-bomb"],
)
def test_the_upload_is_refused_by_the_field_before_it_is_parsed(
    client, people, plan, no_full_parse, workbook, message
):
    client.force_login(people["office"])
    file = BytesIO(workbook())
    file.name = "plan.xlsx"

    response = client.post(reverse("import_plan", args=[plan["programme"].pk]), {"workbook": file})

    assert response.status_code == 400
    (error,) = response.context["upload_form"].errors["workbook"]
    assert error.startswith(message)
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_workbook"' in page
    assert not default_storage.exists("plan-imports")
    assert Milestone.objects.count() == 0
