"""Writes for exports: cell summaries of the framework matrix, starring quotes, and the
background export jobs that write a file to media storage."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify

from coding.models import Code, Coding
from coding.services.audit import audit_record
from coding.services.codings import coding_update
from jobs.models import Job
from jobs.runner import JobError, JobProgress
from jobs.services import job_start
from transcripts.models import Attribute, Participant, Project, Transcript

from ..models import MatrixCellSummary
from .forms import ExportForm, job_params
from .matrix import framework_csv_chunks, framework_matrix_build, framework_xlsx_write
from .quotes import quotes_csv_chunks, quotes_xlsx_write
from .records import ExportFilters, ProjectIndex, quote_count
from .report import report_build, report_docx_write, report_html

JOB_KIND = "themes.export"  # declared in themes/tasks.py
EXPORTS = {
    "quotes_csv": ("Theme-quote matrix", "quotes", "csv"),
    "quotes_xlsx": ("Theme-quote matrix", "quotes", "xlsx"),
    "framework_csv": ("Framework matrix", "framework-matrix", "csv"),
    "framework_xlsx": ("Framework matrix", "framework-matrix", "xlsx"),
    "report_docx": ("Report", "report", "docx"),
    "report_html": ("Report", "report", "html"),
}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}
SUMMARY_MAX_CHARS = 20_000


def export_filename(*, project: Project, export: str) -> str:
    _, stem, extension = EXPORTS[export]
    name = slugify(project.name)[:60] or f"project-{project.pk}"
    return f"{name}-{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


class SummaryConflict(ValidationError):
    """Someone saved this cell's summary since the form was opened; ``current`` is theirs."""

    def __init__(self, current: str) -> None:
        super().__init__(
            "Someone changed this summary since you opened it: your text was not saved. Theirs "
            "is shown now; add yours to it if it still applies."
        )
        self.current = current


@transaction.atomic
def matrix_summary_save(
    *,
    project: Project,
    user: Any,
    code: Code,
    case_kind: str,
    text: str,
    participant: Participant | None = None,
    transcript: Transcript | None = None,
    attribute: Attribute | None = None,
    attribute_value: str = "",
    seen: str | None = None,
) -> MatrixCellSummary:
    """Create or replace the summary of one cell; an empty text keeps the row, emptied.
    The change is written to the project's audit log. ``seen`` is the text the form showed:
    if the summary changed since, the save is refused rather than overwriting it."""
    if code.project_id != project.pk:
        raise ValidationError({"code": "The code belongs to another project."})
    for name, obj in (
        ("participant", participant),
        ("transcript", transcript),
        ("attribute", attribute),
    ):
        if obj is not None and obj.project_id != project.pk:
            raise ValidationError({name: f"The {name} belongs to another project."})
    if len(text) > SUMMARY_MAX_CHARS:
        raise ValidationError({"text": f"A summary can be at most {SUMMARY_MAX_CHARS} characters."})
    lookup: dict[str, Any] = {"project": project, "code": code, "case_kind": case_kind}
    if case_kind == MatrixCellSummary.CaseKind.PARTICIPANT and participant is not None:
        lookup["participant"] = participant
    elif case_kind == MatrixCellSummary.CaseKind.TRANSCRIPT and transcript is not None:
        lookup["transcript"] = transcript
    elif case_kind == MatrixCellSummary.CaseKind.ATTRIBUTE and attribute is not None:
        if not attribute_value:
            raise ValidationError({"attribute_value": "Which value of the attribute?"})
        lookup.update(attribute=attribute, attribute_value=attribute_value)
    else:
        raise ValidationError({"case_kind": "The row of this cell is not a known case."})
    summary = MatrixCellSummary.objects.select_for_update().filter(**lookup).first()
    if seen is not None and (summary.text if summary else "") != seen.strip():
        raise SummaryConflict(summary.text if summary else "")
    before = {"text": summary.text} if summary else None
    if summary is None:
        summary = MatrixCellSummary(**lookup)
    summary.text = text.strip()
    summary.updated_by = user
    summary.updated_at = timezone.now()
    summary.save()
    audit_record(
        project=project,
        user=user,
        action="update" if before else "create",
        instance=summary,  # type: ignore[arg-type]
        before=before,
        after={"text": summary.text, "code": code.pk, "case": lookup_label(lookup)},
    )
    return summary


def lookup_label(lookup: dict[str, Any]) -> str:
    """The cell's row as the matrix names it: "participant P1", "group FG3", "Age band 55-64"."""
    if "participant" in lookup:
        return f"participant {lookup['participant'].label}"
    if "transcript" in lookup:
        return f"group {lookup['transcript'].name}"
    return f"{lookup['attribute'].name} {lookup['attribute_value']}"


def coding_star_set(*, coding: Coding, user: Any, starred: bool) -> Coding:
    """Star (choose for the report) or unstar a quote, through the audited coding service."""
    return coding_update(coding=coding, user=user, starred=starred)


