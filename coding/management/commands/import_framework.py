from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coding.services.codebook_csv import framework_import_csv
from transcripts.management.lookup import project_find, user_find


class Command(BaseCommand):
    help = (
        "Import a framework CSV (columns code,name,parent,definition,inclusion,exclusion,"
        "example,colour,order; only name is required) into a project. Matching codes are "
        "updated, new ones added, none deleted. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="Project id or exact name.")
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--user", help="Username recorded in the audit log.")

    def handle(self, *args, project: str, file: Path, user: str | None, **options):
        target = project_find(project)
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            result = framework_import_csv(
                project=target, user=user_find(user), data=file.read_bytes(), filename=file.name
            )
        except ValidationError as exc:
            raise CommandError("Nothing was imported.\n" + "\n".join(exc.messages)) from exc
        for warning in result.warnings:
            self.stderr.write(warning)
        self.stdout.write(f"{target.name}: {result.summary()}")
