from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.layers import LAYERS, layer_violations


class Command(BaseCommand):
    help = "Fail when a template or a reverse() names a URL of an app above its own."

    def handle(self, *args, **options):
        problems = layer_violations(Path(settings.BASE_DIR))
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} URL reference(s) break the layers.")
        self.stdout.write(f"URL references keep the layers ({' > '.join(LAYERS)}).")
