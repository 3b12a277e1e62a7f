"""Export a project's theme-quote matrix, framework matrix or report from the command line.

    python manage.py export_matrix "My study" --format csv --out quotes.csv
    python manage.py export_matrix 3 --kind framework --format xlsx --rows "attribute:Age band" \\
        --out matrix.xlsx
    python manage.py export_matrix 3 --kind report --format docx --starred --out report.docx

Filters take names (or ids): ``--code "Safety > Hacking"``, ``--group FG3``,
``--attr "Age band=55-64"``, ``--coder alice``; each may be repeated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from coding.selectors.codes import code_path, code_tree_flat
from themes.exports.forms import ExportForm
from themes.exports.quotes import quotes_csv_chunks
from themes.exports.services import export_write
from transcripts.management.lookup import project_find
from transcripts.models import Attribute, Project

FORMATS = {
    "quotes": ("csv", "xlsx"),
    "framework": ("csv", "xlsx"),
    "report": ("docx", "html"),
}


class Command(BaseCommand):
    help = "Export the theme-quote matrix, the framework matrix or the report of a project."

    def add_arguments(self, parser):
        parser.add_argument("project", help="Project id or exact name.")
        parser.add_argument(
            "--kind",
            choices=sorted(FORMATS),
            default="quotes",
            help="quotes: one row per coded quote (default); framework: cases x themes; "
            "report: starred quotes under each theme.",
        )
        parser.add_argument(
            "--format", required=True, choices=["csv", "xlsx", "docx", "html"], dest="fmt"
        )
        parser.add_argument(
            "--out", required=True, help="File to write; '-' for stdout (csv, html)."
        )
        parser.add_argument(
            "--code",
            action="append",
            default=[],
            help="Theme or code (path, name or id); includes sub-codes.",
        )
        parser.add_argument(
            "--group", action="append", default=[], help="Transcript / group name or id."
        )
        parser.add_argument(
            "--attr",
            action="append",
            default=[],
            help='Participant attribute value, "Age band=55-64".',
        )
        parser.add_argument(
            "--group-attr",
            action="append",
            default=[],
            help='Group attribute value, "Setting=Rural" (values of one attribute: any of them).',
        )
        parser.add_argument("--coder", action="append", default=[], help="Coder's username.")
        parser.add_argument("--starred", action="store_true", help="Starred quotes only.")
        parser.add_argument(
            "--bom", action="store_true", help="Start CSV with a UTF-8 byte-order mark (Excel)."
        )
        parser.add_argument(
            "--rows",
            default="participant",
            help='participant, transcript, "attribute:<name>" or "group_attribute:<name>".',
        )
        parser.add_argument("--columns", default="themes", choices=["themes", "codes"])
        parser.add_argument("--cells", default="quotes", choices=["quotes", "counts"])
        parser.add_argument(
            "--attribution",
            default="group",
            help='group, group_participant, "attribute:<name>" or "group_attribute:<name>".',
        )
        parser.add_argument(
            "--attribution-attr",
            action="append",
            default=[],
            help="A participant attribute whose value follows in each quote's attribution "
            "(repeat for more): --attribution group_participant --attribution-attr Gender "
            '--attribution-attr "Age band" gives (FG3, P2, female 40-59).',
        )
        parser.add_argument(
            "--all-quotes",
            action="store_true",
            help="The report holds every quote, not only starred.",
        )
        parser.add_argument(
            "--summaries",
            action="store_true",
            help="Add the matrix's cell summaries to the report.",
        )
        parser.add_argument(
            "--charts",
            action="store_true",
            help="Add the charts (themes by groups raising them, themes x groups heatmap), "
            "each with its table.",
        )

    def handle(self, *args, **options):
        project = project_find(options["project"])
        kind, fmt = options["kind"], options["fmt"]
        if fmt not in FORMATS[kind]:
            raise CommandError(
                f"--kind {kind} is written as {' or '.join(FORMATS[kind])}, not {fmt}."
            )
        form = ExportForm(form_data(project, options), project=project)
        if not form.is_valid():
            raise CommandError("Invalid filters:\n" + form.error_text())
        export = f"{kind}_{fmt}"
        out = options["out"]
        if out == "-":
            if fmt not in ("csv", "html"):
                raise CommandError(f"{fmt.upper()} cannot be written to stdout; give a file.")
            self.to_stdout(project, export, form)
            return
        path = Path(out)
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        tmp = path.with_name(f".{path.name}.partial")
        try:
            count = export_write(project=project, export=export, form=form, path=tmp)
            tmp.replace(path)  # never leave a half-written file under the real name
        finally:
            tmp.unlink(missing_ok=True)
        self.stderr.write(f"Wrote {path} ({count} quotes).")

    def to_stdout(self, project, export, form) -> None:
        if export == "quotes_csv":
            for chunk in quotes_csv_chunks(
                project, form.export_filters(), bom=form.cleaned_data["bom"]
            ):
                sys.stdout.write(chunk)
            return
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export"
            export_write(project=project, export=export, form=form, path=path)
            sys.stdout.write(path.read_text(encoding="utf-8"))


def form_data(project: Project, options) -> QueryDict:
    data = QueryDict(mutable=True)
    for pk in code_ids(project, options["code"]):
        data.appendlist("code", pk)
    groups = {t.name.casefold(): t.pk for t in project.transcripts.all()}
    for value in options["group"]:
        group_pk = groups.get(value.strip().casefold())
        if group_pk is None and not value.isdigit():
            raise CommandError(f"--group {value!r}: no such group in {project.name!r}.")
        data.appendlist("transcript", str(group_pk or value))
    for value in options["attr"]:
        name, sep, attribute_value = value.partition("=")
        if not sep:
            raise CommandError(f'--attr {value!r}: write it as "Attribute=value".')
        attribute = find_attribute(project, name, "--attr")
        data.appendlist("attr", f"{attribute.pk}:{attribute_value.strip()}")
    for value in options["group_attr"]:
        name, sep, group_value = value.partition("=")
        if not sep:
            raise CommandError(f'--group-attr {value!r}: write it as "Attribute=value".')
        group_attribute = find_group_attribute(project, name, "--group-attr")
        data.appendlist("gattr", f"{group_attribute.pk}:{group_value.strip()}")
    for value in options["coder"]:
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise CommandError(f"--coder {value!r}: no such user.")
        data.appendlist("coder", str(user.pk))
    options_data(project, options, data)
    return data


def code_ids(project: Project, values: list[str]) -> list[str]:
    """The ids of the codes named by path, by a name only one code has, or by id."""
    nodes = code_tree_flat(project=project)
    by_id = {node.code.pk: node.code for node in nodes}
    paths = {code_path(code=code, by_id=by_id).casefold(): pk for pk, code in by_id.items()}
    names: dict[str, list[int]] = {}
    for pk, code in by_id.items():
        names.setdefault(code.name.casefold(), []).append(pk)
    found = []
    for value in values:
        key = value.strip().casefold()
        if key in paths:
            found.append(str(paths[key]))
        elif len(names.get(key, [])) == 1:
            found.append(str(names[key][0]))
        elif len(names.get(key, [])) > 1:
            raise CommandError(
                f"--code {value!r} names several codes; give its path, e.g. 'Theme > {value}'."
            )
        elif value.isdigit():
            found.append(value)
        else:
            raise CommandError(f"--code {value!r}: no such theme or code in {project.name!r}.")
    return found


def options_data(project: Project, options, data: QueryDict) -> None:
    """The matrix and report options, attributes named by name."""
    data["rows"] = with_attribute_id(project, options["rows"], "--rows")
    data["attribution"] = with_attribute_id(project, options["attribution"], "--attribution")
    for name in options["attribution_attr"]:
        data.appendlist(
            "attribution_extra", str(find_attribute(project, name, "--attribution-attr").pk)
        )
    data["report_quotes"] = "all" if options["all_quotes"] else "starred"
    if options["summaries"]:
        data["report_summaries"] = "on"
    if options["charts"]:
        data["report_charts"] = "on"
    data["columns"], data["cells"] = options["columns"], options["cells"]
    if options["starred"]:
        data["starred"] = "on"
    if options["bom"]:
        data["bom"] = "on"


def with_attribute_id(project: Project, value: str, option: str) -> str:
    style, sep, name = value.partition(":")
    if not sep:
        return value
    if style == "group_attribute" and option == "--rows":
        return f"{style}:{find_group_attribute(project, name, option).pk}"
    return f"{style}:{find_attribute(project, name, option).pk}"


def find_group_attribute(project: Project, name: str, option: str):  # type: ignore[no-untyped-def]
    from transcripts.models import GroupAttribute

    found = GroupAttribute.objects.filter(project=project, name__iexact=name.strip()).first()
    if found is None:
        known = ", ".join(project.group_attributes.values_list("name", flat=True)) or "none"
        raise CommandError(f"{option}: no group attribute {name.strip()!r} (known: {known}).")
    return found


def find_attribute(project: Project, name: str, option: str) -> Attribute:
    attribute = Attribute.objects.filter(project=project, name__iexact=name.strip()).first()
    if attribute is None and name.strip().isdigit():
        attribute = Attribute.objects.filter(project=project, pk=int(name)).first()
    if attribute is None:
        known = ", ".join(project.attributes.values_list("name", flat=True)) or "none"
        raise CommandError(f"{option}: no attribute {name.strip()!r} (known: {known}).")
    return attribute
