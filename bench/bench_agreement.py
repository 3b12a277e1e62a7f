"""Benchmark inter-coder agreement and the live "changes since" endpoint.

Generates 40 focus groups (150 participant turns each) coded by 3 coders, 8,000 codings in all
over 20 codes (each coder follows a shared "truth" with some noise, so alpha is realistic),
every assignment marked done, in an embedded default database (SQLite) in a temporary folder.

- agreement: ``agreement_measure`` at the turn unit with a 1,000-replicate bootstrap (every
  code's interval and the overall one), median of several runs; the character unit once.
- changes since: 20 coders polling the coding screen's endpoint through Django's test client
  (server time) while codings are being made, p50 and p95.

    .venv/bin/python bench/bench_agreement.py [--runs 5]

Targets: agreement < 2 s; changes-since < 20 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import django_setup, report  # noqa: E402

os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")

TRANSCRIPTS, TURNS, CODERS, CODES, CODINGS = 40, 150, 3, 20, 8000


def build():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from coding.models import Assignment, Code, Coding
    from transcripts.models import Membership, Project, Transcript, Turn

    rng = random.Random(7)
    users = [get_user_model().objects.create_user(f"coder{i}", password="x") for i in range(20)]
    project = Project.objects.create(name="Agreement bench")
    for i, user in enumerate(users):
        Membership.objects.create(project=project, user=user, role="owner" if i == 0 else "coder")
    codes = [Code.objects.create(project=project, name=f"Code {k}", order=k) for k in range(CODES)]
    coders = users[:CODERS]
    per_coder_transcript = CODINGS // (CODERS * TRANSCRIPTS)
    rows = []
    for t in range(TRANSCRIPTS):
        parts, spans, at = [], [], 0
        for turn in range(TURNS):
            words = " ".join(rng.choice(["data", "letter", "consent", "trust", "share", "the"])
                             for _ in range(rng.randint(8, 40)))  # fmt: skip
            label = f"P{turn % 8 + 1}: "
            spans.append((at + len(label), at + len(label) + len(words)))
            parts.append(label + words)
            at += len(label) + len(words) + 2
        text = "\n\n".join(parts)
        transcript = Transcript.objects.create(
            project=project, name=f"FG{t + 1}", text=text, order=t,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )  # fmt: skip
        Turn.objects.bulk_create(
            Turn(transcript=transcript, order=i, speaker_label="P", start=s, end=e)
            for i, (s, e) in enumerate(spans)
        )
        truth = [(rng.randrange(TURNS), rng.choice(codes)) for _ in range(per_coder_transcript)]
        for coder in coders:
            Assignment.objects.create(transcript=transcript, coder=coder, done_at=timezone.now())
            seen = set()
            for turn_index, code in truth:
                if rng.random() < 0.2:  # disagree: another turn or another code
                    turn_index, code = rng.randrange(TURNS), rng.choice(codes)
                start, end = spans[turn_index]
                if (turn_index, code.pk) in seen:
                    continue
                seen.add((turn_index, code.pk))
                rows.append(Coding(transcript=transcript, code=code, coder=coder, start=start,
                                   end=end, text=text[start:end]))  # fmt: skip
    Coding.objects.bulk_create(rows, batch_size=2000)
    return project, users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.test import Client
    from django.urls import reverse

    from coding.models import Coding, Transcript
    from coding.services.codings import coding_apply
    from themes.agreement.measure import agreement_measure

    project, users = build()
    print(f"{Coding.objects.count()} codings, {TRANSCRIPTS} transcripts, {CODERS} coders")

    times, result = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        result = agreement_measure(project=project, unit="turn", replicates=1000)
        times.append(time.perf_counter() - started)
    assert result is not None
    print(
        f"overall alpha {result.overall.alpha:.3f} (95% CI {result.overall.ci[0]:.3f} to "
        f"{result.overall.ci[1]:.3f}) over {result.overall.units} units; {len(result.codes)} codes"
    )
    report("agreement, turn unit, 1,000 bootstrap replicates", times, target=2.0)
    started = time.perf_counter()
    chars = agreement_measure(project=project, unit="character", replicates=1000)
    print(
        f"agreement, character unit: {time.perf_counter() - started:.2f} s "
        f"({chars.overall.units} runs of characters), alpha {chars.overall.alpha:.3f}"
    )

    transcript = Transcript.objects.filter(project=project).order_by("order").first()
    code = project.codes.first()
    url = reverse("coding:coding_changes", args=[project.pk, transcript.pk])
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append([client, client.get(url).json()["cursor"]])
    turns = list(transcript.turns.order_by("order"))
    latencies = []
    for round_ in range(25):
        turn = turns[round_ % len(turns)]
        coding_apply(transcript=transcript, start=turn.start, end=turn.start + 4, code=code,
                     coder=users[round_ % CODERS])  # fmt: skip
        for pair in clients:
            started = time.perf_counter()
            answer = pair[0].get(url, {"after": pair[1]}).json()
            latencies.append(time.perf_counter() - started)
            pair[1] = answer["cursor"]
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95)]
    print(
        f"changes since, 20 coders x 25 polls: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; "
        f"target < 20 ms: {'met' if p95 < 0.020 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
