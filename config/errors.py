"""Errors every page may meet, answered in one place. When the broker is down, a request that
would start background work has written nothing (``jobs.services.broker_check``); the analyst
is told so plainly instead of getting a bare 500."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from jobs.services import JobsUnavailable


class JobsUnavailableMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        return self.get_response(request)

    def process_exception(self, request, exception):  # type: ignore[no-untyped-def]
        if not isinstance(exception, JobsUnavailable):
            return None
        text = " ".join(exception.messages)
        if request.headers.get("HX-Request"):
            return HttpResponse(
                f'<div class="error jobs-unavailable" role="alert">{escape(text)}</div>',
                status=503,
                headers={"HX-Reswap": "innerHTML"},
            )
        messages.error(request, text)
        back = request.headers.get("Referer", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return HttpResponse(f"<p>{escape(text)}</p>", status=503)


DATABASE_UNAVAILABLE = (
    "The database cannot be reached right now (it may be restarting), so nothing was saved. "
    "Try again in a moment."
)


class DatabaseUnavailableMiddleware:
    """A lost database connection (a restart, say) answers 503 with a plain sentence instead of
    a bare 500: the request's writes did not happen, and the next request reconnects
    (``CONN_HEALTH_CHECKS``). The page is written here because rendering a template could need
    the database too."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        return self.get_response(request)

    def process_exception(self, request, exception):  # type: ignore[no-untyped-def]
        from django.db import InterfaceError, OperationalError, connection

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        connection.close()  # never reuse it; the next request opens a new one
        if request.headers.get("HX-Request"):
            return HttpResponse(
                f'<div class="error db-unavailable" role="alert">{DATABASE_UNAVAILABLE}</div>',
                status=503,
                headers={"HX-Reswap": "innerHTML", "Retry-After": "5"},
            )
        return HttpResponse(
            f"<!doctype html><title>Try again in a moment</title><p>{DATABASE_UNAVAILABLE}</p>",
            status=503,
            headers={"Retry-After": "5"},
        )


def bad_request(request, exception=None):  # type: ignore[no-untyped-def]
    """Django's 400, with the app's own page, and the reason when the user can act on it: more
    files in one upload than it takes is refused while the request is read (before any view),
    so the message must come from here."""
    from django.conf import settings
    from django.core.exceptions import TooManyFilesSent
    from django.shortcuts import render

    message = "The request could not be read."
    if isinstance(exception, TooManyFilesSent):
        message = (
            f"That is more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files in one upload, so "
            "none of them was kept: upload them in parts, or as a zip of them."
        )
    return render(request, "400.html", {"message": message, "back": request.path}, status=400)
