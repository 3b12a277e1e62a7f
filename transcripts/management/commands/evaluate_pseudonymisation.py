"""Score identifier detection on a gold file in the format of the pseudonymisation protocol
(shared/eval/pseudonymisation/README.md): per type and overall precision, recall and F1 with
exact and overlap matching, the leak rate and the identifier-free passages' burden."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from transcripts.pseudonymise.detect import Detector
from transcripts.pseudonymise.evaluation import GoldError, read_gold, render, score


class Command(BaseCommand):
    help = (
        "Run identifier detection as production does on the passages of a gold file and print "
        "the protocol's figures; --out writes the detections in the predictions format."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gold", required=True, type=Path, help="JSONL {id, text, entities}")
        parser.add_argument("--out", type=Path, help="write predictions here (JSONL)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            passages = read_gold(options["gold"])
        except GoldError as exc:
            raise CommandError(str(exc)) from exc
        detector = Detector()  # a gold file has no project: no participants are known
        predicted: dict[str, set[tuple[int, int, str]]] = {}
        rows = []
        for passage in passages:
            found = detector.detect(passage.text)
            predicted[passage.id] = {(c.start, c.end, c.type) for c in found}
            rows.append(
                {
                    "id": passage.id,
                    "entities": [{"start": c.start, "end": c.end, "type": c.type} for c in found],
                }
            )
        if options["out"]:
            try:
                options["out"].write_text(
                    "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
                )
            except OSError as exc:
                raise CommandError(f"{options['out']}: cannot write ({exc}).") from exc
        result = score(passages, predicted)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(f"{len(passages)} passages\n" + render(result))
