from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from themes.exports.services import export_files_expire


class Command(BaseCommand):
    help = (
        "Delete stored background-export files older than FG_EXPORT_RETENTION_HOURS "
        "(run it from cron; starting a new export also expires that project's old files)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, help="override FG_EXPORT_RETENTION_HOURS")

    def handle(self, *args: Any, hours: int | None, **options: Any) -> None:
        deleted = export_files_expire(hours=hours)
        self.stdout.write(f"Deleted {deleted} export file(s).")
