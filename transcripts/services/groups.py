"""Group attributes: typed attributes of a group (transcript) beyond the built-in site, date,
facilitator and description, and each transcript's values of them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Attribute, GroupAttribute, GroupAttributeValue, Project, Transcript
from .participants import _choices_from, attribute_value_clean

BUILT_IN = {"name", "group", "kind", "site", "date", "facilitator", "description"}


@transaction.atomic
def group_attribute_create(
    *, project: Project, name: str, type: str, choices: str | list[str] = ""
) -> GroupAttribute:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A group attribute needs a name."})
    if len(name) > 100:
        raise ValidationError({"name": "A name has at most 100 characters."})
    if name.casefold() in BUILT_IN:
        raise ValidationError(
            {"name": f"{name!r} is already a detail of every group: edit it there."}
        )
    if type not in Attribute.Type.values:
        raise ValidationError({"type": f"Unknown type {type!r}."})
    if project.group_attributes.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a group attribute called {name!r}."})
    options = _choices_from(choices)
    if type == Attribute.Type.CHOICE and not options:
        raise ValidationError({"choices": "A choice attribute needs its choices."})
    return GroupAttribute.objects.create(
        project=project,
        name=name,
        type=type,
        choices=options,
        order=project.group_attributes.count(),
    )


@transaction.atomic
def group_values_set(*, transcript: Transcript, values: dict[int, str]) -> None:
    """Set ``{group attribute id: raw value}`` on a transcript; an empty value removes it. Every
    value is checked first, so one bad value changes nothing; the error names the attribute."""
    attributes = {a.pk: a for a in GroupAttribute.objects.filter(project=transcript.project_id)}
    cleaned: dict[int, str] = {}
    errors: dict[str, list[str]] = {}
    for pk, raw in values.items():
        attribute = attributes.get(pk)
        if attribute is None:
            raise ValidationError("No such group attribute in this project.")
        try:
            cleaned[pk] = attribute_value_clean(attribute, raw)  # type: ignore[arg-type]
        except ValueError as exc:
            errors.setdefault(f"group_{pk}", []).append(f"{attribute.name}: {exc}.")
    if errors:
        raise ValidationError(errors)
    for pk, value in cleaned.items():
        if value:
            GroupAttributeValue.objects.update_or_create(
                transcript=transcript, attribute_id=pk, defaults={"value": value}
            )
        else:
            GroupAttributeValue.objects.filter(transcript=transcript, attribute_id=pk).delete()
