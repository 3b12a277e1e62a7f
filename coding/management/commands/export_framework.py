from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from coding.services.codebook_csv import framework_csv_text, framework_taguette_csv_text
from transcripts.management.lookup import project_find


class Command(BaseCommand):
    help = (
        "Export a project's framework as CSV (UTF-8; cells a spreadsheet would read as a "
        "formula are prefixed with a single quote)."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="Project id or exact name.")
        parser.add_argument("--out", default="-", help="Output file ('-', the default: stdout).")
        parser.add_argument(
            "--bom", action="store_true", help="Start with a UTF-8 byte-order mark (for Excel)."
        )
        parser.add_argument(
            "--taguette",
            action="store_true",
            help="Taguette's codebook CSV (tag, description), with a byte-order mark.",
        )

    def handle(self, *args, project: str, out: str, **options):
        target = project_find(project)
        if options["taguette"]:
            text = framework_taguette_csv_text(project=target)
        else:
            text = ("\ufeff" if options["bom"] else "") + framework_csv_text(project=target)
        if out == "-":
            self.stdout.write(text, ending="")
            return
        Path(out).write_text(text, encoding="utf-8", newline="")
        count = target.codes.count()
        self.stderr.write(f"{target.name}: {count} codes written to {out}.")
