"""Import benchmark: a zip of 200 generated transcripts of 10,000 words each (mixed .txt,
.docx and .vtt), uploaded and imported through the same views and services as the browser,
on the embedded default (SQLite, Celery eager), in a fresh process and database per run.

    .venv/bin/python bench/bench_import.py [--files 200] [--words 10000] [--runs 3]

Prints each run's time (upload + read + review + import) and peak memory (the run's process
maximum resident set size), then the median time and the largest peak.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_WORDS = (
    "the a and to of I it that you was in we they my for but is not on with have just "
    "about if be so what do like think know letter doctor data records nurse consent "
    "hospital NHS share private company trust worry form opt out safe hacked research "
    "people really would should could because never always sometimes services council "
    "school child mother appointment waiting phone online app leaflet explain clear "
    "anonymous insurance sell money help condition care carer family time years"
)
VOCABULARY = _WORDS.split()
SPEAKERS = ["Moderator", *[f"P{i}" for i in range(1, 9)]]


def turns(rng: random.Random, words: int) -> list[tuple[str, str]]:
    out, total = [], 0
    while total < words:
        n = min(rng.randint(15, 90), words - total)
        speaker = SPEAKERS[0] if len(out) % 5 == 0 else rng.choice(SPEAKERS[1:])
        sentence = " ".join(rng.choice(VOCABULARY) for _ in range(n))
        out.append((speaker, sentence.capitalize() + "."))
        total += n
    return out


def make_zip(path: Path, files: int, words: int) -> None:
    import docx

    rng = random.Random(42)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(files):
            group = turns(rng, words)
            kind = ("txt", "docx", "vtt")[index % 3]
            name = f"FG{index + 1}.{kind}"
            if kind == "txt":
                archive.writestr(name, "\n\n".join(f"{s}: {t}" for s, t in group))
            elif kind == "docx":
                document = docx.Document()
                for speaker, text in group:
                    document.add_paragraph(f"{speaker}: {text}")
                buffer = io.BytesIO()
                document.save(buffer)
                archive.writestr(name, buffer.getvalue())
            else:
                lines, ms = ["WEBVTT", ""], 0
                for speaker, text in group:
                    chunk = text.split()
                    for at in range(0, len(chunk), 12):
                        end = ms + 4000
                        lines += [
                            f"{_ts(ms)} --> {_ts(end)}",
                            f"<v {speaker}>{' '.join(chunk[at : at + 12])}",
                            "",
                        ]
                        ms = end
                archive.writestr(name, "\n".join(lines))


def _ts(ms: int) -> str:
    s, ms = divmod(ms, 1000)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}.{ms:03d}"


def child(zip_path: str) -> None:
    """One run in a fresh process: migrate, then upload, review and import the zip."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from transcripts.models import ImportBatch, Transcript, Turn
    from transcripts.services.projects import project_create
    from transcripts.views.uploads import _review_forms

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-123")
    project = project_create(name="Bench", user=user)
    client = Client()
    client.force_login(user)
    data = Path(zip_path).read_bytes()
    started = time.perf_counter()
    upload = io.BytesIO(data)
    upload.name = "groups.zip"
    response = client.post(
        reverse("transcripts:transcript_upload", args=[project.pk]), {"files": [upload]}
    )
    assert response.status_code == 302, response.status_code
    batch = ImportBatch.objects.get(project=project)
    assert batch.status == "review", batch.read_job.error
    read_seconds = time.perf_counter() - started
    forms = _review_forms(batch)
    post: dict = {"action": "import"}
    for form in [*forms["item_forms"].values(), *forms["speaker_forms"]]:
        for name in form.fields:
            value = form.initial.get(name)
            if name == "include":
                if value:
                    post[f"{form.prefix}-include"] = "on"
            elif value is not None:
                post[f"{form.prefix}-{name}"] = value
    response = client.post(
        reverse("transcripts:import_batch_review", args=[project.pk, batch.pk]), post
    )
    assert response.status_code == 302, response.status_code
    batch.refresh_from_db()
    assert batch.status == "done", batch.import_job.error
    seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in Transcript.objects.values_list("text", flat=True))
    result = {
        "seconds": seconds,
        "read_seconds": read_seconds,
        "transcripts": Transcript.objects.count(),
        "turns": Turn.objects.count(),
        "words": words,
        "failed": batch.items.filter(status="failed").count(),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "groups.zip"
        began = time.perf_counter()
        make_zip(zip_path, args.files, args.words)
        size = zip_path.stat().st_size / 1024 / 1024
        print(
            f"generated {args.files} transcripts x {args.words} words (txt/docx/vtt): "
            f"{size:.1f} MB zip in {time.perf_counter() - began:.1f} s"
        )
        results = []
        for run in range(args.runs):
            var = Path(tmp) / f"var{run}"
            env = {
                k: v
                for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "CELERY_BROKER_URL")
            }
            env |= {
                "FG_VAR_DIR": str(var),
                "DJANGO_ALLOWED_HOSTS": "testserver",
                "LOG_LEVEL": "WARNING",
            }
            output = subprocess.run(
                [sys.executable, __file__, "--child", str(zip_path)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if output.returncode:
                sys.exit(f"run {run + 1} failed:\n{output.stderr[-4000:]}")
            result = json.loads(output.stdout.strip().splitlines()[-1])
            results.append(result)
            print(
                f"run {run + 1}: {result['seconds']:.1f} s (reading {result['read_seconds']:.1f}"
                f" s), peak {result['maxrss_mb']:.0f} MB, {result['transcripts']} transcripts,"
                f" {result['turns']} turns, {result['words']} words, "
                f"{result['failed']} failed"
            )
        median = statistics.median(r["seconds"] for r in results)
        peak = max(r["maxrss_mb"] for r in results)
        print(
            f"median {median:.1f} s over {len(results)} runs; peak memory {peak:.0f} MB "
            "(target: under 60 s and under 1024 MB)"
        )


if __name__ == "__main__":
    main()
