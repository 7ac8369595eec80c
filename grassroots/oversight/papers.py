"""Meeting papers: PDF, OpenDocument text or Word (.docx), checked by their bytes, not their
name, and no larger than ``GRASSROOTS_MAX_PAPER_BYTES`` (10 MB unless set).

A PDF starts with ``%PDF-``; an OpenDocument or Office Open XML file is a ZIP archive whose
members say what it is (``mimetype`` for OpenDocument, ``word/document.xml`` for Word). A file
that only claims to be one of these (a renamed script, an HTML page) is refused, and papers are
served as attachments with their checked type and ``nosniff``.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

from django.conf import settings
from django.utils.translation import gettext

DEFAULT_MAX_PAPER_BYTES = 10 * 1024 * 1024
KINDS = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


class PaperError(ValueError):
    """An upload that is not an acceptable paper, with a message for the person uploading."""


def max_paper_bytes() -> int:
    return int(getattr(settings, "GRASSROOTS_MAX_PAPER_BYTES", DEFAULT_MAX_PAPER_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def paper_kind(data: bytes) -> str | None:
    """``"pdf"``, ``"odt"`` or ``"docx"`` if the bytes are one of those documents, else None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                return "odt"
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
        return None
    return None


def read_paper(upload: IO[bytes], *, size: int | None) -> tuple[bytes, str]:
    """The paper's bytes and kind; :class:`PaperError` if it is not acceptable."""
    limit = max_paper_bytes()
    too_large = gettext("The paper is larger than %(size)s. Upload a smaller file.") % {
        "size": _megabytes(limit)
    }
    if size is not None and size > limit:
        raise PaperError(too_large)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PaperError(too_large)
    if not data:
        raise PaperError(gettext("The file is empty."))
    kind = paper_kind(data)
    if kind is None:
        raise PaperError(
            gettext("A paper must be a PDF, an OpenDocument text (.odt) or a Word (.docx) file.")
        )
    return data, kind
