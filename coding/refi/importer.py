"""Read a REFI-QDA project into a plan (no database), checking everything first, so that a bad
file is refused before anything is written. ``coding.refi.services`` writes the plan."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from .archive import QdpxArchive
from .text import OffsetMap, canonical_text
from .xml import PROJECT_NS, RefiError, q, schema_errors, xml_parse

LABELLED = re.compile(r"\n\n(Inclusion criteria|Exclusion criteria|Example quote): ")
LABEL_FIELDS = {
    "Inclusion criteria": "inclusion",
    "Exclusion criteria": "exclusion",
    "Example quote": "example",
}
VALUE_TAGS = (
    *("TextValue", "BooleanValue", "IntegerValue"),
    *("FloatValue", "DateValue", "DateTimeValue"),
)
MEDIA = {
    "PictureSource": "picture",
    "AudioSource": "audio",
    "VideoSource": "video",
}


def guid_norm(value: str | None) -> str:
    """GUIDs compare as UUIDs: case and braces do not matter."""
    return str(uuid.UUID(value.strip().strip("{}"))) if value else ""


def description_split(description: str) -> dict[str, str]:
    """Our code description (definition, then labelled criteria) back into fields; a foreign
    description is all definition."""
    text = "\n" + "\n" + description.strip()
    pieces = LABELLED.split(text)
    fields = {"definition": pieces[0].strip()}
    for label, value in zip(pieces[1::2], pieces[2::2], strict=True):
        fields[LABEL_FIELDS[label]] = value.strip()
    return fields


@dataclass
class NotePlan:
    """A REFI-QDA note that becomes a memo: about the project (loose, or referenced by the
    project), a transcript (referenced by its source) or a code (referenced by the code)."""

    guid: str
    name: str
    text: str
    user_guid: str = ""
    created: str = ""


@dataclass
class CodePlan:
    guid: str
    name: str
    fields: dict[str, str]
    colour: str
    children: list[CodePlan] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)  # GUIDs of notes on the code


@dataclass
class CodingPlan:
    guid: str
    selection_guid: str
    code_guid: str
    user_guid: str
    start: int
    end: int
    memo: str
    created: str | None
    note_guid: str = ""  # the coding's first note, kept so a re-export names it the same


@dataclass
class SourcePlan:
    guid: str
    name: str
    text: str
    description: str
    variables: dict[str, str]
    codings: list[CodingPlan] = field(default_factory=list)
    notes: list[NotePlan] = field(default_factory=list)  # become the transcript's memos
    user_guid: str = ""
    moved: int = 0
    _flat: str = ""

    def flat_text(self) -> str:
        """The text with runs of white space as one space, for finding quotes."""
        if not self._flat:
            self._flat = " ".join(self.text.split())
        return self._flat


def _quote_name(name: str | None) -> str:
    """A selection name that quotes its text (ATLAS.ti writes the start of the quote), without
    a trailing ellipsis; empty for labels such as ``Quotation 6:1`` or ``line:6``."""
    if not name:
        return ""
    quote = " ".join(name.split()).removesuffix("…").removesuffix("...").strip()
    return quote if len(quote) >= 12 and " " in quote else ""


@dataclass
class CasePlan:
    guid: str
    name: str
    description: str
    values: dict[str, str]
    source_refs: list[str] = field(default_factory=list)  # the sources the case is linked to


@dataclass
class ProjectPlan:
    name: str
    description: str
    creating_user: str
    users: dict[str, dict[str, str]]
    codes: list[CodePlan]
    variables: dict[str, dict[str, str]]
    cases: list[CasePlan]
    sources: list[SourcePlan]
    loose_notes: list[NotePlan]  # on the project as a whole
    not_imported: list[str]
    adjusted: list[str]
    code_notes: list[NotePlan] = field(default_factory=list)  # referred to by codes

    def code_count(self) -> int:
        def count(nodes: list[CodePlan]) -> int:
            return sum(1 + count(node.children) for node in nodes)

        return count(self.codes)


def _t(element: Any) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _kids(element: Any, tag: str) -> list[Any]:
    return element.findall(q(tag))


def _child_text(element: Any, tag: str) -> str:
    child = element.find(q(tag))
    return (child.text or "") if child is not None else ""


def _colour(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    return value if re.fullmatch(r"#[0-9a-f]{6}", value) else ""


def _decode(data: bytes, *, what: str, notes: list[str]) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")  # a BOM stays, and canonical_text strips it
    except UnicodeDecodeError:
        notes.append(f"{what} is not UTF-8; it was read as Windows-1252.")
        return data.decode("cp1252", errors="replace")


USER_ATTRIBUTES = ("creatingUser", "modifyingUser", "creatingUserGUID")


def _undeclared_users(root: Any, declared: set[str]) -> list[str]:
    """User GUIDs that elements name as their creator or modifier but that no ``<User>``
    declares. The schema allows this and QualCoder writes it; each becomes its own coder."""
    found: dict[str, None] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in USER_ATTRIBUTES:
            guid = guid_norm(element.get(attribute))
            if guid and guid not in declared:
                found.setdefault(guid)
    return list(found)


def _check_guids(root: Any) -> None:
    """Duplicate GUIDs among the things we import, and references to GUIDs that do not exist."""
    seen: dict[str, str] = {}
    defined: dict[str, set[str]] = {"Code": set(), "Note": set(), "Variable": set(), "User": set()}
    kinds = ("User", "Code", "Variable", "Case", "Note", "PlainTextSelection", "Coding")
    sources = root.find(q("Sources"))
    elements = [e for kind in kinds for e in root.iter(q(kind))]
    if sources is not None:
        elements += list(sources)
        elements += [r for r in sources.iter(q("Representation")) if r.get("plainTextPath")]
    for element in elements:
        kind, raw = _t(element), element.get("guid")
        guid = guid_norm(raw)
        label = f"{kind} {element.get('name') or raw}"
        if guid in seen:
            raise RefiError(f"project.qde: the GUID {raw} is used twice ({seen[guid]}, {label}).")
        seen[guid] = label
        if kind in defined:
            defined[kind].add(guid)
    checks = (("CodeRef", "Code"), ("NoteRef", "Note"), ("VariableRef", "Variable"))
    for ref_tag, kind in checks:
        for ref in root.iter(q(ref_tag)):
            if guid_norm(ref.get("targetGUID")) not in defined[kind]:
                parent = ref.getparent()
                raise RefiError(
                    f"project.qde line {ref.sourceline}: {ref_tag} points at "
                    f"{ref.get('targetGUID')}, but there is no {kind} with that GUID "
                    f"(in {_t(parent)} {parent.get('name') or parent.get('guid')})."
                )


def _parse_codes(parent: Any, plan_notes: list[str]) -> list[CodePlan]:
    codes = []
    for element in _kids(parent, "Code"):
        name = " ".join((element.get("name") or "").split()) or "Unnamed code"
        if element.get("isCodable") in ("false", "0"):
            plan_notes.append(f"Code {name!r} is marked not codable; it was imported as a code.")
        codes.append(
            CodePlan(
                guid=guid_norm(element.get("guid")),
                name=name,
                fields=description_split(_child_text(element, "Description")),
                colour=_colour(element.get("color")),
                children=_parse_codes(element, plan_notes),
                note_refs=[guid_norm(ref.get("targetGUID")) for ref in _kids(element, "NoteRef")],
            )
        )
    return codes


def project_plan(data: bytes, *, filename: str) -> ProjectPlan:
    """Check a ``.qdpx`` and turn it into a plan. Raises ``RefiError`` with the first problem."""
    archive = QdpxArchive(data, filename=filename)
    entry = archive.project_entry()
    root = xml_parse(archive.read(entry), filename=entry)
    if root.tag != q("Project"):
        raise RefiError(f"{entry} is not a REFI-QDA project (its root is {root.tag!r}).")
    errors = schema_errors(root)
    if errors:
        shown = "; ".join(errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise RefiError(f"{entry} does not follow the REFI-QDA project schema: {shown}{more}.")
    _check_guids(root)
    not_imported: list[str] = []
    adjusted: list[str] = []
    users = _plan_users(root, adjusted)
    codebook = root.find(q("CodeBook"))
    codes = _parse_codes(codebook.find(q("Codes")), adjusted) if codebook is not None else []
    variables = {
        guid_norm(v.get("guid")): {"name": v.get("name") or "", "type": v.get("typeOfVariable")}
        for v in root.iter(q("Variable"))
    }
    notes = _plan_notes(root, archive, adjusted)
    cases = _plan_cases(root, not_imported)
    sources = _plan_sources(root, archive, notes, not_imported, adjusted)
    for tag, what in (("Links", "link"), ("Sets", "set"), ("Graphs", "graph")):
        element = root.find(q(tag))
        if element is not None and len(element):
            not_imported.append(f"{len(element)} {what}(s) are not imported.")
    consumed = _consumed_notes(root)
    loose = [_note_plan(guid, note) for guid, note in notes.items() if guid not in consumed]
    on_codes = {guid for guid in _code_note_refs(codes) if guid in notes}
    return ProjectPlan(
        name=(root.get("name") or "").strip() or "Imported project",
        description=_child_text(root, "Description").strip(),
        creating_user=guid_norm(root.get("creatingUserGUID")),
        users=users,
        codes=codes,
        variables=variables,
        cases=cases,
        sources=sources,
        loose_notes=loose,
        code_notes=[_note_plan(guid, notes[guid]) for guid in sorted(on_codes)],
        not_imported=not_imported,
        adjusted=adjusted,
    )


def _plan_users(root: Any, adjusted: list[str]) -> dict[str, dict[str, str]]:
    """The file's Users, and a coder for every creator GUID that no User declares."""
    users = {
        guid_norm(u.get("guid")): {"name": u.get("name") or "", "id": u.get("id") or ""}
        for u in root.iter(q("User"))
    }
    undeclared = _undeclared_users(root, set(users))
    for guid in undeclared:
        users[guid] = {"name": f"Undeclared user {guid[:8]}", "id": ""}
    if undeclared:
        adjusted.append(
            f"{len(undeclared)} user GUID(s) are named as creators but not declared as Users: "
            'their codings are kept under a coder of their own ("Undeclared user …").'
        )
    return users


