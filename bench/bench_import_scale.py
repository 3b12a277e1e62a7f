"""Does import scale? A folder of 50, 200, 800 and 2,000 generated 10,000-word transcripts
(.txt with speaker turns) imported from the command line (``manage.py import_transcripts``,
the same services as the browser), each size in a fresh process and database (SQLite).

    .venv/bin/python bench/bench_import_scale.py [--sizes 50,200,800,2000] [--words 10000]
                                                 [--runs 1]

Prints seconds per transcript and the process's peak resident memory at each size. Targets:
seconds per transcript within 20% of the 50-file figure at every size (linear), and peak
memory within 20% of the 50-file figure (flat).
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
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_import import turns  # noqa: E402 - after the path is set


def write_folder(folder: Path, files: int, words: int) -> None:
    rng = random.Random(1)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        group = turns(rng, words)
        (folder / f"FG{index + 1:04d}.txt").write_text(
            "\n\n".join(f"{speaker}: {text}" for speaker, text in group), encoding="utf-8"
        )


def child(folder: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from transcripts.models import Transcript
    from transcripts.services.projects import project_create

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-123")
    project = project_create(name="Scale", user=user)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        call_command("import_transcripts", str(project.pk), folder)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "transcripts": Transcript.objects.filter(project=project).count(),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "baseline_mb": baseline,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200,800,2000")
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "groups"
        began = time.perf_counter()
        write_folder(folder, max(sizes), args.words)
        print(f"generated {max(sizes)} x {args.words} words in {time.perf_counter() - began:.0f} s")
        files = sorted(folder.iterdir())
        for size in sizes:
            subset = Path(tmp) / f"groups-{size}"
            subset.mkdir()
            for path in files[:size]:
                (subset / path.name).symlink_to(path)
            results = []
            for run in range(args.runs):
                env = {
                    k: v
                    for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "CELERY_BROKER_URL")
                }
                env |= {
                    "FG_VAR_DIR": str(Path(tmp) / f"var-{size}-{run}"),
                    "LOG_LEVEL": "WARNING",
                    "DJANGO_DEBUG": "0",  # as deployed: DEBUG keeps every query in memory
                }
                output = subprocess.run(
                    [sys.executable, __file__, "--child", str(subset)],
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if output.returncode:
                    sys.exit(f"{size} files failed:\n{output.stderr[-4000:]}")
                result = json.loads(output.stdout.strip().splitlines()[-1])
                assert result["transcripts"] == size, result
                results.append(result)
            per = statistics.median(r["seconds"] / size for r in results)
            peak = max(r["maxrss_mb"] for r in results)
            rows.append((size, per, peak))
            print(
                f"{size:>5} transcripts: {statistics.median(r['seconds'] for r in results):.1f} s, "
                f"{per * 1000:.0f} ms a transcript, peak {peak:.0f} MB "
                f"(after start-up {results[0]['baseline_mb']:.0f} MB)",
                flush=True,
            )
    base_per, base_peak = rows[0][1], rows[0][2]
    linear = all(per <= base_per * 1.2 for _size, per, _peak in rows)
    flat = all(peak <= base_peak * 1.2 for _size, _per, peak in rows)
    print(
        f"seconds a transcript {max(per for _s, per, _p in rows) / base_per:.2f}x the "
        f"{rows[0][0]}-file figure at most (target 1.2x: {'met' if linear else 'NOT met'}); "
        f"peak memory {max(p for _s, _per, p in rows) / base_peak:.2f}x at most "
        f"(target 1.2x: {'met' if flat else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
