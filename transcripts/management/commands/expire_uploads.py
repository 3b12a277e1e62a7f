from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from transcripts.services.uploads import import_batches_expire


class Command(BaseCommand):
    help = (
        "Discard uploads left in review longer than FG_UPLOAD_RETENTION_HOURS, with their "
        "stored files (run it from cron; a new upload also expires its project's old ones)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, help="override FG_UPLOAD_RETENTION_HOURS")

    def handle(self, *args: Any, hours: int | None, **options: Any) -> None:
        self.stdout.write(f"Discarded {import_batches_expire(hours=hours)} upload(s).")