def _plan_notes(root: Any, archive: QdpxArchive, adjusted: list[str]) -> dict[str, dict[str, str]]:
    notes: dict[str, dict[str, str]] = {}
    for note in root.iter(q("Note")):
        text = _child_text(note, "PlainTextContent")
        if not text and note.get("plainTextPath"):
            found = archive.find(note.get("plainTextPath"))
            if found:
                text = _decode(archive.read(found), what=f"Note {note.get('name')}", notes=adjusted)
        text = canonical_text(text)[0].strip() or _child_text(note, "Description").strip()
        notes[guid_norm(note.get("guid"))] = {
            "name": note.get("name") or "Note",
            "text": text,
            "user": guid_norm(note.get("creatingUser") or ""),
            "created": note.get("creationDateTime") or "",
        }
    return notes


def _code_note_refs(codes: list[CodePlan]) -> list[str]:
    return [ref for code in codes for ref in [*code.note_refs, *_code_note_refs(code.children)]]


def _note_plan(guid: str, note: dict[str, str]) -> NotePlan:
    return NotePlan(guid=guid, name=" ".join(note["name"].split())[:200] or "Note",
                    text=note["text"], user_guid=note.get("user", ""),
                    created=note.get("created", ""))  # fmt: skip


def _plan_cases(root: Any, not_imported: list[str]) -> list[CasePlan]:
    cases = []
    linked = 0
    for case in root.iter(q("Case")):
        linked += 1 if _kids(case, "SelectionRef") or _kids(case, "CodeRef") else 0
        cases.append(
            CasePlan(
                guid=guid_norm(case.get("guid")),
                name=(case.get("name") or "").strip(),
                description=_child_text(case, "Description").strip(),
                values=_values(case),
                source_refs=[guid_norm(r.get("targetGUID")) for r in _kids(case, "SourceRef")],
            )
        )
    if linked:
        not_imported.append(
            f"{linked} case(s) link to selections or codes: those links are not imported "
            "(participants are linked to transcripts through their speaker turns)."
        )
    return cases


