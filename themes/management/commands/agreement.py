"""Inter-coder agreement of a project, as a table or as JSON.

    python manage.py agreement "My study"
    python manage.py agreement 3 --unit character --coder amy --coder ben --json
    python manage.py agreement 3 --code "Safety > Hacking" --transcript FG3 --transcript FG4

Counts a transcript for a coder once they are assigned and have marked it done (a transcript
with no assignments counts whoever coded it); for anyone else it is missing data.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from themes.agreement.measure import UNITS, AgreementError, agreement_measure
from transcripts.management.lookup import project_find


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Krippendorff's alpha, Cohen's kappa and percent agreement of a project's coders."

    def add_arguments(self, parser):
        parser.add_argument("project", help="Project id or exact name.")
        parser.add_argument("--unit", choices=UNITS, default="turn")
        parser.add_argument("--coder", action="append", default=[], help="Username (repeat).")
        parser.add_argument(
            "--code", action="append", default=[], help="Code path or name (repeat)."
        )
        parser.add_argument(
            "--transcript", action="append", default=[], help="Transcript name (repeat)."
        )
        parser.add_argument(
            "--replicates", type=int, default=1000, help="Bootstrap replicates (default 1000)."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        project = project_find(options["project"])
        try:
            result = agreement_measure(
                project=project,
                unit=options["unit"],
                coder_names=options["coder"] or None,
                code_names=options["code"] or None,
                transcript_names=options["transcript"] or None,
                replicates=max(0, options["replicates"]),
            )
        except AgreementError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2))
            return
        overall = result.overall
        ci = f" (95% CI {overall.ci[0]:.3f} to {overall.ci[1]:.3f})" if overall.ci else ""
        self.stdout.write(
            f"{len(result.coders)} coders, {len(result.transcripts)} transcripts, unit: "
            f"{result.unit}. Overall alpha {_number(overall.alpha)}{ci} over {overall.units} "
            f"units, {overall.values} values."
        )
        self.stdout.write(f"{'code':40} {'alpha':>7} {'kappa':>7} {'agree':>7} {'units':>6}")
        for row in result.codes:
            fig = row.figure
            self.stdout.write(
                f"{row.path[:40]:40} {_number(fig.alpha):>7} {_number(fig.kappa):>7} "
                f"{_number(fig.agreement):>7} {fig.units:>6}"
                + (f"  {fig.reason}" if fig.reason else "")
            )
