"""Benchmark the coding screen, applying a coding, retrieval and search.

Generates a 25,000-word focus group (800 turns, 8 speakers with attributes) with 2,000 codings
by the analyst, plus 5,000 quotes of one code by a second coder for the retrieval page, in an
embedded default database (SQLite) in a temporary folder, then times requests through Django's
test client in-process (server time: URL routing, middleware, session, queries, templates).

    .venv/bin/python bench/bench_coding.py [--runs 15]

Targets: coding screen < 300 ms, apply one coding < 50 ms, retrieval of 5,000 quotes < 500 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.documents import FILLER, WORDS  # noqa: E402 - after the path is set


def median_ms(action, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), min(timings)


def build(random_: random.Random):
    from django.contrib.auth import get_user_model

    from coding.models import Code, Coding
    from transcripts.models import (
        Attribute,
        AttributeValue,
        Membership,
        Participant,
        Project,
        Transcript,
        Turn,
    )

    users = get_user_model().objects
    analyst = users.create_user("analyst", password="x")
    second = users.create_user("second", password="x")
    project = Project.objects.create(name="Bench")
    Membership.objects.create(project=project, user=analyst, role="owner")
    Membership.objects.create(project=project, user=second, role="coder")
    age = Attribute.objects.create(project=project, name="Age band")
    participants = []
    for index in range(1, 9):
        participant = Participant.objects.create(project=project, label=f"P{index}")
        AttributeValue.objects.create(
            participant=participant, attribute=age, value=f"{20 + index * 5}-{24 + index * 5}"
        )
        participants.append(participant)

    parts, spans, position, words = [], [], 0, 0
    turn_index = 0
    while words < 25_000:
        speaker = "Moderator" if turn_index % 9 == 0 else f"P{turn_index % 8 + 1}"
        count = random_.randint(10, 52)
        text = " ".join(
            random_.choice(WORDS if random_.random() < 0.45 else FILLER) for _ in range(count)
        )
        text = text[0].upper() + text[1:] + ". 👍🏽 Café!"
        prefix = f"{speaker}: "
        spans.append((speaker, position + len(prefix), position + len(prefix) + len(text)))
        parts.append(prefix + text)
        position += len(prefix) + len(text) + 2
        words += count + 2
        turn_index += 1
    full = "\n\n".join(parts)
    transcript = Transcript.objects.create(
        project=project,
        name="FG1",
        text=full,
        content_hash=hashlib.sha256(full.encode()).hexdigest(),
    )
    by_label = {p.label: p for p in participants}
    Turn.objects.bulk_create(
        Turn(
            transcript=transcript,
            order=index,
            speaker_label=speaker,
            participant=by_label.get(speaker),
            is_facilitator=speaker == "Moderator",
            start=start,
            end=end,
            timestamp_start_ms=index * 9000,
        )
        for index, (speaker, start, end) in enumerate(spans)
    )
    codes = [
        Code.objects.create(project=project, name=f"Code {index}", colour=f"#{index * 12:02x}88cc")
        for index in range(20)
    ]

    def codings(count: int, coder, code_choice) -> list:
        made, seen = [], set()
        while len(made) < count:
            _speaker, start, end = random_.choice(spans)
            left = random_.randint(start, max(start, end - 20))
            right = min(end, left + random_.randint(10, 160))
            code = code_choice()
            key = (code.pk, left, right)
            if right <= left or key in seen:
                continue
            seen.add(key)
            made.append(
                Coding(
                    transcript=transcript,
                    code=code,
                    coder=coder,
                    start=left,
                    end=right,
                    text=full[left:right],
                )
            )
        return made

    Coding.objects.bulk_create(codings(2000, analyst, lambda: random_.choice(codes)))
    quoted = Code.objects.create(project=project, name="Heavily quoted", colour="#f2994a")
    Coding.objects.bulk_create(codings(5000, second, lambda: quoted))
    return project, transcript, analyst, codes, quoted, spans, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-coding-")
    os.environ["FG_VAR_DIR"] = folder
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    settings.DEBUG = False  # no query log: time what production does
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    random_ = random.Random(4)
    project, transcript, analyst, codes, quoted, spans, words = build(random_)

    client = Client()
    client.force_login(analyst)
    screen = reverse("coding:coding_screen", args=[project.pk, transcript.pk])
    apply = reverse("coding:coding_apply", args=[project.pk, transcript.pk])
    quotes = reverse("coding:code_quotes", args=[project.pk, quoted.pk])
    search = reverse("coding:search", args=[project.pk])
    response = client.get(screen)
    assert response.status_code == 200, response.status_code
    size_kb = len(response.content) / 1024

    def apply_one():
        _speaker, start, end = random_.choice(spans)
        left = random_.randint(start, end - 8)
        right = random_.randint(left + 3, end)
        response = client.post(
            apply,
            {"start": left, "end": right, "codes": [random_.choice(codes).pk]},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content[:300]

    def get(url, **params):
        def action():
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code

        return action

    age = project.attributes.get()
    print(
        f"Transcript: {words:,} words, {len(transcript.text):,} characters, {len(spans)} turns; "
        f"2,000 codings by the analyst, 5,000 quotes of one code by a second coder."
    )
    print(f"Coding screen HTML: {size_kb:,.0f} KB. Median (best) of {args.runs} runs:")
    rows = [
        ("coding screen, my 2,000 codings", get(screen), 300),
        ("coding screen, all coders (7,000)", get(screen, coder="all"), None),
        ("apply one coding (htmx partial)", apply_one, 50),
        ("retrieval, code with 5,000 quotes", get(quotes), 500),
        ("retrieval, filtered by attribute", get(quotes, **{f"attr-{age.pk}": "30-34"}), None),
        ("search 'letter' (KWIC, first 500)", get(search, q="letter"), None),
    ]
    for label, action, target in rows:
        median, best = median_ms(action, args.runs)
        verdict = "" if target is None else (" OK" if median < target else " OVER TARGET")
        goal = f" (target < {target} ms){verdict}" if target else ""
        print(f"  {label:<38} {median:8.1f} ms  (best {best:.1f}){goal}")
    # Memory in a separate pass: tracing slows Python down several times.
    peaks = []
    for label, action, _target in rows:
        tracemalloc.start()
        action()
        peaks.append((tracemalloc.get_traced_memory()[1], label))
        tracemalloc.stop()
    peak, label = max(peaks)
    print(f"Peak traced memory of one request: {peak / 1024 / 1024:.1f} MB ({label})")


if __name__ == "__main__":
    main()
