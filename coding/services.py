"""Writes to the framework and codings. Every change is written to the audit log."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from jobs.models import Job
from jobs.services import job_start
from transcripts.models import Project, Transcript

from .models import AuditEvent, Code, Coding

CODE_FIELDS = (
    "name",
    "key",
    "parent",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "order",
)
CODING_FIELDS = ("transcript", "code", "coder", "start", "end", "text", "memo", "origin", "starred")


def snapshot(instance: Code | Coding) -> dict[str, Any]:
    fields = CODE_FIELDS if isinstance(instance, Code) else CODING_FIELDS
    return {"id": instance.pk, **model_to_dict(instance, fields=fields)}


def audit_record(
    *,
    project: Project,
    user: Any,
    action: str,
    instance: Code | Coding,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        project=project,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=type(instance).__name__.lower(),
        object_id=instance.pk,
        before=before,
        after=after,
    )


@transaction.atomic
def code_create(
    *,
    project: Project,
    user: Any,
    name: str,
    parent: Code | None = None,
    definition: str = "",
    inclusion: str = "",
    exclusion: str = "",
    example: str = "",
    colour: str = "",
    order: int | None = None,
    key: str = "",
    action: str = "create",
) -> Code:
    """Add a code to the framework. Without a ``key`` one is derived from the name."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A code needs a name."})
    if len(name) > 200:
        raise ValidationError({"name": "A code name can be at most 200 characters."})
    if parent is not None and parent.project_id != project.pk:
        raise ValidationError({"parent": "The parent code belongs to another project."})
    if Code.objects.filter(project=project, parent=parent, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a code called {name!r} here."})
    colour = colour_clean(colour) if colour else ""
    key = key.strip()
    if key:
        key_validate(key)
        if Code.objects.filter(project=project, key=key).exists():
            raise ValidationError({"key": f"Another code already has the key {key!r}."})
    else:
        key = key_derive(
            name=name,
            taken=set(
                Code.objects.filter(project=project, key__startswith=key_base(name)).values_list(
                    "key", flat=True
                )
            ),
        )
    if order is None:
        order = Code.objects.filter(project=project, parent=parent).count()
    code = Code.objects.create(
        project=project,
        parent=parent,
        name=name,
        definition=definition.strip(),
        inclusion=inclusion.strip(),
        exclusion=exclusion.strip(),
        example=example.strip(),
        colour=colour or PALETTE[Code.objects.filter(project=project).count() % len(PALETTE)],
        order=order,
        key=key,
    )
    audit_record(project=project, user=user, action=action, instance=code, after=snapshot(code))
    return code


COLOUR_RE = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


def colour_clean(value: str) -> str:
    """``#RGB``, ``#RRGGBB`` (the ``#`` optional) as lower-case ``#rrggbb``."""
    match = COLOUR_RE.match(value.strip())
    if match is None:
        raise ValidationError(
            {"colour": f"{value!r} is not a colour: write it as #RRGGBB, e.g. #2f5d9b."}
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return f"#{digits}"


def key_validate(key: str) -> None:
    if not KEY_RE.match(key):
        raise ValidationError(
            {
                "key": f"{key!r} is not a usable key: use up to 100 letters, digits, "
                "'_', '-' or '.', starting with a letter or digit."
            }
        )


def key_base(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:60] or "code"


def key_derive(*, name: str, taken: set[str]) -> str:
    """A key for a code called ``name`` that is not in ``taken``: ``safety_security``,
    then ``safety_security_2`` ..."""
    base = key_base(name)
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


PALETTE = (
    "#f2c94c",
    "#6fcf97",
    "#56ccf2",
    "#bb6bd9",
    "#f2994a",
    "#eb5757",
    "#9b51e0",
    "#27ae60",
    "#2d9cdb",
    "#e0a3c8",
)


def coding_validate_span(*, transcript: Transcript, start: int, end: int) -> None:
    if start < 0 or end > len(transcript.text) or end <= start:
        raise ValidationError(
            f"The span {start}-{end} is outside the transcript (0-{len(transcript.text)})."
        )
    if not transcript.text[start:end].strip():
        raise ValidationError("The selection is only white space.")


@transaction.atomic
def coding_apply(
    *,
    transcript: Transcript,
    start: int,
    end: int,
    code: Code,
    coder: Any,
    memo: str = "",
    origin: str = Coding.Origin.MANUAL,
) -> Coding:
    """Tag ``transcript.text[start:end]`` with ``code`` for ``coder``. Applying the same span
    and code twice returns the existing coding."""
    if code.project_id != transcript.project_id:
        raise ValidationError("The code belongs to another project.")
    coding_validate_span(transcript=transcript, start=start, end=end)
    existing = Coding.objects.filter(
        transcript=transcript, code=code, coder=coder, start=start, end=end
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            coding = Coding.objects.create(
                transcript=transcript,
                code=code,
                coder=coder,
                start=start,
                end=end,
                text=transcript.text[start:end],
                memo=memo,
                origin=origin,
            )
    except IntegrityError:  # a concurrent identical request won the race
        return Coding.objects.get(
            transcript=transcript, code=code, coder=coder, start=start, end=end
        )
    action = "accept_suggestion" if origin == Coding.Origin.SUGGESTION else "create"
    if origin == Coding.Origin.IMPORTED:
        action = "import"
    audit_record(
        project=transcript.project,
        user=coder,
        action=action,
        instance=coding,
        after=snapshot(coding),
    )
    return coding


@transaction.atomic
def coding_remove(*, coding: Coding, user: Any) -> None:
    before = snapshot(coding)
    project = coding.transcript.project
    audit_record(project=project, user=user, action="delete", instance=coding, before=before)
    coding.delete()


@transaction.atomic
def coding_update(
    *,
    coding: Coding,
    user: Any,
    start: int | None = None,
    end: int | None = None,
    code: Code | None = None,
    memo: str | None = None,
    starred: bool | None = None,
) -> Coding:
    before = snapshot(coding)
    transcript = coding.transcript
    if start is not None or end is not None:
        new_start = coding.start if start is None else start
        new_end = coding.end if end is None else end
        coding_validate_span(transcript=transcript, start=new_start, end=new_end)
        coding.start, coding.end = new_start, new_end
        coding.text = transcript.text[new_start:new_end]
    if code is not None:
        if code.project_id != transcript.project_id:
            raise ValidationError("The code belongs to another project.")
        coding.code = code
    if memo is not None:
        coding.memo = memo
    if starred is not None:
        coding.starred = starred
    coding.updated_at = timezone.now()
    try:
        with transaction.atomic():
            coding.save()
    except IntegrityError as exc:
        raise ValidationError("The same coding already exists for this span.") from exc
    audit_record(
        project=transcript.project,
        user=user,
        action="update",
        instance=coding,
        before=before,
        after=snapshot(coding),
    )
    return coding


def codings_verify_start(*, project: Project, user: Any) -> Job:
    """Run ``codings_verify`` in the background (job kind ``coding.verify``)."""
    return job_start(project=project, kind="coding.verify", user=user)


def codings_verify(*, project: Project, progress: Any = None) -> dict[str, Any]:
    """Check every coding's text snapshot against its transcript: the integrity check that a
    project's codings still point at the words they were made on."""
    mismatched: list[dict[str, Any]] = []
    transcripts = list(project.transcripts.only("id", "name", "text"))
    checked = 0
    for index, transcript in enumerate(transcripts):
        for coding in Coding.objects.filter(transcript=transcript).only(
            "id", "start", "end", "text"
        ):
            checked += 1
            if transcript.text[coding.start : coding.end] != coding.text:
                mismatched.append(
                    {"coding": coding.pk, "transcript": transcript.name, "start": coding.start}
                )
        if progress is not None:
            progress.update(
                (index + 1) / len(transcripts), f"Checked {index + 1} of {len(transcripts)}"
            )
    return {"checked": checked, "mismatched": mismatched[:100], "mismatch_count": len(mismatched)}