def _plan_sources(
    root: Any,
    archive: QdpxArchive,
    notes: dict[str, dict[str, str]],
    not_imported: list[str],
    adjusted: list[str],
) -> list[SourcePlan]:
    """Text sources, and the text representation of PDFs; other media are reported."""
    sources: list[SourcePlan] = []
    sources_el = root.find(q("Sources"))
    for source in list(sources_el) if sources_el is not None else []:
        kind = _t(source)
        name = source.get("name") or _stem(source.get("plainTextPath")) or source.get("guid")
        planned = None
        if kind == "TextSource":
            planned = _text_source(source, name, archive, notes, not_imported, adjusted)
        elif kind == "PDFSource":
            planned = _pdf_source(source, name, archive, notes, not_imported, adjusted)
        else:
            not_imported.append(_media_not_imported(source, kind, name))
        if planned:
            sources.append(planned)
    return sources


def _pdf_source(
    source: Any,
    name: str,
    archive: QdpxArchive,
    notes: dict[str, dict[str, str]],
    not_imported: list[str],
    adjusted: list[str],
) -> SourcePlan | None:
    areas = _kids(source, "PDFSelection")
    if areas:
        count = sum(len(_kids(a, "Coding")) for a in areas)
        not_imported.append(
            f"PDF {name!r}: {len(areas)} area selection(s) with {count} coding(s) are "
            "not imported (only its plain-text representation is)."
        )
    representation = source.find(q("Representation"))
    if representation is None:
        not_imported.append(f"PDF {name!r} has no plain-text representation: skipped.")
        return None
    return _text_source(representation, name, archive, notes, not_imported, adjusted, owner=source)


