"""Framework CSV import and export (columns and rules documented in README, "Framework").

One row per code: ``code,name,parent,definition,inclusion,exclusion,example,colour,order``.
``code`` is the code's stable key; ``parent`` names the parent by key or by name path
(``Theme > Sub-code``). Import is all or nothing: every problem is reported with its row and
column and nothing is written. Existing codes are matched (by key, then by name under the same
parent) and updated; codes missing from the file are left alone, never deleted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from transcripts.models import Project

from ..models import Code
from ..selectors.codes import code_path, code_tree_flat
from .audit import audit_record, snapshot
from .codes import code_create, colour_clean, key_validate

COLUMNS = (
    "code",
    "name",
    "parent",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "order",
)
ALIASES = {
    "key": "code",
    "code_key": "code",
    "color": "colour",
    "description": "definition",
    "parent_code": "parent",
    "inclusion_criteria": "inclusion",
    "exclusion_criteria": "exclusion",
    "example_quote": "example",
    "position": "order",
    # Taguette's codebook CSV (tag, description, number of highlights): a tag is a name, or
    # our "Theme > Sub-code" path when we wrote the file for Taguette.
    "tag": "name",
    "path": "name",
}
PATH_HEADERS = ("tag", "path")
PATH_SEPARATOR = " > "
TEXT_COLUMNS = ("definition", "inclusion", "exclusion", "example")
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 5_000_000
MAX_ROWS = 5_000
MAX_ERRORS = 50


# -- formula neutralisation ------------------------------------------------------------------


def cell_neutralise(value: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (it starts with = + - @ tab
    or CR, possibly after quotes). Reversible: ``cell_restore`` takes exactly one quote off."""
    unquoted = value.lstrip("'")
    if unquoted and unquoted[0] in FORMULA_CHARS:
        return "'" + value
    return value


def cell_restore(value: str) -> str:
    unquoted = value.lstrip("'")
    if value.startswith("'") and unquoted and unquoted[0] in FORMULA_CHARS:
        return value[1:]
    return value


# -- export ----------------------------------------------------------------------------------


def framework_export_csv(*, project: Project, out: TextIO) -> int:
    """Write the framework in tree order; returns the number of codes written."""
    nodes = code_tree_flat(project=project)
    by_id = {node.code.pk: node.code for node in nodes}
    positions: dict[int | None, int] = {}
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for node in nodes:
        code = node.code
        positions[code.parent_id] = positions.get(code.parent_id, 0) + 1
        parent = by_id.get(code.parent_id) if code.parent_id else None
        parent_ref = ""
        if parent is not None:
            parent_ref = parent.key or code_path(code=parent, by_id=by_id)
        row = [
            code.key,
            code.name,
            parent_ref,
            code.definition,
            code.inclusion,
            code.exclusion,
            code.example,
            code.colour,
            str(positions[code.parent_id]),
        ]
        writer.writerow([cell_neutralise(cell) for cell in row])
    return len(nodes)


def framework_csv_text(*, project: Project) -> str:
    out = io.StringIO()
    framework_export_csv(project=project, out=out)
    return out.getvalue()


def framework_taguette_csv_text(*, project: Project) -> str:
    """The framework as Taguette's codebook CSV: ``tag`` (the code's path, ``Theme > Sub-code``,
    as Taguette's tags are flat) and ``description`` (the definition, then the criteria and
    example as labelled paragraphs, read back into their fields when imported here). It
    starts with a byte-order mark: Taguette guesses the encoding, and without one it reads
    UTF-8 as Windows-1252."""
    from ..refi.export import code_description

    nodes = code_tree_flat(project=project)
    by_id = {node.code.pk: node.code for node in nodes}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tag", "description"])
    for node in nodes:
        path = code_path(code=node.code, by_id=by_id)
        writer.writerow([cell_neutralise(path), cell_neutralise(code_description(node.code))])
    return "\ufeff" + out.getvalue()


# -- import ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        codes = "code" if self.created == 1 else "codes"
        return (
            f"{self.created} {codes} created, {self.updated} updated, {self.unchanged} unchanged."
        )


