"""Import a folder or a zip of transcripts into a project, for scripted use.

Runs the same services as the browser (read, review with the automatic choices, import), in
this process. Prints one line per file: imported, skipped as a duplicate, or failed and why.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from transcripts.importers.speakers import is_facilitator_label
from transcripts.management.lookup import project_find
from transcripts.models import ImportItem, Transcript
from transcripts.services import uploads


class Command(BaseCommand):
    help = "Import a folder or a .zip of transcripts (and survey spreadsheets) into a project."

    def add_arguments(self, parser):
        parser.add_argument("project", help="The project's id or exact name.")
        parser.add_argument("path", help="A folder (searched recursively) or a .zip file.")
        parser.add_argument("--user", help="Username recorded as the importer.")
        parser.add_argument("--site", default="", help="Site for every group.")
        parser.add_argument("--date", default="", help="Date for every group (YYYY-MM-DD).")
        parser.add_argument("--description", default="", help="Description for every group.")
        parser.add_argument("--kind", choices=Transcript.Kind.values, help="Kind for every file.")
        parser.add_argument(
            "--no-participants",
            action="store_true",
            help="Keep speaker labels on turns but create no participants.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and report, import nothing."
        )

    def handle(self, *args, project: str, path: str, **options):
        target = project_find(project)
        user = self._user(options["user"])
        overrides = self._overrides(options)
        source = Path(path)
        if not source.exists():
            raise CommandError(f"{path} does not exist.")
        files = self._files(source)
        if not files:
            raise CommandError(f"{path} holds no files.")
        batch = uploads.import_batch_create(
            project=target, user=user, files=self._opened(source, files), enqueue=False
        )
        uploads.import_batch_read(batch=batch)
        if options["no_participants"]:
            batch.speakers = {
                label: {**c, "action": "facilitator" if c["action"] == "facilitator" else "none"}
                for label, c in batch.speakers.items()
            }
            batch.save(update_fields=["speakers"])
        if overrides:
            batch.items.filter(status=ImportItem.Status.READY).update(**overrides)
        if options["dry_run"]:
            self._report(batch, dry_run=True)
            uploads.import_batch_discard(batch=batch)
            return
        try:
            uploads.import_batch_confirm(batch=batch, user=user, enqueue=False)
        except ValidationError as exc:
            self._report(batch)
            raise CommandError(" ".join(exc.messages)) from None
        batch.refresh_from_db()
        counts = uploads.import_batch_run(batch=batch, user=user)
        self._report(batch)
        self.stdout.write(
            f"Imported {counts['imported']}, skipped {counts['duplicates']} duplicate(s), "
            f"{counts['failed']} failed."
        )

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        return user

    def _overrides(self, options: dict) -> dict:
        """Group details given on the command line, for every file of the upload."""
        overrides = {"site": options["site"], "description": options["description"]}
        overrides = {k: v for k, v in overrides.items() if v}
        if options["date"]:
            try:
                overrides["date"] = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not YYYY-MM-DD.") from None
        if options["kind"]:
            overrides["kind"] = options["kind"]
        return overrides

    @staticmethod
    def _opened(source: Path, files: list[Path]) -> Iterator[tuple[str, IO[bytes]]]:
        """Each file opened in turn, and closed once stored: one handle at a time, however
        many files the folder holds."""
        for path in files:
            name = str(path.relative_to(source)) if source.is_dir() else path.name
            with path.open("rb") as handle:
                yield name, handle

    def _files(self, source: Path) -> list[Path]:
        if source.is_file():
            return [source]
        return sorted(
            p
            for p in source.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.parts[-1:])
        )

    def _report(self, batch, *, dry_run: bool = False) -> None:
        items = batch.items.exclude(status=ImportItem.Status.ARCHIVE).order_by("order", "id")
        for item in items.defer("parsed").iterator(chunk_size=200):
            if item.status == ImportItem.Status.IMPORTED:
                line = f"imported  {item.filename} as {item.name}: {self._counts(item)}"
            elif item.status == ImportItem.Status.READY:
                line = (
                    f"{'would import' if dry_run else 'ready'}  {item.filename} as "
                    f"{item.name}: {self._counts(item)}"
                )
            elif item.status == ImportItem.Status.DUPLICATE:
                line = f"skipped   {item.error}"
            else:
                line = f"failed    {item.error}"
            self.stdout.write(line)

    @staticmethod
    def _counts(item) -> str:
        """Turns and speakers, the facilitator named apart (as the transcript list counts)."""
        speakers = (item.preview or {}).get("speakers")
        if speakers is None:  # read before the summary was kept
            speakers = {turn[0]: 1 for turn in (item.parsed or {}).get("turns", []) if turn}
        labels = {label for label in dict(speakers) if label}
        facilitator = " and a facilitator" if any(map(is_facilitator_label, labels)) else ""
        return f"{item.turn_count} turns, {item.speaker_count} speakers{facilitator}"
