"""Run every benchmark in this folder (bench_*.py), each in its own process, and print figures.

Benchmarks are not tests: they generate their own data, use the embedded default in a temporary
folder, and print medians of several runs and peak memory. ``make bench`` runs them all;
``.venv/bin/python bench/bench_<area>.py`` runs one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if len(sys.argv) > 1:
        scripts = [s for s in scripts if any(name in s.name for name in sys.argv[1:])]
    failed = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
