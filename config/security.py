"""The Content-Security-Policy header (Django 5.2 has none of its own). The app runs no inline
script, so the default policy (``FG_CONTENT_SECURITY_POLICY``, in settings) allows scripts
from this site only; styles may be inline (style attributes colour the highlights)."""

from __future__ import annotations

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
