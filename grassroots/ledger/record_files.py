"""Finding an election record's four files: in its folder, in a folder holding it, or in the
downloaded zip (read in memory, nothing unpacked)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from grassroots.ledger.record import (
    BALLOTS_FILE,
    HEADS_FILE,
    PLAINTEXTS_FILE,
    RECORD_FILE,
    RecordError,
)

RECORD_FILES = (RECORD_FILE, BALLOTS_FILE, HEADS_FILE, PLAINTEXTS_FILE)
# A zip member larger than this is refused before it is unpacked (a record of 500,000 ballots
# is about 40 MB zipped and a few hundred MB unpacked).
MAX_MEMBER_BYTES = 4 * 1024**3


def _directory_files(directory: Path) -> dict[str, bytes]:
    files = {}
    for name in RECORD_FILES:
        path = directory / name
        try:
            files[name] = path.read_bytes()
        except FileNotFoundError as error:
            raise RecordError(name, f"missing from {directory}") from error
        except OSError as error:
            raise RecordError(name, f"cannot be read: {error.strerror}") from error
    return files


def _record_folder(directory: Path) -> Path:
    """The folder holding record.json: ``directory`` itself, or its one subfolder that does (as
    when a downloaded zip is unpacked into a folder of its own)."""
    if (directory / RECORD_FILE).exists():
        return directory
    inner = sorted(p for p in directory.iterdir() if p.is_dir() and (p / RECORD_FILE).exists())
    if len(inner) == 1:
        return inner[0]
    if not inner:
        raise RecordError(str(directory), f"holds no {RECORD_FILE}, nor does any folder in it")
    names = ", ".join(p.name for p in inner)
    raise RecordError(str(directory), f"holds several records ({names}); name one of them")


def _zip_files(path: Path) -> dict[str, bytes]:
    """The record's files from the downloaded zip, read in memory (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
            found = [n for n in members if n.rsplit("/", 1)[-1] == RECORD_FILE]
            if len(found) != 1:
                what = "no" if not found else "more than one"
                raise RecordError(str(path), f"the zip holds {what} {RECORD_FILE}")
            prefix = found[0][: -len(RECORD_FILE)]
            files = {}
            for name in RECORD_FILES:
                info = members.get(prefix + name)
                if info is None:
                    raise RecordError(name, f"missing from the zip {path.name}")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise RecordError(name, "is too large to be a record file")
                files[name] = archive.read(info)
            return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as error:
        raise RecordError(str(path), f"is not a readable zip file: {error}") from error


def read_record_files(location: Path) -> dict[str, bytes]:
    """The four files' bytes from a record folder, a folder holding one, or the zip itself."""
    if location.is_dir():
        return _directory_files(_record_folder(location))
    if location.is_file():
        if zipfile.is_zipfile(location):
            return _zip_files(location)
        raise RecordError(str(location), "is neither a folder nor a zip file")
    raise RecordError(str(location), "does not exist")
