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


class SessionIdleMiddleware:
    """A logged-in session is saved again, pushing its expiry ``SESSION_COOKIE_AGE`` ahead,
    when it was last refreshed more than ``REFRESH_SECONDS`` ago: idle sessions end, busy ones
    do not, and a request costs no session write most of the time."""

    REFRESH_SECONDS = 300

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        response = self.get_response(request)
        if response.status_code == 503:
            return response  # the database is away (config.errors): nothing to refresh now
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            import time

            now = int(time.time())
            if now - int(session.get("_refreshed", 0)) > self.REFRESH_SECONDS:
                session["_refreshed"] = now  # marks the session modified: it is saved
        return response


def session_refreshed_at_login(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
    """A new session starts refreshed (``user_logged_in`` receiver, wired in config/apps.py)."""
    import time

    if request is not None and hasattr(request, "session"):
        request.session["_refreshed"] = int(time.time())
