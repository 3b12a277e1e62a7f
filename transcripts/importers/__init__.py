"""Importers: turn an uploaded file into canonical text and speaker turns.

One small module per format; each exposes ``parse(name, data) -> ParsedDocument`` (or, for
survey spreadsheets, ``parse_table``). Everything they return follows DESIGN.md: the text is
Unicode NFC with ``\\n`` line endings and no BOM, and turn offsets count code points from 0,
end exclusive. A file that cannot be imported raises ``ImportFailure`` with a message written
for the analyst; ``parse_file`` prefixes it with the file's name.
"""

from __future__ import annotations

from .base import (
    SUPPORTED_EXTENSIONS,
    ImportFailure,
    ParsedDocument,
    ParsedTurn,
    SurveyTable,
    extension_of,
    parse_file,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ImportFailure",
    "ParsedDocument",
    "ParsedTurn",
    "SurveyTable",
    "extension_of",
    "parse_file",
]
