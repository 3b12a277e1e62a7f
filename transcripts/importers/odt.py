"""OpenDocument text (.odt) via odfpy: paragraphs and headings in document order."""

from __future__ import annotations

import io

from .base import ImportFailure, ParsedDocument
from .text import document_from_text


def parse(data: bytes) -> ParsedDocument:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises zipfile, KeyError and XML errors alike
        raise ImportFailure(
            f"not a readable OpenDocument text (corrupt or not .odt): {type(exc).__name__}"
        ) from None
    elements = _in_document_order(document.text, {(TEXTNS, "p"), (TEXTNS, "h")})
    blocks = [teletype.extractText(element) for element in elements]
    return document_from_text("\n\n".join(blocks), source_format="odt")


def _in_document_order(root, qnames) -> list:
    found = []

    def walk(node) -> None:
        for child in node.childNodes:
            if getattr(child, "qname", None) in qnames:
                found.append(child)
            elif child.nodeType == child.ELEMENT_NODE:
                walk(child)

    walk(root)
    return found
