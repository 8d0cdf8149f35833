"""What a meeting paper may be (DOMAIN.md section 7: "papers ... uploaded documents"): a PDF,
Word, Excel or PowerPoint file, no larger than `settings.MEETING_PAPER_MAX_BYTES`.

A file is taken for what its name says only if its content says the same: a PDF starts with
"%PDF-"; a Word, Excel or PowerPoint file of today is a zip package whose
[Content_Types].xml names the main part of that kind of document; one of the older formats
(.doc, .xls, .ppt) is an OLE2 compound file. Anything else (a program renamed .pdf, a web
page, a zip of something else) is refused before anything is stored. Pure: reads the upload
it is given and nothing else.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

from risks.models import PaperKind

MEGABYTE = 1024 * 1024
PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = b"PK\x03\x04"
# [Content_Types].xml is a few kilobytes; a larger one is not an Office document.
CONTENT_TYPES_MAX_BYTES = 512 * 1024
# The content type each kind's main part declares in [Content_Types].xml.
MAIN_PARTS = {
    PaperKind.WORD: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    PaperKind.EXCEL: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PaperKind.POWERPOINT: (
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    ),
}
EXTENSIONS = {
    ".pdf": PaperKind.PDF,
    ".docx": PaperKind.WORD,
    ".doc": PaperKind.WORD,
    ".xlsx": PaperKind.EXCEL,
    ".xls": PaperKind.EXCEL,
    ".pptx": PaperKind.POWERPOINT,
    ".ppt": PaperKind.POWERPOINT,
}
LEGACY = {".doc", ".xls", ".ppt"}
ACCEPT = ",".join(EXTENSIONS)
CONTENT_TYPES = {
    PaperKind.PDF: "application/pdf",
    PaperKind.WORD: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PaperKind.EXCEL: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PaperKind.POWERPOINT: (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
LEGACY_CONTENT_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
WRONG_TYPE = "The selected file must be a PDF, Word, Excel or PowerPoint file"


@dataclass(frozen=True)
class CheckedPaper:
    kind: PaperKind
    extension: str
    size_bytes: int

    @property
    def content_type(self) -> str:
        return LEGACY_CONTENT_TYPES.get(self.extension) or CONTENT_TYPES[self.kind]


def max_paper_bytes() -> int:
    return settings.MEETING_PAPER_MAX_BYTES


def size_words(size: int) -> str:
    """ "20 MB", "350 KB": as a person reads a file's size."""
    if size >= MEGABYTE:
        megabytes = size / MEGABYTE
        return f"{megabytes:.0f} MB" if megabytes >= 10 else f"{megabytes:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def content_type_for(file_name: str, kind: str) -> str:
    extension = PurePath(file_name).suffix.lower()
    return LEGACY_CONTENT_TYPES.get(extension) or CONTENT_TYPES[PaperKind(kind)]


def _office_kind(upload) -> PaperKind | None:
    """The kind of Office document a zip package declares itself, or None if it is not one."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            try:
                info = package.getinfo("[Content_Types].xml")
            except KeyError:
                return None
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            with package.open(info) as part:
                declared = part.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, EOFError):
        return None
    finally:
        upload.seek(0)
    for kind, main_part in MAIN_PARTS.items():
        if main_part in declared:
            return kind
    return None


def check_paper(upload, *, max_bytes: int | None = None) -> CheckedPaper:
    """The upload's kind, if it is a paper a meeting may have; else a ValidationError on
    `file` saying what is wrong (too large, or not a PDF or Office file whatever its name)."""
    max_bytes = max_paper_bytes() if max_bytes is None else max_bytes
    name = getattr(upload, "name", "") or ""
    size = upload.size
    if not size:
        raise ValidationError({"file": "The selected file is empty"})
    if size > max_bytes:
        raise ValidationError(
            {
                "file": f"The selected file must be {size_words(max_bytes)} or smaller: it is "
                f"{size_words(size)}"
            }
        )
    extension = PurePath(name).suffix.lower()
    kind = EXTENSIONS.get(extension)
    if kind is None:
        raise ValidationError({"file": WRONG_TYPE})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if kind == PaperKind.PDF:
        matches = head.startswith(PDF_MAGIC)
    elif extension in LEGACY:
        matches = head.startswith(OLE2_MAGIC)
    else:
        matches = head.startswith(ZIP_MAGIC) and _office_kind(upload) == kind
    if not matches:
        raise ValidationError(
            {
                "file": f"The selected file is named {extension} but is not a {kind.label} "
                "file: it must be a PDF, Word, Excel or PowerPoint file"
            }
        )
    return CheckedPaper(kind, extension, size)
