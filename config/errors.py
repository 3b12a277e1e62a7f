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
