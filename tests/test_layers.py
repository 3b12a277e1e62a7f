"""The layer check that import-linter cannot do: URL names in templates and reverse()."""

from __future__ import annotations

from pathlib import Path

from config.layers import layer_violations

ROOT = Path(__file__).resolve().parents[1]


def test_the_apps_name_only_their_own_urls_or_those_below():
    assert [str(v) for v in layer_violations(ROOT)] == []


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def test_a_lower_template_linking_to_a_higher_app_is_reported(tmp_path):
    write(tmp_path, "transcripts/templates/transcripts/page.html", "{% url 'coding:framework' 1 %}")
    write(tmp_path, "coding/templates/coding/page.html", "{% url 'transcripts:project_list' %}")
    found = layer_violations(tmp_path)
    assert [(v.path, v.line) for v in found] == [("transcripts/templates/transcripts/page.html", 1)]
    assert "transcripts names 'coding:framework', a URL of coding" in found[0].text


def test_a_reverse_in_python_and_an_unreadable_name_are_reported(tmp_path):
    write(tmp_path, "coding/views.py", 'x = 1\nreverse("themes:exports", args=[1])\n')
    write(tmp_path, "themes/views.py", 'reverse(name)\nreverse(f"coding:code_{a}")\n')
    found = {(v.path, v.line): v.text for v in layer_violations(tmp_path)}
    assert "a URL of themes, which is above it" in found[("coding/views.py", 2)]
    assert len(found) == 1  # reverse(name) is not a string; the f-string names its namespace


def test_config_may_name_any_url_and_apps_may_not_name_configs(tmp_path):
    write(tmp_path, "config/templates/base.html", "{% url 'themes:exports' 1 %}{% url 'login' %}")
    write(tmp_path, "jobs/templates/jobs/job.html", "{% url 'logout' %}")
    found = layer_violations(tmp_path)
    assert [v.path for v in found] == ["jobs/templates/jobs/job.html"]
