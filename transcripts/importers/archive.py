"""Zip archives: expand safely into (name, bytes) entries, each judged on its own.

Refused with a message naming the entry: absolute or ``../`` paths, nested archives, entries
over the single-file size limit or compressed more than ``FG_MAX_ZIP_RATIO`` to one. The whole
archive is refused when it is not a zip, holds too many files, or would expand past
``FG_MAX_ZIP_TOTAL_BYTES`` (a zip bomb). Folders, ``__MACOSX/`` and hidden files are skipped.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .base import ImportFailure, extension_of

SKIPPED_NAMES = {"thumbs.db", "desktop.ini"}


@dataclass
class ArchiveEntry:
    name: str  # "archive.zip/folder/FG1.docx": what the analyst sees in the report
    data: bytes = b""
    error: str = ""


def _unsafe(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    return (
        path.startswith(("/", "\\"))
        or (len(path) > 1 and path[1] == ":")
        or any(part == ".." for part in parts)
    )


def _skipped(path: str) -> bool:
    clean = path.replace("\\", "/")
    base = PurePosixPath(clean).name
    return (
        clean.endswith("/")
        or clean.startswith("__MACOSX/")
        or base.startswith(".")
        or base.lower() in SKIPPED_NAMES
    )


def expand(archive_name: str, data: bytes) -> list[ArchiveEntry]:
    max_file = settings.FG_MAX_UPLOAD_BYTES
    max_total = settings.FG_MAX_ZIP_TOTAL_BYTES
    max_ratio = settings.FG_MAX_ZIP_RATIO
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFailure(f"{archive_name}: not a readable zip archive ({exc}).") from None
    members = [info for info in infos if not _skipped(info.filename)]
    if len(members) > settings.DATA_UPLOAD_MAX_NUMBER_FILES:
        raise ImportFailure(
            f"{archive_name}: holds {len(members)} files, more than the limit of "
            f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES}."
        )
    declared = sum(info.file_size for info in members)
    if declared > max_total:
        raise ImportFailure(
            f"{archive_name}: would expand to {filesizeformat(declared)}, over the limit of "
            f"{filesizeformat(max_total)} (possible zip bomb). Nothing in it was imported."
        )
    entries: list[ArchiveEntry] = []
    total = 0
    for info in members:
        path = info.filename.replace("\\", "/")
        name = f"{archive_name}/{path.lstrip('/')}"
        if _unsafe(info.filename):
            entries.append(
                ArchiveEntry(
                    name,
                    error=f"{name}: unsafe path in the archive (absolute or ../), not extracted.",
                )
            )
            continue
        if extension_of(path) == "zip":
            entries.append(
                ArchiveEntry(
                    name,
                    error=f"{name}: nested zip archives are not "
                    "imported; unzip it and upload its files.",
                )
            )
            continue
        if info.flag_bits & 0x1:
            entries.append(ArchiveEntry(name, error=f"{name}: encrypted entry, cannot be read."))
            continue
        if info.file_size > max_file:
            entries.append(ArchiveEntry(name, error=_too_big(name, info.file_size)))
            continue
        if info.compress_size and info.file_size / info.compress_size > max_ratio:
            entries.append(
                ArchiveEntry(
                    name,
                    error=(
                        f"{name}: compressed {info.file_size // info.compress_size}:1, more than "
                        f"the limit of {max_ratio}:1 (possible zip bomb), not extracted."
                    ),
                )
            )
            continue
        try:
            with archive.open(info) as stream:
                content = stream.read(min(max_file, max_total - total) + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            entries.append(ArchiveEntry(name, error=f"{name}: damaged in the archive ({exc})."))
            continue
        if len(content) > max_file or total + len(content) > max_total:
            entries.append(
                ArchiveEntry(
                    name,
                    error=(
                        f"{name}: expands past its declared size, over the limit "
                        "(possible zip bomb), not extracted."
                    ),
                )
            )
            continue
        total += len(content)
        entries.append(ArchiveEntry(name, data=content))
    if not entries:
        raise ImportFailure(f"{archive_name}: the archive has no files to import.")
    return entries


def _too_big(name: str, size: int) -> str:
    limit = filesizeformat(settings.FG_MAX_UPLOAD_BYTES)
    return f"{name}: {filesizeformat(size)}, over the size limit of {limit} per file."
