"""Shared by the REFI-QDA tests: the samples in ../shared, the schemas, a rich project."""

from __future__ import annotations

import io
import os
import zipfile
from functools import cache
from pathlib import Path

import pytest
import xmlschema

from coding.refi.xml import CODEBOOK_XSD, PROJECT_XSD

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """``shared/`` beside the clone (as CI lays it out), else beside an ancestor folder."""
    for folder in [REPO.parent, *REPO.parent.parents]:
        candidate = folder / "shared" / "refi-qda"
        if candidate.is_dir():
            return candidate
    message = f"REFI-QDA samples not found in {REPO.parent / 'shared' / 'refi-qda'}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def sample(name: str) -> bytes:
    path = shared_dir() / "samples" / name
    if not path.exists() and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"missing sample {path}")
    return path.read_bytes()


@cache
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(PROJECT_XSD))


@cache
def codebook_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(CODEBOOK_XSD))


def assert_valid_qdpx(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    project_schema().validate(io.BytesIO(archive.read("project.qde")))
    return archive


def assert_valid_qdc(data: bytes) -> None:
    codebook_schema().validate(io.BytesIO(data))


def make_qdpx(qde: str | bytes, files: dict[str, bytes | str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde.encode() if isinstance(qde, str) else qde)
        for name, content in (files or {}).items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()
