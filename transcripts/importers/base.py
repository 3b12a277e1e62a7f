"""The parsed structure every importer returns, and the dispatch by file type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any


class ImportFailure(Exception):
    """A file that cannot be imported; the message is shown to the analyst as is."""


@dataclass
class ParsedTurn:
    """A speaker turn ``[start, end)`` of the canonical text: the spoken words only, not the
    ``Name:`` prefix (which stays in the text so it reads naturally)."""

    speaker: str
    start: int
    end: int
    timestamp_start_ms: int | None = None
    timestamp_end_ms: int | None = None


@dataclass
class SurveyTable:
    """A spreadsheet of survey answers: one row per respondent."""

    headers: list[str]
    rows: list[list[str]]


@dataclass
class ParsedDocument:
    source_format: str
    text: str = ""
    turns: list[ParsedTurn] = field(default_factory=list)
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)
    table: SurveyTable | None = None

    @property
    def speakers(self) -> dict[str, int]:
        """Speaker label -> number of turns, in order of first appearance."""
        counts: dict[str, int] = {}
        for turn in self.turns:
            if turn.speaker:
                counts[turn.speaker] = counts.get(turn.speaker, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "source_format": self.source_format,
            "text": self.text,
            "turns": [
                [t.speaker, t.start, t.end, t.timestamp_start_ms, t.timestamp_end_ms]
                for t in self.turns
            ],
            "encoding": self.encoding,
            "warnings": self.warnings,
            "table": asdict(self.table) if self.table else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedDocument:
        table = data.get("table")
        return cls(
            source_format=data["source_format"],
            text=data["text"],
            turns=[ParsedTurn(*row) for row in data["turns"]],
            encoding=data.get("encoding", ""),
            warnings=list(data.get("warnings", [])),
            table=SurveyTable(**table) if table else None,
        )


_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")


def canonical_text(raw: str) -> str:
    """NFC, ``\\n`` line endings, no BOM, no trailing spaces, at most one blank line in a row."""
    text = raw.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x0c", "\n\n")
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("\n", text + "\n")
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


def extension_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def _parsers() -> dict[str, Any]:
    from . import docx, odt, pdf, rtf, survey, text, vtt

    return {
        "txt": text.parse,
        "md": text.parse,
        "text": text.parse,
        "docx": docx.parse,
        "vtt": vtt.parse_vtt,
        "srt": vtt.parse_srt,
        "pdf": pdf.parse,
        "rtf": rtf.parse,
        "odt": odt.parse,
        "csv": survey.parse_csv,
        "xlsx": survey.parse_xlsx,
    }


SUPPORTED_EXTENSIONS = (
    "txt",
    "md",
    "docx",
    "vtt",
    "srt",
    "pdf",
    "rtf",
    "odt",
    "csv",
    "xlsx",
    "zip",
)
SURVEY_EXTENSIONS = ("csv", "xlsx")


def parse_file(name: str, data: bytes) -> ParsedDocument:
    """Parse one file (not a zip: see ``archive.py``). Raises ``ImportFailure`` naming it."""
    ext = extension_of(name)
    parser = _parsers().get(ext)
    if parser is None:
        supported = ", ".join(f".{e}" for e in SUPPORTED_EXTENSIONS)
        kind = f".{ext}" if ext else "(no extension)"
        raise ImportFailure(f"{name}: unsupported file type {kind}. Supported: {supported}.")
    if not data or not data.strip():
        raise ImportFailure(f"{name}: the file is empty.")
    try:
        document = parser(data)
    except ImportFailure as exc:
        raise ImportFailure(f"{name}: {exc}") from None
    if document.table is None and not document.text.strip():
        raise ImportFailure(f"{name}: the file contains no text to import.")
    return document
