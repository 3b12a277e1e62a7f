"""The layers of the house, top to bottom, and the check that templates and URL lookups keep them.

Python imports are checked by import-linter (``[tool.importlinter]`` in pyproject.toml, the same
order). Import-linter cannot see a URL name, so ``manage.py check_layers`` reads every template's
``{% url %}`` tags and every ``reverse()``/``redirect()`` in the apps' Python: an app may name
only its own URLs and those of the apps below it. ``config`` (the project shell) may name any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Top to bottom. A URL name without a namespace (login, logout) belongs to config.
LAYERS = ["config", "themes", "coding", "transcripts", "jobs"]
URL_TAG = re.compile(r"\{%\s*url\s+(?P<name>\S+)")
URL_CALL = re.compile(r"\b(?:reverse|reverse_lazy|redirect)\(\s*(?P<name>f?[\"'][^\"']*[\"'])")
FOREIGN = {"admin": "config"}  # namespaces of Django's own apps, mounted by config


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _layer_of_name(name: str) -> str:
    namespace = name.split(":", 1)[0] if ":" in name else "config"
    return FOREIGN.get(namespace, namespace)


def _check_name(app: str, raw: str) -> str | None:
    """Why ``raw`` (the quoted name as written) breaks the layers for ``app``, or None."""
    if raw[:1] == "f" and ":" in raw.split("{", 1)[0]:
        raw = raw[1:].split("{", 1)[0] + "x'"  # f"coding:code_{action}": its namespace is known
    if raw[:1] not in "\"'":
        if app == "config":
            return None
        return f"URL name {raw} is not a literal: the layer check cannot read it"
    name = raw.strip("\"'")
    target = _layer_of_name(name)
    if target not in LAYERS:
        return f"URL name {name!r} has no known namespace"
    if LAYERS.index(target) < LAYERS.index(app):
        return f"{app} names {name!r}, a URL of {target}, which is above it"
    return None


def _app_of(path: Path, root: Path) -> str | None:
    top = path.relative_to(root).parts[0]
    return top if top in LAYERS else None


def layer_violations(root: Path) -> list[Violation]:
    found: list[Violation] = []
    for app in LAYERS:
        base = root / app
        sources = [(p, URL_TAG) for p in base.rglob("*.html")]
        sources += [(p, URL_CALL) for p in base.rglob("*.py") if "migrations" not in p.parts]
        for path, pattern in sorted(sources):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for match in pattern.finditer(line):
                    problem = _check_name(app, match.group("name"))
                    if problem:
                        found.append(Violation(str(path.relative_to(root)), number, problem))
    return found
