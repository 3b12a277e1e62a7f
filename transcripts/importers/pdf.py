"""PDF with a text layer via pypdf. A scanned PDF has no text to import."""

from __future__ import annotations

import io
import logging

from .base import ImportFailure, ParsedDocument
from .text import document_from_text


def parse(data: bytes) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportFailure("the PDF is password-protected.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportFailure:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ImportFailure(f"not a readable PDF (corrupt or damaged): {exc}") from None
    if not any(page.strip() for page in pages):
        raise ImportFailure("scanned PDF: no text to import (it has no text layer; run OCR first).")
    return document_from_text("\n\n".join(pages), source_format="pdf")
