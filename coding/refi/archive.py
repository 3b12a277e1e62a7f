"""Reading a ``.qdpx`` archive defensively: no paths outside it, no zip bombs."""

from __future__ import annotations

import io
import posixpath
import zipfile

from django.conf import settings

from .xml import RefiError

CHUNK = 1 << 16


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "FG_REFI_MAX_UNCOMPRESSED_BYTES", 1 << 30),
        getattr(settings, "FG_REFI_MAX_RATIO", 100),
    )


class QdpxArchive:
    """The entries of a ``.qdpx`` by lower-cased path; ``read`` decompresses within the limits."""

    def __init__(self, data: bytes, *, filename: str) -> None:
        self.filename = filename
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise RefiError(f"{filename} is not a REFI-QDA project: it is not a zip archive.")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise RefiError(f"{filename} is a damaged zip archive: {exc}.") from exc
        max_total, max_ratio = _limits()
        total = 0
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = name.split("/")
            if (
                name.startswith("/")
                or ".." in parts
                or (len(name) > 1 and name[1] == ":")
                or posixpath.isabs(name)
            ):
                raise RefiError(
                    f"{filename} contains the entry {info.filename!r}, a path outside the "
                    "archive: refused."
                )
            if info.flag_bits & 0x1:
                raise RefiError(f"{filename}: the entry {info.filename!r} is encrypted.")
            total += info.file_size
            if total > max_total:
                raise RefiError(
                    f"{filename} unpacks to more than {max_total // (1 << 20)} MB: refused as "
                    "a possible zip bomb."
                )
            if info.file_size > (1 << 20) and info.file_size > max_ratio * max(
                info.compress_size, 1
            ):
                raise RefiError(
                    f"{filename}: the entry {info.filename!r} is compressed more than "
                    f"{max_ratio}:1, refused as a possible zip bomb."
                )
            if not info.is_dir():
                self.entries[name.lower()] = info
        self.budget = max_total

    def project_entry(self) -> str:
        """The ``.qde`` at the top of the archive (``project.qde`` in any case)."""
        top = [name for name in self.entries if "/" not in name and name.endswith(".qde")]
        if "project.qde" in top:
            return "project.qde"
        if len(top) == 1:
            return top[0]
        if not top:
            raise RefiError(f"{self.filename} has no project.qde: not a REFI-QDA project.")
        raise RefiError(f"{self.filename} has several .qde files ({', '.join(sorted(top))}).")

    def find(self, path: str) -> str | None:
        """The entry for a REFI-QDA path: ``internal://X.txt``, ``X.txt`` or ``sources/X.txt``
        (names matched case-insensitively)."""
        name = path.strip()
        for prefix in ("internal://", "internal:"):
            if name.lower().startswith(prefix):
                name = name[len(prefix) :]
                break
        else:
            if "://" in name:  # relative:// and absolute:// point outside the archive
                return None
        name = name.replace("\\", "/").lstrip("/").lower()
        for candidate in (f"sources/{name}", name):
            if candidate in self.entries:
                return candidate
        return None

    def read(self, entry: str) -> bytes:
        """Decompress one entry, counting the bytes really produced against the limits (the
        sizes in a zip header can lie)."""
        info = self.entries[entry]
        _max_total, max_ratio = _limits()
        out = io.BytesIO()
        produced = 0
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    produced += len(chunk)
                    self.budget -= len(chunk)
                    if self.budget < 0 or (
                        produced > (1 << 20) and produced > max_ratio * max(info.compress_size, 1)
                    ):
                        raise RefiError(
                            f"{self.filename}: {info.filename!r} unpacks to far more than it "
                            "says: refused as a possible zip bomb."
                        )
                    out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise RefiError(f"{self.filename}: {info.filename!r} is damaged: {exc}.") from exc
        return out.getvalue()