def export_job_start(*, project: Project, user: Any, export: str, form: ExportForm) -> Job:
    if export not in EXPORTS:
        raise ValidationError({"export": f"Unknown export {export!r}."})
    job = job_start(
        project=project,
        kind=JOB_KIND,
        user=user,
        params={"export": export, "filters": job_params(form)},
    )
    export_files_expire(project=project)
    return job


def export_files_expire(*, project: Project | None = None, hours: int | None = None) -> int:
    """Delete the stored files of background exports finished more than ``hours`` ago
    (``FG_EXPORT_RETENTION_HOURS``): exports hold participants' words, so they do not linger.
    The job stays listed, marked as expired. Returns how many files were deleted."""
    hours = settings.FG_EXPORT_RETENTION_HOURS if hours is None else hours
    jobs = Job.objects.filter(
        kind=JOB_KIND, finished_at__lt=timezone.now() - timedelta(hours=hours)
    ).exclude(result__file=None)
    if project is not None:
        jobs = jobs.filter(project=project)
    deleted = 0
    for job in jobs.only("id", "result"):
        stored = job.result.get("file")
        if not stored:
            continue
        default_storage.delete(stored)
        Job.objects.filter(pk=job.pk).update(
            result={key: value for key, value in job.result.items() if key != "file"}
            | {"expired": True}
        )
        deleted += 1
    return deleted


def export_write(
    *,
    project: Project,
    export: str,
    form: ExportForm,
    path: Path,
    progress: JobProgress | None = None,
    user: Any = None,
) -> int:
    """Write an export to ``path``; returns the number of quotes (or rows) it holds. ``user``
    is who exports (the report's author)."""
    filters: ExportFilters = form.export_filters()
    kind, extension = export.rsplit("_", 1)
    if kind == "quotes":
        index = ProjectIndex(project)
        if extension == "xlsx":
            return quotes_xlsx_write(project, filters, path, index=index)
        total = max(quote_count(project, filters, index), 1)
        written = [0]

        def count_rows(rows: int) -> None:
            written[0] += rows
            if progress is not None:
                progress.update(min(written[0] / total, 0.99), f"{written[0]} of {total} quotes")

        bom = form.cleaned_data["bom"]
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.writelines(
                quotes_csv_chunks(project, filters, bom=bom, index=index, on_rows=count_rows)
            )
        return written[0]
    if kind == "framework":
        matrix = framework_matrix_build(
            project=project, filters=filters, options=form.matrix_options()
        )
        if extension == "xlsx":
            framework_xlsx_write(matrix, path, about=about_lines(project, form))
        else:
            with open(path, "w", encoding="utf-8", newline="") as out:
                out.writelines(framework_csv_chunks(matrix, bom=form.cleaned_data["bom"]))
        return matrix.total
    author = (user.get_full_name() or user.get_username()) if user is not None else ""
    report = report_build(project=project, filters=filters, author=author, **form.report_options())
    if extension == "docx":
        report_docx_write(report, str(path))
    else:
        path.write_text(report_html(report), encoding="utf-8")
    return sum(theme.quote_count for theme in report.themes)


def about_lines(project: Project, form: ExportForm) -> list[str]:
    options = form.matrix_options()
    return [
        f"Project: {project.name}",
        f"Exported: {timezone.localtime():%Y-%m-%d %H:%M}",
        f"Rows: {options.attribute.name if options.attribute else options.rows}; "
        f"columns: {options.columns}; cells: {options.cells}",
        "Each theme or code has two columns: the analyst's summary, then the quotes "
        "(or their count). Quotes are separated by a blank line, each followed by "
        "(group, participant, timestamp).",
        "Cells starting with ' had a ' added so spreadsheets do not run them as formulas: "
        "remove the first ' to get the original text.",
        *form.export_filters().describe(),
    ]


def export_run(job: Job, progress: JobProgress) -> dict[str, Any]:
    """The job handler: re-validate the saved filters, write the file, store it."""
    export = job.params.get("export", "")
    if export not in EXPORTS:
        raise JobError(f"Unknown export {export!r}.")
    data = QueryDict(mutable=True)
    for name, values in job.params.get("filters", {}).items():
        data.setlist(name, values)
    form = ExportForm(data, project=job.project, viewer=job.created_by)
    if not form.is_valid():
        raise JobError("The filters are no longer valid:\n" + form.error_text())
    filename = export_filename(project=job.project, export=export)
    progress.update(0.0, "Starting", force=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        count = export_write(
            project=job.project,
            export=export,
            form=form,
            path=path,
            progress=progress,
            user=job.created_by,
        )
        progress.check_cancelled()
        with open(path, "rb") as handle:
            stored = default_storage.save(
                f"exports/{job.project_id}/{job.pk}/{filename}", File(handle)
            )
        size = path.stat().st_size
    label = EXPORTS[export][0]
    progress.job.message = f"{label} ready: {count} quotes."
    return {"file": stored, "filename": filename, "quotes": count, "bytes": size}
