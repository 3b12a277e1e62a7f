from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.refi.codebook import codebook_import
from coding.refi.commands import project_lookup, user_lookup
from coding.refi.xml import RefiError


class Command(BaseCommand):
    help = "Merge a REFI-QDA codebook (.qdc, or a .qdpx's codebook) into a project's framework."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or exact name")
        parser.add_argument("file", help="the .qdc (or .qdpx) file")
        parser.add_argument("--user", help="who the audit log names (default: an owner)")

    def handle(self, *args, project: str, file: str, user: str | None, **options):
        found = project_lookup(project)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        try:
            report = codebook_import(
                project=found,
                user=user_lookup(user, found),
                data=path.read_bytes(),
                filename=path.name,
            )
        except RefiError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{report['added']} code(s) added, {report['updated']} updated, "
            f"{report['unchanged']} unchanged."
        )
        for line in report["notes"]:
            self.stdout.write(f"Note: {line}")