def _media_not_imported(source: Any, kind: str, name: str) -> str:
    media = MEDIA.get(kind, kind)
    selections = [e for e in source if _t(e).endswith("Selection")]
    codings = sum(len(_kids(s, "Coding")) for s in selections) + len(_kids(source, "Coding"))
    transcripts = len(_kids(source, "Transcript"))
    extra = f", {transcripts} transcript(s)" if transcripts else ""
    return (
        f"{media.capitalize()} {name!r}: {media} sources are not imported "
        f"({len(selections)} selection(s), {codings} coding(s){extra})."
    )


def _stem(path: str | None) -> str:
    if not path:
        return ""
    return path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _consumed_notes(root: Any) -> set[str]:
    """Notes that become coding memos, transcript memos or code memos."""
    consumed: set[str] = set()
    for tag in ("PlainTextSelection", "Coding", "TextSource", "Representation", "Code"):
        for element in root.iter(q(tag)):
            parent = element.getparent()
            if (
                tag == "Coding"
                and _t(parent) != "PlainTextSelection"
                and _t(parent)
                not in (
                    "TextSource",
                    "Representation",
                )
            ):
                continue
            for ref in element.findall(q("NoteRef")):
                consumed.add(guid_norm(ref.get("targetGUID")))
    return consumed


def _values(element: Any) -> dict[str, str]:
    values = {}
    for value in _kids(element, "VariableValue"):
        ref = value.find(q("VariableRef"))
        for tag in VALUE_TAGS:
            found = value.find(q(tag))
            if found is not None:
                values[guid_norm(ref.get("targetGUID"))] = (found.text or "").strip()
                break
    return values


def _note_plans(element: Any, notes: dict[str, dict[str, str]]) -> list[NotePlan]:
    return [
        _note_plan(guid_norm(ref.get("targetGUID")), notes[guid_norm(ref.get("targetGUID"))])
        for ref in _kids(element, "NoteRef")
    ]


def _note_texts(element: Any, notes: dict[str, dict[str, str]]) -> list[str]:
    return [
        notes[guid_norm(ref.get("targetGUID"))]["text"]
        for ref in _kids(element, "NoteRef")
        if notes[guid_norm(ref.get("targetGUID"))]["text"]
    ]


def _text_source(
    source: Any,
    name: str,
    archive: QdpxArchive,
    notes: dict[str, dict[str, str]],
    not_imported: list[str],
    adjusted: list[str],
    owner: Any = None,
) -> SourcePlan | None:
    owner = owner if owner is not None else source
    selections = _kids(source, "PlainTextSelection")
    whole = _kids(source, "Coding")
    codings_in_file = sum(len(_kids(s, "Coding")) for s in selections) + len(whole)
    lost = f" with its {codings_in_file} coding(s)" if codings_in_file else ""
    raw = _source_raw_text(source, name, archive, adjusted)
    if raw is None:
        path = source.get("plainTextPath") or source.get("richTextPath") or "no path"
        not_imported.append(
            f"Source {name!r}: its text ({path}) is not in the archive: skipped{lost}."
        )
        return None
    text, offsets = canonical_text(raw)
    original_length = len(raw[1:] if raw.startswith("\ufeff") else raw)
    if not text.strip():
        not_imported.append(f"Source {name!r} has no text: skipped{lost}.")
        return None
    plan = SourcePlan(
        guid=guid_norm(source.get("guid")),
        name=" ".join(name.split())[:200] or "Source",
        text=text,
        description=_child_text(owner, "Description").strip(),
        variables=_values(owner),
        notes=_note_plans(owner, notes),
        user_guid=guid_norm(source.get("creatingUser") or owner.get("creatingUser")),
    )
    for selection in selections:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        label = f"Selection {selection.get('name') or selection.get('guid')!r} in {name!r}"
        if start < 0 or end > original_length or end < start:
            raise RefiError(
                f"project.qde line {selection.sourceline}: {label} runs {start}-{end}, outside "
                f"the text (0-{original_length})."
            )
        memo_parts = [_child_text(selection, "Description").strip()]
        memo_parts += _note_texts(selection, notes)
        _plan_codings(
            plan, selection, _kids(selection, "Coding"), start, end, offsets, raw,
            memo_parts, label, notes, not_imported, adjusted,
        )  # fmt: skip
    _report_selections(plan, name, selections, not_imported, adjusted)
    if whole:
        _plan_codings(
            plan, source, whole, 0, original_length, offsets, raw, [], f"Source {name!r}",
            notes, not_imported, adjusted,
        )  # fmt: skip
    return plan


