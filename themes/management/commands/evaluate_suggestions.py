"""Score the suggestion engine on a gold set with the protocol of shared/eval/README.md.

Each repeat builds a throwaway project (the framework as codes, every quote as a turn of one
transcript, the analyst's coded quotes as codings), runs the production ranking service on it and
rolls everything back: the database is left as it was.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from coding.models import Code, Coding
from themes.evaluation import (
    EvaluationInputError,
    FrameworkCode,
    Quote,
    Scores,
    mean_scores,
    protocol_split,
    read_framework,
    read_gold,
    score,
)
from themes.services import suggestions_rank
from transcripts.models import Project, Transcript, Turn


class _Rollback(Exception):
    pass


def evaluate_repeat(
    *, framework: list[FrameworkCode], quotes: list[Quote], k: int, repeat: int
) -> Scores:
    """One repeat, inside a transaction that is always rolled back."""
    coded, uncoded = protocol_split(framework=framework, quotes=quotes, k=k, repeat=repeat)
    outcome: dict[str, Scores] = {}
    try:
        with transaction.atomic():
            outcome["scores"] = _run(framework, coded, uncoded)
            raise _Rollback
    except _Rollback:
        pass
    return outcome["scores"]


def _run(framework: list[FrameworkCode], coded: list[Quote], uncoded: list[Quote]) -> Scores:
    user = get_user_model().objects.create(username=f"evaluation-{id(coded)}")
    project = Project.objects.create(name="Evaluation (rolled back)", created_by=user)
    codes: dict[str, Code] = {}
    for order, item in enumerate(framework):
        codes[item.code] = Code.objects.create(
            project=project,
            name=item.name,
            definition=item.definition,
            inclusion=item.inclusion,
            exclusion=item.exclusion,
            example=item.example,
            order=order,
        )
    everything = [(quote, True) for quote in coded] + [(quote, False) for quote in uncoded]
    text, spans = "", []
    for quote, _ in everything:
        body = " ".join(quote.text.split())  # one line per quote, turns split by blank lines
        if text:
            text += "\n\n"
        spans.append((len(text), len(text) + len(body)))
        text += body
    transcript = Transcript.objects.create(
        project=project,
        name="Gold",
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    turns = Turn.objects.bulk_create(
        Turn(transcript=transcript, order=i, speaker_label="P", start=s, end=e)
        for i, (s, e) in enumerate(spans)
    )
    gold_by_turn: dict[int, str] = {}
    for turn, (quote, is_coded) in zip(turns, everything, strict=True):
        if is_coded:
            Coding.objects.create(
                transcript=transcript,
                code=codes[quote.code],
                coder=user,
                start=turn.start,
                end=turn.end,
                text=text[turn.start : turn.end],
            )
        else:
            gold_by_turn[turn.pk] = quote.code
    ranked = suggestions_rank(project=project, transcripts=[transcript])
    key_to_code = {code.pk: key for key, code in codes.items()}
    # A long quote may be split into several units: a code's score for the quote is its best.
    best: dict[int | None, dict[str, float]] = defaultdict(dict)
    for index, unit in enumerate(ranked.units):
        for j, confidence in ranked.ranking.top(index, len(ranked.codes)):
            code = key_to_code[ranked.codes[j].key]
            best[unit.turn_id][code] = max(best[unit.turn_id].get(code, 0.0), confidence)
    gold: list[str] = []
    rankings: list[list[str]] = []
    for turn_id, gold_code in gold_by_turn.items():
        scores = best.get(turn_id, {})
        # A stable sort keeps framework order among equal scores.
        rankings.append(sorted(codes, key=lambda c, s=scores: -s.get(c, -1.0)))  # type: ignore[misc]
        gold.append(gold_code)
    return score(gold, rankings)


class Command(BaseCommand):
    help = "Score theme suggestions on a gold set (top-1, top-3, macro-F1; mean over repeats)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gold", required=True, type=Path, help="JSONL of {text, code}")
        parser.add_argument(
            "--framework", required=True, type=Path, help="CSV code,name,definition"
        )
        parser.add_argument("--k", type=int, default=2, help="coded examples per code (K)")
        parser.add_argument("--repeats", type=int, default=20, help="number of repeats (R)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["k"] < 0:
            raise CommandError("--k must be 0 or more.")
        if options["repeats"] < 1:
            raise CommandError("--repeats must be at least 1.")
        try:
            framework = read_framework(options["framework"])
            quotes = read_gold(options["gold"], framework)
        except EvaluationInputError as exc:
            raise CommandError(str(exc)) from exc
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            # No migrated database here (a fresh checkout): evaluate in a throwaway one
            # (in memory for SQLite), created and removed by this command.
            original_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self.evaluate(framework, quotes, options)
            finally:
                connection.creation.destroy_test_db(original_name, verbosity=0)
        else:
            self.evaluate(framework, quotes, options)

    def evaluate(
        self, framework: list[FrameworkCode], quotes: list[Quote], options: dict[str, Any]
    ) -> None:
        runs = []
        for repeat in range(options["repeats"]):
            runs.append(
                evaluate_repeat(framework=framework, quotes=quotes, k=options["k"], repeat=repeat)
            )
        mean = mean_scores(runs)
        present = len({quote.code for quote in quotes})
        self.stdout.write(
            f"{len(quotes)} quotes, {present} codes, K={options['k']}, "
            f"repeats={options['repeats']}\n"
            f"top-1 {mean.top1:.3f}\ntop-3 {mean.top3:.3f}\nmacro-F1 {mean.macro_f1:.3f}"
        )
