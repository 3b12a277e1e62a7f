"""Write a project as a REFI-QDA project (``.qdpx``) or its framework as a codebook (``.qdc``).

Offsets need no translation: ours are already code points, end exclusive, on the text written to
``sources/<guid>.txt`` (DESIGN.md)."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC as datetime_utc
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from lxml import etree

from transcripts.models import (
    Attribute,
    AttributeValue,
    GroupAttribute,
    GroupAttributeValue,
    Participant,
    Project,
    Transcript,
)

from ..models import Code, Coding, Memo
from ..selectors.codes import code_tree
from ..selectors.team import codings_visible
from .guids import AGREED_USER_ID, AGREED_USER_KEY, AGREED_USER_NAME, Guids
from .xml import CODEBOOK_NS, PROJECT_NS, RefiError

ORIGIN = "Focus groups (REFI-QDA 1.0)"
RGB = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
# Transcript (group) metadata travels as variables of the text sources.
GROUP_VARIABLES = (
    ("name", "Group name", "Text"),
    ("site", "Site", "Text"),
    ("date", "Date", "Date"),
    ("facilitator", "Facilitator", "Text"),
    ("description", "Group description", "Text"),
    ("kind", "Transcript kind", "Text"),
)
CRITERIA = (
    ("inclusion", "Inclusion criteria"),
    ("exclusion", "Exclusion criteria"),
    ("example", "Example quote"),
)


GROUP_FIELD_INDEX = {field: index for index, (field, _label, _kind) in enumerate(GROUP_VARIABLES)}


def exchange_warnings(*, project: Project) -> list[str]:
    """What another program would lose from this project's export, said before it is lost.
    QualCoder merges codes that share a name (wherever they are in the tree), and the codings
    of all but one then have no code."""
    by_name: dict[str, list[str]] = defaultdict(list)
    codes = {code.pk: code for code in Code.objects.filter(project=project).only("name", "parent")}
    for code in codes.values():
        parent = codes.get(code.parent_id) if code.parent_id else None
        where = f"under {parent.name!r}" if parent else "at the top"
        by_name[code.name.strip().casefold()].append(f"{code.name!r} {where}")
    return [
        f"QualCoder merges codes with the same name: {', '.join(sorted(places))}. Rename all "
        "but one before exporting to QualCoder, or their codings arrive without a code."
        for places in by_name.values()
        if len(places) > 1
    ]


def code_description(code: Code) -> str:
    """The definition, then the criteria and example as labelled paragraphs (one Description
    is all REFI-QDA has; ``coding.refi.importer.description_split`` reads it back)."""
    parts = [code.definition.strip()] if code.definition.strip() else []
    for field, label in CRITERIA:
        value = getattr(code, field).strip()
        if value:
            parts.append(f"{label}: {value}")
    return "\n\n".join(parts)


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime_utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _el(parent: Any, tag: str, ns: str = PROJECT_NS, **attrs: str | None) -> Any:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for name, value in attrs.items():
        if value is not None and value != "":
            element.set(name, value)
    return element


def _text_el(parent: Any, tag: str, text: str, ns: str = PROJECT_NS) -> Any:
    element = _el(parent, tag, ns)
    element.text = _xml_safe(text)
    return element


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most control characters; our canonical texts do not contain them,
    but free-text fields might."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def _codes(
    parent: Any,
    guids: Guids,
    project: Project,
    ns: str,
    note_refs: dict[int, list[str]] | None = None,
) -> None:
    """The code tree; ``note_refs`` are the GUIDs of each code's memos (project files only:
    a codebook has no notes)."""

    def write(into: Any, nodes: Iterable[Any]) -> None:
        for node in nodes:
            code = node.code
            element = _el(
                into,
                "Code",
                ns,
                guid=guids.of("code", code.pk),
                name=_xml_safe(code.name),
                isCodable="true",
                color=code.colour if RGB.match(code.colour or "") else None,
            )
            description = code_description(code)
            if description:
                _text_el(element, "Description", description, ns)
            for note_guid in (note_refs or {}).get(code.pk, ()):
                _el(element, "NoteRef", ns, targetGUID=note_guid)
            write(element, node.children)

    write(parent, code_tree(project=project))


def codebook_qdc_bytes(*, project: Project) -> bytes:
    """The framework as a codebook valid against Codebook-mrt2019.xsd (never an empty Sets).
    The schema needs at least one code: an empty framework raises ``RefiError``."""
    if not Code.objects.filter(project=project).exists():
        raise RefiError("The framework has no codes yet: there is no codebook to export.")
    guids = Guids(project)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", ORIGIN)
    codes = _el(root, "Codes", CODEBOOK_NS)
    _codes(codes, guids, project, CODEBOOK_NS)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _variable_type(attribute: Attribute | GroupAttribute, values: list[str]) -> str:
    if attribute.type == Attribute.Type.DATE and all(_is_date(v) for v in values):
        return "Date"
    if attribute.type == Attribute.Type.NUMBER and values:
        if all(re.fullmatch(r"[+-]?\d+", v.strip()) for v in values):
            return "Integer"
        if all(_is_decimal(v) for v in values):
            return "Float"
    return "Text"


def _is_date(value: str) -> bool:
    try:
        datetime.strptime(value.strip(), "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _is_decimal(value: str) -> bool:
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value.strip()):
        return False
    try:
        Decimal(value.strip())
    except InvalidOperation:
        return False
    return True


def _value(parent: Any, variable_guid: str, kind: str, value: str) -> None:
    element = _el(parent, "VariableValue")
    _el(element, "VariableRef", targetGUID=variable_guid)
    _text_el(element, f"{kind}Value", value.strip() if kind != "Text" else value)


def project_qde_bytes(*, project: Project, viewer: Any = None) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` and the source files (``{guid}.txt`` -> text) of a project. With a
    ``viewer``, only the codings they may see (blind coding hides other coders')."""
    return _QdeWriter(project, viewer).write()