def _source_raw_text(
    source: Any, name: str, archive: QdpxArchive, adjusted: list[str]
) -> str | None:
    """The source's text as in the file (inline, or its file in the archive), or None."""
    if source.find(q("PlainTextContent")) is not None:
        return _child_text(source, "PlainTextContent")
    if source.get("plainTextPath"):
        found = archive.find(source.get("plainTextPath"))
        if found is not None:
            return _decode(archive.read(found), what=f"Source {name!r}", notes=adjusted)
    return None


def _report_selections(
    plan: SourcePlan,
    name: str,
    selections: list[Any],
    not_imported: list[str],
    adjusted: list[str],
) -> None:
    if plan.moved:
        adjusted.append(
            f"Source {name!r}: {plan.moved} selection(s) got new offsets after normalising the "
            "text (NFC, \\n line endings); the coded words are the same."
        )
    bare = [s for s in selections if not _kids(s, "Coding")]
    if bare:
        not_imported.append(
            f"Source {name!r}: {len(bare)} selection(s) without codes are not imported."
        )


def _plan_codings(
    plan: SourcePlan,
    selection: Any,
    codings: list[Any],
    start: int,
    end: int,
    offsets: OffsetMap,
    raw: str,
    memo_parts: list[str],
    label: str,
    notes: dict[str, dict[str, str]],
    not_imported: list[str],
    adjusted: list[str],
) -> None:
    if not codings:
        return
    plan_source = selection if _t(selection) in ("TextSource", "Representation") else None
    new_start, new_end = offsets.start(start), offsets.end(end)
    text = plan.text[new_start:new_end]
    if not text.strip():
        not_imported.append(f"{label} is empty or only white space: its codings are skipped.")
        return
    body = raw[1:] if raw.startswith("\ufeff") else raw
    expected = canonical_text(body[start:end])[0]
    if expected != text:
        adjusted.append(
            f"{label} split a character that normalisation joined; it now covers "
            f"{new_start}-{new_end} of the normalised text."
        )
    elif (new_start, new_end) != (start, end):
        plan.moved += 1
    quote = _quote_name(selection.get("name"))
    if quote and " ".join(text.split())[: len(quote)] != quote and quote in plan.flat_text():
        adjusted.append(
            f"{label}: the text at {start}-{end} does not begin with the selection's name, "
            "which appears elsewhere in the source: the file's offsets may count differently. "
            "Check this coding."
        )
    for coding in codings:
        # The same memo as the selection's description and as a note (as we and others write
        # it, for QualCoder's sake) is one memo.
        parts = [canonical_text(p)[0].strip() for p in memo_parts + _note_texts(coding, notes)]
        memo = list(dict.fromkeys(p for p in parts if p))
        plan.codings.append(
            CodingPlan(
                guid=guid_norm(coding.get("guid")),
                # a coding of a whole source has no selection of its own
                selection_guid="" if selection is plan_source else guid_norm(selection.get("guid")),
                code_guid=guid_norm(coding.find(q("CodeRef")).get("targetGUID")),
                user_guid=guid_norm(
                    coding.get("creatingUser")
                    or selection.get("creatingUser")
                    or plan.user_guid
                    or ""
                ),
                start=new_start,
                end=new_end,
                memo="\n\n".join(memo),
                created=coding.get("creationDateTime") or selection.get("creationDateTime"),
                note_guid=next(
                    (guid_norm(ref.get("targetGUID")) for ref in _kids(coding, "NoteRef")), ""
                ),
            )
        )


__all__ = ["PROJECT_NS", "ProjectPlan", "description_split", "project_plan"]
