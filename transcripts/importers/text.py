"""Plain text (.txt) and Markdown (.md): decode, canonicalise, detect speaker turns."""

from __future__ import annotations

from .base import ImportFailure, ParsedDocument, canonical_text
from .speakers import detect_turns

ENCODINGS = (("utf-8-sig", "UTF-8 with BOM"), ("utf-8", "UTF-8"), ("cp1252", "Windows-1252"))
NAMES = {
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
    "iso8859_2": "ISO-8859-2 (Central European)",
    "utf_16_le": "UTF-16 little-endian, without a byte-order mark",
    "utf_16_be": "UTF-16 big-endian, without a byte-order mark",
}
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """A byte-order mark decides; else strict UTF-8; else UTF-16 without a mark (told by its
    zero bytes); else charset-normalizer's best guess, preferring Windows-1252 when it fits as
    well (English text with a few accents reads the same in several code pages, and
    Windows-1252 is what Word and Excel write in the UK). The warning names the encoding
    chosen, so a wrong guess is seen in the review."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, []
            except UnicodeDecodeError:
                raise ImportFailure(
                    f"the text starts as {codec} but is not valid {codec}."
                ) from None
    if b"\x00" in data[:4096]:  # valid UTF-8 may hold NULs; text does not
        return _utf16_without_bom(data)
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    guessed = _guess(data)
    if guessed is None:
        raise ImportFailure(
            "could not decode the text: it is not UTF-8, and no other encoding fits. "
            "Save it as UTF-8 and upload it again."
        )
    name = NAMES.get(guessed, guessed)
    return data.decode(guessed), guessed, [f"Not valid UTF-8: decoded as {name} ({guessed})."]


def _utf16_without_bom(data: bytes) -> tuple[str, str, list[str]]:
    """Text in UTF-16 has a zero byte beside nearly every Latin letter, all on one side."""
    sample = data[: 4096 - 4096 % 2]
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    pairs = max(len(sample) // 2, 1)
    codec = "utf_16_be" if even_zeros > odd_zeros else "utf_16_le"
    one_sided = max(even_zeros, odd_zeros) >= pairs * 0.3 >= min(even_zeros, odd_zeros) * 6
    try:
        text = data.decode(codec) if one_sided and len(sample) >= 8 else ""
    except UnicodeDecodeError:
        text = ""
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    if not text or printable < len(text) * 0.95:
        raise ImportFailure("this looks like a binary file, not text.")
    return text, codec, [f"Decoded as {NAMES[codec]} ({codec})."]


def _guess(data: bytes) -> str | None:
    """Windows-1252 when it reads as well as charset-normalizer's best guess; else that guess,
    when it recognised a language in the result; else None."""
    from charset_normalizer import from_bytes

    try:
        data.decode("cp1252")
        western_ok = True
    except UnicodeDecodeError:
        western_ok = False
    matches = list(from_bytes(data))
    if not matches:
        return "cp1252" if western_ok else None
    best = matches[0]
    for match in matches:
        tied = match.chaos <= best.chaos + 0.005 and match.coherence >= best.coherence - 0.05
        if tied and western_ok and "cp1252" in (match.encoding, *match.could_be_from_charset):
            return "cp1252"
    return best.encoding if best.coherence > 0 else None


def document_from_text(raw: str, *, source_format: str, encoding: str = "") -> ParsedDocument:
    text = canonical_text(raw)
    turns, warnings = detect_turns(text)
    return ParsedDocument(
        source_format=source_format, text=text, turns=turns, encoding=encoding, warnings=warnings
    )


def parse(data: bytes) -> ParsedDocument:
    raw, encoding, warnings = decode(data)
    document = document_from_text(raw, source_format="text", encoding=encoding)
    document.warnings[:0] = warnings
    return document
