"""An upload handler that stops storing a file as soon as it passes the per-file limit, so a
60 MB file is never written to a temporary file or held in memory only to be refused. The
browser checks the size before sending (``transcripts/static/transcripts/upload.js``); this is
the server's own check for clients that do not."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class PerFileLimitUploadHandler(FileUploadHandler):
    """Listed first in ``FILE_UPLOAD_HANDLERS``: on the transcript upload, it counts each file's
    bytes as they arrive and skips the file (it never reaches the other handlers or the view)
    once it is over ``FG_MAX_UPLOAD_BYTES``; the names of skipped files are kept on the
    request."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.applies = _is_transcript_upload(request)
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        limit = getattr(settings, "FG_MAX_UPLOAD_BYTES", 0)
        if self.applies and limit and self.received > limit:
            skipped = getattr(self.request, "files_too_big", [])
            skipped.append(self.file_name)
            self.request.files_too_big = skipped  # type: ignore[union-attr]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _is_transcript_upload(request: Any) -> bool:
    """Only the transcript upload has this limit (REFI-QDA projects have a larger one)."""
    from django.urls import Resolver404, resolve

    if request is None:
        return False
    try:
        return resolve(request.path_info).view_name == "transcripts:transcript_upload"
    except Resolver404:
        return False
