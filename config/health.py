"""``/health/``: is this web process able to serve? The database answers, and the broker (when
there is one) answers. Used by the compose healthchecks; it needs no login, names no data and
accepts any Host header (a probe inside the container does not know the public host name)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the probe reports any failure, it does not raise
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    try:
        from config.celery import app

        with app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(value in ("ok", "in-process") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


class HealthHostMiddleware:
    """Lets ``/health/`` answer whatever the Host header (before CommonMiddleware checks it)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        if request.path == "/health/":
            return health(request)
        return self.get_response(request)
