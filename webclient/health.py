"""`GET /healthz` and `GET /readyz`: unauthenticated, cheap, JSON naming each check.

- /healthz: the process answers (no database, no network) — for a supervisor's liveness probe.
- /readyz: the database answers ``SELECT 1``, the cache stores and reads a key, and with a broker
  (CELERY_BROKER_URL) the broker accepts a connection and at least one Celery worker answers a
  ping — for a balancer or a deploy script deciding whether this node may take traffic. 200 when
  every check passes, else 503; a failed check names the error class, never a URL or password.

The middleware answers before host validation and HTTPS redirects (it sits above
SecurityMiddleware): a balancer probes a node by address, over plain HTTP.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

PATHS = ("/healthz", "/readyz")
BROKER_TIMEOUT_SECONDS = 1.0
# A ping returns as soon as one worker answers; with none it waits this long.
WORKER_PING_SECONDS = 1.0


def _timed(check: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result: dict[str, Any] = {"ok": True, **detail}
    except Exception as error:  # a probe reports every failure, it never raises
        logger.warning("readiness check failed: %s %s", type(error).__name__, error)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"webclient:readyz:{settings.WEBCLIENT_NODE}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")


def _broker() -> None:
    from webclient.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)


class NoWorker(Exception):
    """No Celery worker answered the ping."""


def _workers() -> dict[str, Any]:
    from webclient.celery import app

    replies = app.control.ping(timeout=WORKER_PING_SECONDS, limit=1)
    if not replies:
        raise NoWorker()
    return {"answered": sorted(name for reply in replies for name in reply)}


def readiness() -> dict[str, dict[str, Any]]:
    checks = {"database": _timed(_database), "cache": _timed(_cache)}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _timed(_broker)
        if checks["broker"]["ok"]:
            checks["workers"] = _timed(_workers)
        else:
            checks["workers"] = {"ok": False, "error": "BrokerUnreachable", "ms": 0.0}
    else:
        checks["broker"] = {"ok": True, "skipped": "no broker: runs use this process's threads"}
    return checks


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path not in PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        node = settings.WEBCLIENT_NODE
        if path == "/healthz":
            response = JsonResponse({"status": "ok", "node": node})
        else:
            checks = readiness()
            ready = all(check["ok"] for check in checks.values())
            response = JsonResponse({"status": "ok" if ready else "fail", "node": node, "checks": checks},
                                    status=200 if ready else 503)
        response["Cache-Control"] = "no-store"
        return response
