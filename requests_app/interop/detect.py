"""Recognise what was pasted or uploaded, and read it with the right importer.

Usage::

    from requests_app.interop.detect import detect_format, import_content

    detect_format('curl -X POST https://...')          # "curl"
    result = import_content(text, format="auto")        # ImportResult; result.format says what it was
    result = import_content(data, format="postman")     # the person's choice overrides detection

Formats: curl, postman, postman_environment, http, har, openapi (model.FORMATS). JSON
is parsed once, with the size and depth limits, and handed to the importer. Anything
unrecognisable is an ImportFormatError that says which formats were expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from requests_app.interop.curl import parse_curl
from requests_app.interop.har import parse_har, parse_har_data
from requests_app.interop.httpfile import parse_http
from requests_app.interop.limits import as_text, load_json
from requests_app.interop.model import FORMATS, ImportFormatError, ImportResult
from requests_app.interop.openapi import parse_openapi, parse_openapi_data
from requests_app.interop.postman import (
    parse_postman,
    parse_postman_data,
    parse_postman_environment,
    parse_postman_environment_data,
)

FORMAT = "Import"
_CURL = re.compile(r"^(?:\$\s+)?(?:\S*[/\\])?curl(?:\.exe)?(?:\s|$)", re.IGNORECASE)
_YAML_OPENAPI = re.compile(r"^(?:openapi|swagger)\s*:", re.MULTILINE)
_HTTP_REQUEST_LINE = re.compile(
    r"^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT|PROPFIND|PURGE)\s+\S+", re.MULTILINE
)
_HTTP_MARKERS = re.compile(r"^(?:###|@[A-Za-z_][\w.-]*\s*=|#\s*@name\b)", re.MULTILINE)

_READERS: dict[str, Callable[[str], ImportResult]] = {
    "curl": parse_curl,
    "postman": parse_postman,
    "postman_environment": parse_postman_environment,
    "http": parse_http,
    "har": parse_har,
    "openapi": parse_openapi,
}
_DATA_READERS: dict[str, Callable[[Any], ImportResult]] = {
    "postman": parse_postman_data,
    "postman_environment": parse_postman_environment_data,
    "har": parse_har_data,
    "openapi": parse_openapi_data,
}


def _json_kind(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    log = data.get("log")
    if isinstance(log, dict) and "entries" in log:
        return "har"
    if "openapi" in data or "swagger" in data:
        return "openapi"
    info = data.get("info")
    if isinstance(info, dict) and ("item" in data or "_postman_id" in info or "getpostman" in str(info.get("schema"))):
        return "postman"
    if "requests" in data and ("order" in data or "folders" in data):
        return "postman"  # v1: the Postman reader explains that it wants v2.1
    if isinstance(data.get("values"), list):
        return "postman_environment"
    return None


def _detect(text: str) -> tuple[str, Any]:
    stripped = text.lstrip()
    if not stripped:
        raise ImportFormatError(FORMAT, "", "there is nothing to import")
    first_command = next((ln.strip() for ln in stripped.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    if _CURL.match(first_command):
        return "curl", None
    if stripped[0] in "{[":
        data = load_json(text, FORMAT)
        kind = _json_kind(data)
        if kind is None:
            raise ImportFormatError(
                FORMAT, "", "this JSON is not a Postman collection or environment, a HAR file or an OpenAPI document"
            )
        return kind, data
    if _YAML_OPENAPI.search(text):
        return "openapi", None
    if _HTTP_REQUEST_LINE.search(text) or _HTTP_MARKERS.search(text):
        return "http", None
    raise ImportFormatError(
        FORMAT,
        "",
        "the format was not recognised (expected a curl command, a Postman collection or environment, "
        "an .http file, a HAR file or an OpenAPI document); choose the format by hand",
    )


def detect_format(content: str | bytes) -> str:
    return _detect(as_text(content, FORMAT))[0]


def import_content(content: str | bytes, *, format: str = "auto", name: str = "") -> ImportResult:
    """Read `content` as `format` ("auto" detects it); `name` (a file name) names .http collections."""
    if format != "auto" and format not in FORMATS:
        raise ImportFormatError(FORMAT, "format", f"unknown format {format!r}; one of auto, {', '.join(FORMATS)}")
    text = as_text(content, FORMAT)
    if format != "auto":
        return _read(format, text, name)
    kind, data = _detect(text)
    if data is not None:
        return _DATA_READERS[kind](data)
    return _read(kind, text, name)


def _read(kind: str, text: str, name: str) -> ImportResult:
    if kind == "http":
        return parse_http(text, name=name)
    return _READERS[kind](text)
