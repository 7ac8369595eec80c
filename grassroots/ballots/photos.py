"""Candidate photos: JPEG or PNG only, at most 2 MB, checked by their bytes, not their name.

Pillow is not a dependency, so the check reads the file signature and the image header: a JPEG
starts with an SOI marker and ends with EOI, a PNG starts with its 8-byte signature followed by
an IHDR chunk. A file that only claims to be an image (a renamed script, HTML) fails the check,
and photos are served with their checked type and ``nosniff``.
"""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


class PhotoError(ValueError):
    """An upload that is not an acceptable photo, with a message for the person uploading."""


def photo_kind(data: bytes) -> str | None:
    """``"jpg"`` or ``"png"`` if the bytes are one of those images, else None."""
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "jpg"
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and len(data) > 33:
        return "png"
    return None


def read_photo(upload: IO[bytes], *, size: int | None) -> tuple[bytes, str]:
    """The photo's bytes and file extension; :class:`PhotoError` if it is not acceptable."""
    if size is not None and size > MAX_PHOTO_BYTES:
        raise PhotoError(gettext("The photo is larger than 2 MB. Choose a smaller one."))
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(gettext("The photo is larger than 2 MB. Choose a smaller one."))
    kind = photo_kind(data)
    if kind is None:
        raise PhotoError(gettext("The photo must be a JPEG or PNG image."))
    return data, kind
