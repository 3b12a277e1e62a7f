"""Safe XML parsing and validation against the REFI-QDA schemas shipped in ``schemas/``.

Files come from other people's machines: no DTDs, no entity expansion, no network access."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "schemas"
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_XSD = SCHEMAS / "Project-mrt2019.xsd"
CODEBOOK_XSD = SCHEMAS / "Codebook-mrt2019.xsd"


class RefiError(Exception):
    """A problem with an exchange file, written for the analyst."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def xml_parse(data: bytes, *, filename: str) -> etree._Element:
    """Parse ``data``; refuse DTDs and entity declarations (billion laughs, external entities)."""
    try:
        tree = etree.fromstring(data, parser=_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise RefiError(f"{filename} is not well-formed XML: {exc}.") from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise RefiError(f"{filename} declares a DTD, which exchange files must not do.")
    return tree.getroot()


@lru_cache(maxsize=2)
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), parser=_parser()))


def schema_errors(root: etree._Element, *, codebook: bool = False) -> list[str]:
    """Schema violations as ``line N: message`` (empty when valid)."""
    schema = _schema(CODEBOOK_XSD if codebook else PROJECT_XSD)
    if schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def q(tag: str, ns: str = PROJECT_NS) -> str:
    return f"{{{ns}}}{tag}"
