"""The docs stay true to the code: every path the code map names exists, and the README stays
an index rather than a manual."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATH = re.compile(r"`((?:config|jobs|transcripts|coding|themes|tests|bench|docs)/[\w./-]*\w)`")
QUESTIONS = [
    "speaker turns detected",
    "speakers mapped to participants",
    "selection into a coding",
    "permissions checked",
    "job enqueued",
    "engine rank codes",
    "each export built",
    "REFI-QDA read and written",
    "audit log written",
    "layer may import which",
]


def test_every_path_named_in_the_code_map_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(PATH.findall(text))
    assert len(paths) > 30
    missing = sorted(path for path in paths if not (ROOT / path).exists())
    assert missing == []


def test_the_code_map_answers_the_ten_questions_with_a_path_each():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| Where") or "| Which" in line]
    for question in QUESTIONS:
        row = next((line for line in rows if question in line), None)
        assert row is not None, question
        assert PATH.search(row), question


def test_the_readme_is_an_index_under_12_kb_and_every_doc_it_links_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 12 * 1024
    linked = set(re.findall(r"\]\((docs/[\w.-]+\.md)\)", readme))
    on_disk = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert linked == on_disk


def test_every_environment_variable_the_settings_read_is_in_the_readme():
    settings = "\n".join(
        (ROOT / "config" / name).read_text(encoding="utf-8")
        for name in ("settings.py", "gunicorn.py")
    )
    names = set(re.findall(r"env_\w+\(\s*\"([A-Z_]+)\"", settings))
    names |= set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", settings))
    assert len(names) > 15
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(name for name in names if f"`{name}`" not in readme) == []
