"""Extension points: places on a lower app's page where the apps above it add a panel.

A page marks a place with ``{% load slots %}{% slot "transcript.actions" %}``. The composition
root (``config/apps.py``) fills each place with templates from the apps above, in order:

    slot_add("transcript.actions", "coding/_transcript_code_link.html")

Each added template is rendered with the page's own context at that place, so a lower page
shows a higher app's panel without naming the higher app's URLs (``manage.py check_layers``).
"""

from __future__ import annotations

_SLOTS: dict[str, list[str]] = {}


def slot_add(name: str, template: str) -> None:
    """Show ``template`` at the place ``name`` (once, however often it is added)."""
    templates = _SLOTS.setdefault(name, [])
    if template not in templates:
        templates.append(template)


def slot_templates(name: str) -> list[str]:
    return list(_SLOTS.get(name, ()))
