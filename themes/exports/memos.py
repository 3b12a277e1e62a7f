"""The memos document (DOCX): the project's memos by what they are about (the project, each
transcript, participant and code), then the memos on codings with the words they are on; the
same filters and search as the memos page, and blind coding hides other coders' coding memos."""

from __future__ import annotations

from typing import IO, Any

from django.utils import timezone

from coding.models import Memo
from coding.selectors.memos import MemoFilter, coding_memo_list, memo_list
from transcripts.models import Project

from .cells import xml_safe

HEADINGS = {
    Memo.About.PROJECT: "About the project",
    Memo.About.TRANSCRIPT: "About transcripts",
    Memo.About.PARTICIPANT: "About participants",
    Memo.About.CODE: "About codes",
}


def memos_docx_write(
    *, project: Project, filters: MemoFilter, user: Any, out: IO[bytes] | str
) -> int:
    """Write the document; returns how many memos it holds."""
    from docx import Document

    document = Document()
    document.core_properties.title = f"{project.name}: memos"
    document.core_properties.author = user.get_full_name() or user.get_username()
    document.add_heading(xml_safe(f"{project.name}: memos"), level=0)
    intro = f"Exported {timezone.localtime():%d %B %Y %H:%M}."
    if filters.q:
        intro += f" Memos with the words: {filters.q}."
    document.add_paragraph(xml_safe(intro))
    count = 0
    memos = list(memo_list(project=project, filters=filters))
    for about, heading in HEADINGS.items():
        these = [memo for memo in memos if memo.about == about]
        if not these:
            continue
        document.add_heading(heading, level=1)
        for memo in sorted(these, key=lambda m: (m.subject.casefold(), m.created_at)):
            title = memo.title if about == Memo.About.PROJECT else f"{memo.subject}: {memo.title}"
            document.add_heading(xml_safe(title), level=2)
            who = memo.author.get_username() if memo.author else "(removed user)"
            meta = document.add_paragraph()
            meta.add_run(
                f"{who}, {timezone.localtime(memo.updated_at):%d %B %Y %H:%M}"
            ).italic = True
            for paragraph in memo.text.split("\n\n"):
                document.add_paragraph(xml_safe(paragraph))
            count += 1
    codings = list(coding_memo_list(project=project, filters=filters, user=user))
    if codings:
        document.add_heading("On codings", level=1)
        for coding in codings:
            head = document.add_paragraph(style="Quote")
            head.add_run(xml_safe(f"'{coding.text}' ({coding.transcript.name})"))
            line = document.add_paragraph()
            line.add_run(
                xml_safe(f"{coding.code.name}, {coding.coder.get_username()}: ")
            ).bold = True
            line.add_run(xml_safe(coding.memo))
            count += 1
    if not count:
        document.add_paragraph("No memos match.").runs[0].italic = True
    document.save(out)
    return count
