from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.refi.commands import project_lookup
from coding.refi.services import codebook_qdc_bytes
from coding.refi.xml import RefiError


class Command(BaseCommand):
    help = "Export a project's framework as a REFI-QDA codebook (.qdc)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or exact name")
        parser.add_argument("--out", required=True, help="the .qdc file to write")

    def handle(self, *args, project: str, out: str, **options):
        found = project_lookup(project)
        try:
            content = codebook_qdc_bytes(project=found)
        except RefiError as exc:
            raise CommandError(str(exc)) from exc
        Path(out).write_bytes(content)
        self.stdout.write(f"Exported the framework of {found.name!r} to {out}.")
