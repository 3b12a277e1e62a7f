"""Shared set-up for benchmarks: an embedded-default Django in a temporary folder."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> Path:
    """Point the embedded default at a fresh temporary folder, set Django up and migrate."""
    var = Path(tempfile.mkdtemp(prefix="fg-bench-"))
    os.environ["FG_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return var


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, seconds: list[float], target: float | None = None) -> None:
    median = statistics.median(seconds)
    unit, scale = ("ms", 1000) if median < 1 else ("s", 1)
    line = (
        f"{label}: median {median * scale:.1f} {unit} over {len(seconds)} runs "
        f"(min {min(seconds) * scale:.1f}, max {max(seconds) * scale:.1f})"
    )
    if target is not None:
        line += f"; target < {target * scale:g} {unit}: {'met' if median < target else 'NOT met'}"
    print(line, flush=True)