@dataclass
class _Row:
    index: int
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: dict[str, str]
    key: str = ""
    name: str = ""
    colour: str | None = None
    order: int | None = None
    existing: Code | None = None
    parent: tuple[str, int] | None = None  # ("row", index) / ("code", pk); None: top level
    code: Code | None = None


class _Cycle(Exception):
    pass


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError(
            f"{filename}: this looks like a spreadsheet workbook or zip, not CSV. "
            "Save it as 'CSV UTF-8' and import that."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data:
        raise ValidationError(f"{filename}: this is a binary file, not CSV text.")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _is_taguette(header: list[str]) -> bool:
    return bool({cell.strip().lower() for cell in header} & set(PATH_HEADERS))


def _header(raw: list[str], filename: str) -> tuple[list[str | None], list[str]]:
    columns: list[str | None] = []
    ignored: list[str] = []
    accepted = (*COLUMNS, "description") if _is_taguette(raw) else COLUMNS
    for cell in raw:
        name = cell.strip().lower().replace(" ", "_").replace("-", "_")
        if not (name == "description" and "description" in accepted):
            name = ALIASES.get(name, name)  # Taguette's description is split, not aliased
        if name in accepted:
            if name in columns:
                raise ValidationError(f"{filename}: the column {name!r} appears twice.")
            columns.append(name)
        else:
            columns.append(None)
            if cell.strip():
                ignored.append(cell.strip())
    if "name" not in columns:
        raise ValidationError(
            f"{filename}: no 'name' column in the first row. Expected columns: "
            + ",".join(COLUMNS)
            + " (only name is required)."
        )
    return columns, ignored


def _read_rows(text: str, filename: str) -> tuple[list[_Row], list[str], list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ValidationError(f"{filename}: not readable as CSV ({exc}).") from exc
    if not records:
        raise ValidationError(f"{filename}: the file is empty.")
    columns, ignored = _header(records[0], filename)
    present = [c for c in columns if c]
    rows: list[_Row] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(columns) and any(cell.strip() for cell in record[len(columns) :]):
            raise ValidationError(
                f"{filename}, row {number}: more cells than there are columns in the header "
                "(is a comma in a cell missing its quotes?)."
            )
        cells = dict.fromkeys(present, "")
        for column, cell in zip(columns, record, strict=False):
            if column:
                cells[column] = cell_restore(cell)
        rows.append(_Row(index=len(rows), number=number, cells=cells))
        if len(rows) > MAX_ROWS:
            raise ValidationError(f"{filename}: more than {MAX_ROWS} codes; split the file.")
    if not rows:
        raise ValidationError(f"{filename}: there are no codes under the header row.")
    if _is_taguette(records[0]):
        present = _taguette_rows(rows, present)
    return rows, present, ignored


def _taguette_rows(rows: list[_Row], present: list[str]) -> list[str]:
    """A Taguette codebook: a tag ``Theme > Sub-code`` is a sub-code under its theme, and a
    description is split back into definition, criteria and example."""
    from ..refi.importer import description_split

    paths = "parent" not in present and any(PATH_SEPARATOR in r.cells["name"] for r in rows)
    described = "description" in present
    for row in rows:
        if described:
            fields = description_split(row.cells.pop("description"))
            row.cells.update({column: fields.get(column, "") for column in TEXT_COLUMNS})
        if paths:
            parent, _, name = row.cells["name"].rpartition(PATH_SEPARATOR)
            row.cells["name"], row.cells["parent"] = name.strip(), parent.strip()
    present = [column for column in present if column != "description"]
    if described:
        present += [column for column in TEXT_COLUMNS if column not in present]
    if paths:
        present.append("parent")
    return present


class _Importer:
    def __init__(self, *, project: Project, rows: list[_Row], present: list[str]):
        self.project = project
        self.rows = rows
        self.has_parent = "parent" in present
        self.errors: list[str] = []
        self.codes = list(Code.objects.filter(project=project).order_by("order", "name", "id"))
        self.by_pk = {code.pk: code for code in self.codes}
        self.by_key = {code.key: code for code in self.codes if code.key}
        self.paths = {code.pk: code_path(code=code, by_id=self.by_pk) for code in self.codes}
        self.row_by_key: dict[str, _Row] = {}
        self.state: dict[int, str] = {}
        self.path_memo: dict[int, str] = {}

    def error(self, row: _Row, column: str, message: str) -> None:
        self.errors.append(f"Row {row.number}, column {column}: {message}")

    # fields of each row on its own
    def check_cells(self) -> None:
        for row in self.rows:
            cells = row.cells
            row.name = cells["name"].strip()
            if not row.name:
                self.error(row, "name", "a code needs a name.")
            elif len(row.name) > 200:
                self.error(row, "name", "a code name can be at most 200 characters.")
            row.key = cells.get("code", "").strip()
            if row.key:
                try:
                    key_validate(row.key)
                except ValidationError as exc:
                    self.error(row, "code", exc.messages[0])
                if row.key in self.row_by_key:
                    first = self.row_by_key[row.key].number
                    self.error(row, "code", f"the key {row.key!r} is already used in row {first}.")
                else:
                    self.row_by_key[row.key] = row
                    row.existing = self.by_key.get(row.key)
            colour = cells.get("colour", "").strip()
            if colour:
                try:
                    row.colour = colour_clean(colour)
                except ValidationError as exc:
                    self.error(row, "colour", exc.messages[0])
            order = cells.get("order", "").strip()
            if order:
                if order.isdigit() and int(order) < 1_000_000:
                    row.order = int(order)
                else:
                    self.error(row, "order", f"{order!r} is not a whole number (1, 2, 3 ...).")

    # parents
    def node_path(self, target: tuple[str, int] | None) -> str:
        if target is None:
            return ""
        kind, ident = target
        return self.row_path(self.rows[ident]) if kind == "row" else self.paths[ident]

    def row_path(self, row: _Row) -> str:
        if row.index not in self.path_memo:
            parent = self.resolve(row)
            prefix = self.node_path(parent)
            self.path_memo[row.index] = f"{prefix} > {row.name}" if prefix else row.name
        return self.path_memo[row.index]

    def resolve(self, row: _Row) -> tuple[str, int] | None:
        """The row's parent: ("row", index), ("code", pk) or None (top level)."""
        state = self.state.get(row.index)
        if state == "done":
            return row.parent
        if state == "visiting":
            raise _Cycle
        self.state[row.index] = "visiting"
        try:
            row.parent = self.find_parent(row)
        finally:
            self.state[row.index] = "done"
        return row.parent

    def find_parent(self, row: _Row) -> tuple[str, int] | None:
        """The row's parent: ("row", index) for a code in the file, ("code", pk) for one
        already in the project, or None for a top-level code."""
        if not self.has_parent:
            existing = row.existing
            return ("code", existing.parent_id) if existing and existing.parent_id else None
        ref = row.cells["parent"].strip()
        if not ref:
            return None
        if ref in self.row_by_key:
            return ("row", self.row_by_key[ref].index)
        if ref in self.by_key:
            return ("code", self.by_key[ref].pk)
        parts = [part.strip() for part in ref.split(">")]
        found, cycle = self.parent_by_path(row, parts)
        if found is None and len(parts) == 1:
            found = self.parent_by_name(row, ref)
        if found is not None:
            return found
        if cycle:
            raise _Cycle
        raise ValidationError(
            f"unknown parent {ref!r}: it is neither a code key nor the name path of a code "
            "in the file or the project."
        )

    def parent_by_path(self, row: _Row, parts: list[str]) -> tuple[tuple[str, int] | None, bool]:
        """The row or code whose full name path is ``parts``, and whether a cycle was met."""
        wanted = " > ".join(parts).casefold()
        last = parts[-1].casefold()
        cycle = False
        for other in self.rows:
            if other.index == row.index or other.name.casefold() != last:
                continue
            try:
                if self.row_path(other).casefold() == wanted:
                    return ("row", other.index), cycle
            except _Cycle:
                cycle = True
        for code in self.codes:
            if self.paths[code.pk].casefold() == wanted:
                return ("code", code.pk), cycle
        return None, cycle

    def parent_by_name(self, row: _Row, ref: str) -> tuple[str, int] | None:
        """The only row or code named ``ref``; several of them is an error."""
        last = ref.casefold()
        rows = [o for o in self.rows if o.name.casefold() == last and o.index != row.index]
        codes = [c for c in self.codes if c.name.casefold() == last]
        if len(rows) == 1 and not codes:
            return ("row", rows[0].index)
        if len(codes) == 1 and not rows:
            return ("code", codes[0].pk)
        if len(rows) + len(codes) > 1:
            raise ValidationError(
                f"the parent {ref!r} is ambiguous: several codes have that name. "
                "Use its key or its full path (Theme > Sub-code)."
            )
        return None

    def resolve_parents(self) -> None:
        for row in self.rows:
            if not row.name:
                continue
            try:
                self.resolve(row)
            except _Cycle:
                self.error(row, "parent", "the parents given make the tree a cycle.")
            except ValidationError as exc:
                self.error(row, "parent", exc.messages[0])

    # the tree the import would produce
    def node_of_code(self, pk: int) -> tuple[str, int]:
        return self.matched.get(pk, ("code", pk))

    def match_existing(self) -> None:
        """Rows without a known key take the existing code with their name under their parent."""
        self.matched: dict[int, tuple[str, int]] = {
            row.existing.pk: ("row", row.index) for row in self.rows if row.existing
        }
        pending = [row for row in self.rows if row.existing is None and row.name]
        progress = True
        while pending and progress:
            progress = False
            for row in list(pending):
                parent = row.parent
                if parent is not None and parent[0] == "row":
                    parent_row = self.rows[parent[1]]
                    if parent_row in pending:
                        continue  # decide once the parent is decided
                    parent_code = parent_row.existing
                    if parent_code is None:
                        pending.remove(row)  # a new parent has no existing children
                        progress = True
                        continue
                    parent_id: int | None = parent_code.pk
                else:
                    parent_id = parent[1] if parent is not None else None
                pending.remove(row)
                progress = True
                for code in self.codes:
                    if (
                        code.parent_id == parent_id
                        and code.name.casefold() == row.name.casefold()
                        and code.pk not in self.matched
                    ):
                        row.existing = code
                        self.matched[code.pk] = ("row", row.index)
                        break

    def parent_node(self, node: tuple[str, int]) -> tuple[str, int] | None:
        kind, ident = node
        if kind == "row":
            parent = self.rows[ident].parent
            if parent is not None and parent[0] == "code":
                return self.node_of_code(parent[1])
            return parent
        parent_id = self.by_pk[ident].parent_id
        return self.node_of_code(parent_id) if parent_id else None

    def check_tree(self) -> None:
        for row in self.rows:
            if not row.name:
                continue
            seen = {("row", row.index)}
            node = self.parent_node(("row", row.index))
            while node is not None:
                if node in seen:
                    self.error(row, "parent", "the parents given make the tree a cycle.")
                    break
                seen.add(node)
                node = self.parent_node(node)
        siblings: dict[tuple[Any, str], list[tuple[str, int]]] = {}
        nodes = [("row", row.index) for row in self.rows if row.name] + [
            ("code", code.pk) for code in self.codes if code.pk not in self.matched
        ]
        for node in nodes:
            name = self.rows[node[1]].name if node[0] == "row" else self.by_pk[node[1]].name
            siblings.setdefault((self.parent_node(node), name.casefold()), []).append(node)
        for (parent, _), group in siblings.items():
            if len(group) < 2:
                continue
            rows = [self.rows[ident] for kind, ident in group if kind == "row"]
            codes = [self.by_pk[ident] for kind, ident in group if kind == "code"]
            where = f"under {self.node_path(parent)!r}" if parent else "at the top level"
            first = rows[0]
            if codes:
                self.error(
                    first,
                    "name",
                    f"{first.name!r} {where} is already the name of another code in the "
                    f"project (key {codes[0].key!r}).",
                )
            else:
                numbers = ", ".join(str(r.number) for r in rows)
                self.error(first, "name", f"{first.name!r} appears twice {where} (rows {numbers}).")

    # writing
    def apply(self, user: Any, result: ImportResult) -> None:
        """Write rows parents first (a row waits for the row that is its parent)."""
        done: set[int] = set()
        while len(done) < len(self.rows):
            ready = []
            for row in self.rows:
                if row.index in done:
                    continue
                parent = self.parent_node(("row", row.index))
                if parent is None or parent[0] == "code" or parent[1] in done:
                    ready.append(row)
            if not ready:  # cannot happen after check_tree; never loop forever
                raise ValidationError("The parents given make the tree a cycle.")
            for row in ready:
                try:
                    self.apply_row(row, user, result)
                except ValidationError as exc:
                    column = "name"
                    if hasattr(exc, "error_dict"):
                        column = next(iter(exc.error_dict))
                        column = "code" if column == "key" else column
                    self.error(row, column, exc.messages[0])
                    raise ValidationError(self.errors) from exc
                done.add(row.index)

    def parent_code(self, row: _Row) -> Code | None:
        if row.parent is None:
            return None
        kind, ident = row.parent
        if kind == "row":
            return self.rows[ident].code
        node = self.node_of_code(ident)
        return self.rows[node[1]].code if node[0] == "row" else self.by_pk[ident]

    def apply_row(self, row: _Row, user: Any, result: ImportResult) -> None:
        parent = self.parent_code(row)
        cells = row.cells
        if row.existing is None:
            row.code = code_create(
                project=self.project,
                user=user,
                name=row.name,
                parent=parent,
                key=row.key,
                colour=row.colour or "",
                order=row.order,
                action="import",
                **{column: cells.get(column, "") for column in TEXT_COLUMNS},
            )
            result.created += 1
            return
        code = row.code = row.existing
        before = snapshot(code)
        code.name = row.name
        if row.key:
            code.key = row.key
        code.parent = parent
        for column in TEXT_COLUMNS:
            if cells.get(column, "").strip():
                setattr(code, column, cells[column].strip())
        if row.colour:
            code.colour = row.colour
        if row.order is not None:
            code.order = row.order
        elif before["parent"] != (parent.pk if parent else None):
            code.order = Code.objects.filter(project=self.project, parent=parent).count()
        after = snapshot(code)
        if after == before:
            result.unchanged += 1
            return
        code.save()
        audit_record(
            project=self.project,
            user=user,
            action="import_update",
            instance=code,
            before=before,
            after=after,
        )
        result.updated += 1


def framework_import_csv(
    *, project: Project, user: Any, data: bytes, filename: str = "framework.csv"
) -> ImportResult:
    """Import a framework CSV into ``project`` in one transaction. Raises ``ValidationError``
    with one message per problem (naming row and column) and writes nothing if any row is bad."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"{filename}: larger than {MAX_BYTES // 1_000_000} MB.")
    text, encoding = _decode(data, filename)
    rows, present, ignored = _read_rows(text, filename)
    result = ImportResult(encoding=encoding)
    if ignored:
        result.warnings.append("Ignored columns: " + ", ".join(ignored) + ".")
    if encoding == "cp1252":
        result.warnings.append(f"{filename} is not UTF-8; it was read as Windows-1252.")
    importer = _Importer(project=project, rows=rows, present=present)
    importer.check_cells()
    importer.resolve_parents()
    if not importer.errors:
        importer.match_existing()
        importer.check_tree()
    if importer.errors:
        raise ValidationError(_limited(importer.errors, filename))
    try:
        with transaction.atomic():
            importer.apply(user, result)
    except IntegrityError as exc:
        raise ValidationError(
            f"{filename}: the new names clash with each other while being applied (for example "
            "two codes swapping names). Import in two steps."
        ) from exc
    except ValidationError as exc:
        raise ValidationError(_limited(exc.messages, filename)) from exc
    return result


def _limited(errors: list[str], filename: str) -> list[str]:
    messages = [f"{filename}: {message}" for message in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        messages.append(f"... and {len(errors) - MAX_ERRORS} more problems.")
    return messages