class _QdeWriter:
    """``project.qde`` in the schema's order: users, codebook, variables, cases, sources (each
    with its selections, codings and group variables), notes, description."""

    def __init__(self, project: Project, viewer: Any = None) -> None:
        self.project = project
        self.guids = Guids(project)
        self.root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
        self.transcripts = list(
            Transcript.objects.filter(project=project).order_by("order", "name", "id")
        )
        codings = Coding.objects.filter(transcript__project=project)
        if viewer is not None:
            codings = codings_visible(codings, user=viewer, project=project)
        self.codings = list(
            codings.select_related("code").order_by("transcript_id", "start", "end", "id")
        )
        self.files: dict[str, str] = {}
        self.notes: list[tuple[Coding, str]] = []
        self.memos = list(
            Memo.objects.filter(project=project)
            .select_related("participant")
            .order_by("about", "created_at", "id")
        )
        self.group_attributes = list(GroupAttribute.objects.filter(project=project))
        self.group_values: dict[int, dict[int, str]] = defaultdict(dict)
        for transcript_id, attribute_id, value in GroupAttributeValue.objects.filter(
            transcript__project=project
        ).values_list("transcript_id", "attribute_id", "value"):
            self.group_values[transcript_id][attribute_id] = value
        self.group_types = {
            a.pk: _variable_type(a, [v[a.pk] for v in self.group_values.values() if a.pk in v])
            for a in self.group_attributes
        }
        self.memo_refs: dict[tuple[str, int], list[str]] = defaultdict(list)
        for memo in self.memos:
            target = memo.transcript_id or memo.code_id or memo.participant_id or 0
            self.memo_refs[(memo.about, target)].append(self.guids.of("memo", memo.pk))
        self.known_users: set[int] = set()
        self.selection_guids: set[str] = set()

    def write(self) -> tuple[bytes, dict[str, str]]:
        project, root = self.project, self.root
        root.set("name", _xml_safe(project.name))
        root.set("origin", ORIGIN)
        if project.created_by_id:
            root.set("creatingUserGUID", self.guids.of("user", project.created_by_id))
        root.set("creationDateTime", _when(project.created_at) or "")
        self.users()
        if Code.objects.filter(project=project).exists():
            on_codes = {pk: refs for (about, pk), refs in self.memo_refs.items() if about == "code"}
            codes_el = _el(_el(root, "CodeBook"), "Codes")
            _codes(codes_el, self.guids, project, PROJECT_NS, note_refs=on_codes)
        self.variables_and_cases()
        self.sources()
        self.notes_write()
        if project.description.strip():
            _text_el(root, "Description", project.description)
        for note_guid in self.memo_refs.get(("project", 0), ()):
            _el(root, "NoteRef", targetGUID=note_guid)
        qde = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return qde, self.files

    def user_guid(self, user_id: int | None) -> str | None:
        return self.guids.of("user", user_id) if user_id in self.known_users else None

    def coder_guid(self, coding: Coding) -> str | None:
        """The coding's REFI user: its coder, or the agreed set's user for adjudicated ones."""
        if coding.origin == Coding.Origin.ADJUDICATED:
            return self.guids.of("user", AGREED_USER_KEY)
        return self.user_guid(coding.coder_id)

    def users(self) -> None:
        project = self.project
        user_ids = set(project.memberships.values_list("user_id", flat=True))
        user_ids |= {coding.coder_id for coding in self.codings}
        if project.created_by_id:
            user_ids.add(project.created_by_id)
        users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("username"))
        self.known_users = {user.pk for user in users}
        if not users:
            return
        users_el = _el(self.root, "Users")
        for user in users:
            _el(
                users_el,
                "User",
                guid=self.guids.of("user", user.pk),
                name=_xml_safe(user.get_full_name() or user.get_username()),
                id=_xml_safe(user.get_username()),
            )
        if any(coding.origin == Coding.Origin.ADJUDICATED for coding in self.codings):
            _el(
                users_el,
                "User",
                guid=self.guids.of("user", AGREED_USER_KEY),
                name=AGREED_USER_NAME,
                id=AGREED_USER_ID,
            )

    def variables_and_cases(self) -> None:
        project, guids = self.project, self.guids
        attributes = list(Attribute.objects.filter(project=project).order_by("order", "name", "id"))
        values_by_participant: dict[int, list[AttributeValue]] = defaultdict(list)
        values_by_attribute: dict[int, list[str]] = defaultdict(list)
        for value in AttributeValue.objects.filter(participant__project=project).order_by(
            "attribute__order", "attribute__name", "attribute_id"
        ):
            values_by_participant[value.participant_id].append(value)
            values_by_attribute[value.attribute_id].append(value.value)
        types = {a.pk: _variable_type(a, values_by_attribute[a.pk]) for a in attributes}
        if attributes or self.transcripts:
            variables_el = _el(self.root, "Variables")
            for attribute in attributes:
                _el(
                    variables_el,
                    "Variable",
                    guid=guids.of("attribute", attribute.pk),
                    name=_xml_safe(attribute.name),
                    typeOfVariable=types[attribute.pk],
                )
            if self.transcripts:
                self.group_variables(variables_el)
        self.cases(values_by_participant, types)

    def group_attribute_variables(self, variables_el: Any) -> None:
        """The project's own group attributes, as source variables."""
        for attribute in self.group_attributes:
            element = _el(
                variables_el,
                "Variable",
                guid=self.guids.of("group-attribute", attribute.pk),
                name=_xml_safe(attribute.name),
                typeOfVariable=self.group_types[attribute.pk],
            )
            _text_el(element, "Description", "Group attribute")

    def group_variables(self, variables_el: Any) -> None:
        self.group_attribute_variables(variables_el)
        for field, label, kind in GROUP_VARIABLES:
            element = _el(
                variables_el,
                "Variable",
                guid=self.guids.of("group-variable", field, GROUP_FIELD_INDEX[field]),
                name=label,
                typeOfVariable=kind,
            )
            _text_el(element, "Description", f"Transcript metadata: {field}")

    def cases(
        self, values_by_participant: dict[int, list[AttributeValue]], types: dict[int, str]
    ) -> None:
        participants = list(
            Participant.objects.filter(project=self.project).order_by("label", "id")
        )
        if not participants:
            return
        speaking: dict[int, set[int]] = defaultdict(set)
        for participant_id, transcript_id in (
            Transcript.objects.filter(project=self.project, turns__participant__isnull=False)
            .values_list("turns__participant_id", "id")
            .distinct()
        ):
            speaking[participant_id].add(transcript_id)
        cases_el = _el(self.root, "Cases")
        for participant in participants:
            case = _el(
                cases_el,
                "Case",
                guid=self.guids.of("participant", participant.pk),
                name=_xml_safe(participant.label),
            )
            if participant.notes.strip():
                _text_el(case, "Description", participant.notes)
            for value in values_by_participant[participant.pk]:
                _value(
                    case,
                    self.guids.of("attribute", value.attribute_id),
                    types[value.attribute_id],
                    value.value,
                )
            for transcript_id in sorted(speaking[participant.pk]):
                _el(case, "SourceRef", targetGUID=self.guids.of("transcript", transcript_id))

    def sources(self) -> None:
        if not self.transcripts:
            return
        by_transcript: dict[int, list[Coding]] = defaultdict(list)
        for coding in self.codings:
            by_transcript[coding.transcript_id].append(coding)
        sources_el = _el(self.root, "Sources")
        for transcript in self.transcripts:
            self.source(sources_el, transcript, by_transcript[transcript.pk])

    def source(self, sources_el: Any, transcript: Transcript, codings: list[Coding]) -> None:
        guid = self.guids.of("transcript", transcript.pk)
        self.files[f"{guid}.txt"] = transcript.text
        source = _el(
            sources_el,
            "TextSource",
            guid=guid,
            name=_xml_safe(transcript.name),
            plainTextPath=f"internal://{guid}.txt",
            creatingUser=self.user_guid(transcript.created_by_id),
            creationDateTime=_when(transcript.created_at),
        )
        for coding in codings:
            self.selection(source, coding)
        for note_guid in self.memo_refs.get(("transcript", transcript.pk), ()):
            _el(source, "NoteRef", targetGUID=note_guid)
        for field, _label, kind in GROUP_VARIABLES:
            value = getattr(transcript, field)
            if value in (None, ""):
                continue
            text = value.isoformat() if field == "date" else str(value)
            _value(
                source, self.guids.of("group-variable", field, GROUP_FIELD_INDEX[field]), kind, text
            )
        for attribute_id, value in sorted(self.group_values.get(transcript.pk, {}).items()):
            guid = self.guids.of("group-attribute", attribute_id)
            _value(source, guid, self.group_types[attribute_id], value)

    def selection(self, source: Any, coding: Coding) -> None:
        """One ``PlainTextSelection`` a coding, made by its coder, with the memo as its
        ``Description`` too: QualCoder takes a coding's coder from the selection and its memo
        from the selection's description (it reads no notes), and keeps one coding of a span per
        coder. The memo is also a ``Note`` for the tools that read notes."""
        guids = self.guids
        guid = guids.of("selection", coding.pk)
        if guid in self.selection_guids:  # a file that grouped several codings in one selection
            guid = guids.of("selection", f"coding:{coding.pk}")
        self.selection_guids.add(guid)
        selection = _el(
            source,
            "PlainTextSelection",
            guid=guid,
            name=_xml_safe(_short(coding.text)),
            startPosition=str(coding.start),
            endPosition=str(coding.end),
            creatingUser=self.coder_guid(coding),
            creationDateTime=_when(coding.created_at),
        )
        if coding.memo.strip():
            _text_el(selection, "Description", coding.memo)
        coding_el = _el(
            selection,
            "Coding",
            guid=guids.of("coding", coding.pk),
            creatingUser=self.coder_guid(coding),
            creationDateTime=_when(coding.created_at),
        )
        _el(coding_el, "CodeRef", targetGUID=guids.of("code", coding.code_id))
        if coding.memo.strip():
            note_guid = guids.of("note", coding.pk)
            _el(coding_el, "NoteRef", targetGUID=note_guid)
            self.notes.append((coding, note_guid))

    def notes_write(self) -> None:
        if not self.notes and not self.memos:
            return
        notes_el = _el(self.root, "Notes")
        for memo in self.memos:
            name = memo.title
            if memo.participant_id:  # a case has no notes: the name says whose it is
                name = f"Participant {memo.participant.label}: {memo.title}"  # type: ignore[union-attr]
            note = _el(
                notes_el,
                "Note",
                guid=self.guids.of("memo", memo.pk),
                name=_xml_safe(name),
                creatingUser=self.user_guid(memo.author_id),
                creationDateTime=_when(memo.created_at),
            )
            _text_el(note, "PlainTextContent", memo.text)
        for coding, note_guid in self.notes:
            note = _el(
                notes_el,
                "Note",
                guid=note_guid,
                name=_xml_safe(f"Memo: {coding.code.name}"),
                creatingUser=self.coder_guid(coding),
                creationDateTime=_when(coding.updated_at),
            )
            _text_el(note, "PlainTextContent", coding.memo)


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def project_qdpx_bytes(*, project: Project, viewer: Any = None) -> bytes:
    """The ``.qdpx`` archive: ``project.qde`` plus ``sources/<guid>.txt`` (UTF-8, no BOM)."""
    qde, files = project_qde_bytes(project=project, viewer=viewer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, text in files.items():
            archive.writestr(f"sources/{name}", text.encode("utf-8"))
    return buffer.getvalue()
