from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.refi.commands import user_lookup
from coding.refi.services import qdpx_import
from coding.refi.xml import RefiError


class Command(BaseCommand):
    help = "Import a REFI-QDA project (.qdpx) as a new project."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .qdpx file")
        parser.add_argument("--name", default="", help="name of the new project")
        parser.add_argument("--owner", help="username of the new project's owner")

    def handle(self, *args, file: str, name: str, owner: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        user = user_lookup(owner)
        try:
            report = qdpx_import(data=path.read_bytes(), filename=path.name, user=user, name=name)
        except RefiError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Imported {report['project_name']!r} (id {report['project_id']}): "
            f"{report['transcripts']} transcript(s), {report['codes']} code(s), "
            f"{report['codings']} coding(s), {report['participants']} participant(s)."
        )
        for line in report["coders_created"]:
            self.stdout.write(f"New inactive coder account: {line}")
        for line in report.get("coders_reused", []):
            self.stdout.write(f"Coder seen in an earlier import: {line}")
        for line in report["not_imported"]:
            self.stdout.write(f"Not imported: {line}")
        for line in report["notes"]:
            self.stdout.write(f"Note: {line}")
