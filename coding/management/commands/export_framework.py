from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from coding.services.codebook_csv import framework_csv_text, framework_export_csv
from transcripts.management.lookup import project_find


class Command(BaseCommand):
    help = (
        "Export a project's framework as CSV (UTF-8; cells a spreadsheet would read as a "
        "formula are prefixed with a single quote)."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="Project id or exact name.")
        parser.add_argument("--out", default="-", help="Output file ('-', the default: stdout).")

    def handle(self, *args, project: str, out: str, **options):
        target = project_find(project)
        if out == "-":
            self.stdout.write(framework_csv_text(project=target), ending="")
            return
        with Path(out).open("w", encoding="utf-8", newline="") as handle:
            count = framework_export_csv(project=target, out=handle)
        self.stderr.write(f"{target.name}: {count} codes written to {out}.")
