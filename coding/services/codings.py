"""Writes to codings: apply, update (memo, star, code), remove, and the integrity check."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.models import Job
from jobs.services import job_start
from transcripts.models import Project, Transcript

from ..models import AuditEvent, Code, Coding
from .audit import audit_record, conflict_check, snapshot


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
    existing = (
        Coding.objects.filter(transcript=transcript, code=code, coder=coder, start=start, end=end)
        .exclude(origin=Coding.Origin.ADJUDICATED)
        .first()
    )
    if existing is not None:
        return existing
    # ON CONFLICT DO NOTHING: a concurrent identical request (a double click) may have won the
    # race; a failing INSERT would also write the quote into the database server's log.
    made_at = timezone.now()
    Coding.objects.bulk_create(
        [
            Coding(
                transcript=transcript,
                code=code,
                coder=coder,
                start=start,
                end=end,
                text=transcript.text[start:end],
                memo=memo,
                origin=origin,
                created_at=made_at,
                updated_at=made_at,
            )
        ],
        ignore_conflicts=True,
    )
    coding = Coding.objects.exclude(origin=Coding.Origin.ADJUDICATED).get(
        transcript=transcript, code=code, coder=coder, start=start, end=end
    )
    if coding.created_at != made_at:
        return coding  # the other request made it, and audited it
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
def coding_remove(*, coding: Coding, user: Any) -> AuditEvent:
    """Remove a coding; the audit event returned holds it whole, for ``coding_restore``."""
    before = snapshot(coding)
    project = coding.transcript.project
    event = audit_record(
        project=project, user=user, action="delete", instance=coding, before=before
    )
    coding.delete()
    return event


@transaction.atomic
def coding_restore(*, event: AuditEvent, user: Any) -> Coding:
    """Undo a removal: the coding comes back as it was (code, coder, span, memo, star), if
    its code still exists and the transcript still has its words there. Audited."""
    before = event.before or {}
    if event.action != "delete" or event.object_type != "coding" or not before:
        raise ValidationError("Only a removed coding can be brought back.")
    transcript_id, code_id = int(before.get("transcript") or 0), int(before.get("code") or 0)
    transcript = Transcript.objects.filter(project=event.project, pk=transcript_id).first()
    code = Code.objects.filter(project=event.project, pk=code_id).first()
    if transcript is None or code is None:
        raise ValidationError("Its transcript or code has been deleted since.")
    start, end, text = before["start"], before["end"], before["text"]
    if transcript.text[start:end] != text:
        raise ValidationError("The transcript's words there have changed since.")
    restored = Coding.objects.filter(transcript=transcript, code=code, start=start, end=end)
    if before.get("origin") == Coding.Origin.ADJUDICATED:
        restored = restored.filter(origin=Coding.Origin.ADJUDICATED)
    else:
        restored = restored.filter(coder_id=before["coder"]).exclude(
            origin=Coding.Origin.ADJUDICATED
        )
    if restored.exists():
        raise ValidationError("That coding is already back.")
    coding = Coding.objects.create(
        transcript=transcript,
        code=code,
        coder_id=before["coder"],
        start=start,
        end=end,
        text=text,
        memo=before.get("memo", ""),
        origin=before.get("origin", Coding.Origin.MANUAL),
        starred=bool(before.get("starred")),
    )
    audit_record(
        project=event.project, user=user, action="restore", instance=coding, after=snapshot(coding)
    )
    return coding


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
    seen: str | None = None,
) -> Coding:
    """Change a coding; ``seen`` (the fingerprint its panel was opened with) refuses to
    overwrite a change someone else made since."""
    conflict_check(Coding.objects.select_for_update().get(pk=coding.pk), seen)
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
            last = index + 1 == len(transcripts)  # the last report is always written
            progress.update(
                (index + 1) / len(transcripts),
                f"Checked {index + 1} of {len(transcripts)}",
                force=last,
            )
    return {"checked": checked, "mismatched": mismatched[:100], "mismatch_count": len(mismatched)}
