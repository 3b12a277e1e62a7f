from pathlib import Path

from django.core.management.base import BaseCommand

from coding.refi.commands import project_lookup
from coding.refi.export import exchange_warnings
from coding.refi.services import project_qdpx_bytes


class Command(BaseCommand):
    help = "Export a project as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA ..."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or exact name")
        parser.add_argument("--out", required=True, help="the .qdpx file to write")

    def handle(self, *args, project: str, out: str, **options):
        found = project_lookup(project)
        for warning in exchange_warnings(project=found):
            self.stderr.write(f"Warning: {warning}")
        Path(out).write_bytes(project_qdpx_bytes(project=found))
        self.stdout.write(f"Exported {found.name!r} to {out}.")
