"""Request logging, the node header, JSON log lines and the database-unavailable answer.

- ``RequestLogMiddleware`` (outermost): one line per request on the ``webclient.request``
  logger — method, path (never the query string: it may carry tokens), status, duration,
  user id, node — and ``X-Webclient-Node: <WEBCLIENT_NODE>`` on every response. Bodies,
  headers and cookies are never logged.
- ``JsonFormatter``: ``WEBCLIENT_LOG_FORMAT=json`` makes every log record one JSON object.
- ``server_error`` (``handler500``): a database that cannot be reached (restart, failover)
  answers 503 with a clear page or API error instead of a 500; the next request after the
  database is back reconnects by itself (``CONN_HEALTH_CHECKS`` drops the dead connection).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.functional import empty
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("webclient.request")

DATABASE_UNAVAILABLE = "The database is unavailable right now; try again in a moment."
# Fields a request's log record carries (see `extra=` below); the JSON formatter copies them.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "node")


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, without loading a user no one looked at (no extra query)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.node = settings.WEBCLIENT_NODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Webclient-Node"] = self.node
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": _user_id(request),
            "node": self.node,
        }
        logger.info(
            "%s %s %s %.1fms user=%s node=%s", *(fields[name] for name in REQUEST_FIELDS), extra=fields
        )
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, (OperationalError, InterfaceError))


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: 503 when the database could not be reached, Django's 500 otherwise."""
    if not database_unavailable(sys.exc_info()[1]):
        return django_server_error(request, template_name)
    if request.path.startswith("/api/"):
        body = {"error": {"code": "database_unavailable", "message": DATABASE_UNAVAILABLE, "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        html = render_to_string("503.html", {"message": DATABASE_UNAVAILABLE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = "5"
    return response
