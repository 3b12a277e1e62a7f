"""Word (.docx) via python-docx: body paragraphs and table rows, in document order."""

from __future__ import annotations

import io
import zipfile

from .base import ImportFailure, ParsedDocument
from .text import document_from_text


def parse(data: bytes) -> ParsedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFailure(f"not a readable Word document (corrupt or not .docx): {exc}") from None
    except Exception as exc:  # lxml errors inside a damaged package
        raise ImportFailure(f"not a readable Word document: {type(exc).__name__}") from None
    _refuse_entities(document.element)
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            blocks.append(block.text)
        elif isinstance(block, Table):
            blocks.extend(_table_rows(block))
    return document_from_text("\n\n".join(blocks), source_format="docx")


def _refuse_entities(root) -> None:
    """Word never writes DTD entities, and the parser leaves them unexpanded: the text after one
    would be dropped without a word. Refuse the file instead, naming the entity."""
    from lxml import etree

    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        raise ImportFailure(
            f"the document uses an XML entity ({entity.text}) that cannot be read, and the text "
            "after it would be lost; open it in Word and save it again as .docx"
        )


def _table_rows(table) -> list[str]:
    """Transcription services often export ``Speaker | Time | Text`` tables: a row becomes
    ``Speaker (Time): Text`` so the usual conventions apply."""
    rows = []
    for row in table.rows:
        cells = [cell.text.strip() for cell in row.cells]
        cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
        if len(cells) >= 3 and ":" in cells[1] and len(cells[1]) <= 12:
            rows.append(f"{cells[0]} ({cells[1]}): {' '.join(cells[2:])}")
        elif len(cells) >= 2 and len(cells[0]) <= 40:
            rows.append(f"{cells[0]}: {' '.join(cells[1:])}")
        elif cells:
            rows.append(" ".join(cells))
    return rows
