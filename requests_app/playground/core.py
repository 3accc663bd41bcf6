"""The playground's request and response types, limits and the helpers every route uses."""

from __future__ import annotations

import base64
import codecs
import email.message
import email.parser
import email.policy
import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlencode, urlsplit

Headers = list[tuple[str, str]]

MAX_BYTES = 10 * 1024 * 1024
MAX_DELAY_SECONDS = 10.0
MAX_DRIP_DURATION_SECONDS = 10.0
MAX_REDIRECTS = 10_000
MAX_STREAM_LINES = 100
DEFAULT_GZIP_BOMB_SIZE = 1 << 30
MAX_GZIP_BOMB_SIZE = 8 << 30
# File contents up to this size are echoed as text when they are UTF-8.
MAX_ECHOED_FILE_TEXT = 64 * 1024
DIGEST_REALM = "playground@webclient"
DIGEST_NONCE_LIFETIME_SECONDS = 300

JSON_TYPE = "application/json"
# Route-set headers may not change how the message is framed: the servers own that.
FRAMING_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer"}
)


def header_values(headers: Headers, name: str) -> list[str]:
    """Every value of header `name` (any case), in order."""
    lowered = name.lower()
    return [value for key, value in headers if key.lower() == lowered]


@dataclass
class PlaygroundRequest:
    method: str
    path: str  # percent-decoded, relative to `mount`, starts with "/"
    query: Headers = field(default_factory=list)  # percent-decoded pairs, in order
    headers: Headers = field(default_factory=list)  # as received: order, case, duplicates
    body: bytes = b""
    remote_addr: str = ""
    mount: str = ""  # "/echo" in the Django app, "" on the stdlib server
    scheme: str = "http"
    host: str = ""  # the authority the client addressed (Host header)
    target: str = ""  # request-target as received (mount included); derived when empty
    # False in the app: /redirect-to then only points at this host, so the app's origin
    # is no open redirector. The test server keeps it True to test cross-host hops.
    allows_offsite_redirects: bool = True
    secret: bytes = b""  # signs digest nonces; servers sharing it accept each other's

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), or None."""
        return next(iter(header_values(self.headers, name)), None)

    def header_values(self, name: str) -> list[str]:
        return header_values(self.headers, name)

    def param(self, name: str) -> str | None:
        """The first query value for `name`, or None."""
        for key, value in self.query:
            if key == name:
                return value
        return None

    @property
    def full_path(self) -> str:
        return self.mount + self.path

    @property
    def request_target(self) -> str:
        if self.target:
            return self.target
        query = urlencode(self.query)
        return quote(self.full_path) + (f"?{query}" if query else "")

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host or '127.0.0.1'}{self.request_target}"


@dataclass
class PlaygroundResponse:
    status: int
    headers: Headers = field(default_factory=list)
    body: bytes | Iterator[bytes] = b""
    reason: str | None = None

    def header(self, name: str) -> str | None:
        return next(iter(header_values(self.headers, name)), None)


class RouteInputError(ValueError):
    """Bad input in a route's path or query: answered as 400 with the message."""


# ------------------------------------------------------------------ helpers


def parse_request_target(target: str) -> tuple[str, Headers]:
    """Split a request-target as http.server gives it (latin-1 text) into a decoded path and query.

    Origin-form ("/a?b=c") and absolute-form ("http://h/a?b=c") are accepted; "//x" stays a path.
    """
    if target.lower().startswith(("http://", "https://")):
        parts = urlsplit(target)
        raw_path, raw_query = parts.path or "/", parts.query
    else:
        raw_path, _, raw_query = target.partition("?")
        raw_path = raw_path.partition("#")[0]
        raw_query = raw_query.partition("#")[0]
    # Raw non-ASCII bytes arrive as latin-1 characters: back to bytes, then UTF-8.
    path = unquote_to_bytes(raw_path.encode("latin-1", "replace")).decode("utf-8", "replace")
    return path, parse_query(raw_query)


def parse_query(raw_query: str) -> Headers:
    """Percent-decoded (key, value) pairs in order; blanks kept; latin-1 text repaired to UTF-8."""
    repaired = raw_query.encode("latin-1", "replace").decode("utf-8", "replace")
    return parse_qsl(repaired, keep_blank_values=True, encoding="utf-8", errors="replace")


def json_response(
    data: Any, status: int = 200, headers: Headers | None = None, reason: str | None = None
) -> PlaygroundResponse:
    body = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return PlaygroundResponse(status, [("Content-Type", JSON_TYPE), *(headers or [])], body, reason)


def error_response(status: int, message: str, headers: Headers | None = None) -> PlaygroundResponse:
    return json_response({"error": message, "status": status}, status, headers)


def text_response(text: str, content_type: str, status: int = 200) -> PlaygroundResponse:
    return PlaygroundResponse(status, [("Content-Type", content_type)], text.encode("utf-8"))


def redirect_response(location: str, status: int = 302) -> PlaygroundResponse:
    return PlaygroundResponse(
        status, [("Location", location), ("Content-Type", "text/plain; charset=utf-8")], b""
    )


def int_param(value: str | None, name: str, default: int, low: int, high: int) -> int:
    return int(_number_param(value, name, default, low, high, whole=True))


def float_param(value: str | None, name: str, default: float, high: float) -> float:
    return float(_number_param(value, name, default, 0, high, whole=False))


def _number_param(
    value: str | None, name: str, default: float, low: Any, high: Any, whole: bool
) -> float:
    """A query or path number in [low, high]; absent or empty gives `default`."""
    if value is None or value == "":
        return default
    try:
        number: float = int(value) if whole else float(value)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise RouteInputError(f"{name} must be {kind}, got {value!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        bounds = (f"{low:d} and {high:d}" if whole else f"{low:g} and {high:g}")
        raise RouteInputError(f"{name} must be between {bounds}, got {value}")
    return number


def content_type_of(request: PlaygroundRequest) -> tuple[str, dict[str, str]]:
    """(media type lower-cased, parameters) of the request's Content-Type."""
    raw = request.header("Content-Type")
    if not raw:
        return "", {}
    message = email.message.Message()
    message["Content-Type"] = raw
    params = {key.lower(): str(value) for key, value in message.get_params(failobj=[])[1:]}
    return raw.split(";", 1)[0].strip().lower(), params


def body_text(body: bytes) -> tuple[str, str]:
    """(text, encoding) where encoding is "utf-8", or "base64" for bytes that are not UTF-8."""
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def _parse_multipart(body: bytes, content_type_header: str) -> tuple[Headers, list[dict[str, Any]]]:
    """Fields and files of a multipart/form-data body, in order, duplicates kept.

    The email package parses MIME without the deprecated cgi module and keeps file bytes exact.
    """
    head = f"Content-Type: {content_type_header}\r\nMIME-Version: 1.0\r\n\r\n".encode(
        "utf-8", "replace"
    )
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return [], []
    fields: Headers = []
    files: list[dict[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True)  # bytes for a leaf part (multipart/form-data has no nested parts)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            charset = part.get_content_charset() or "utf-8"
            fields.append((str(name), content.decode(_known_charset(charset), "replace")))
            continue
        text: str | None = None
        if len(content) <= MAX_ECHOED_FILE_TEXT:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        files.append(
            {
                "name": str(name),
                "filename": str(filename),
                "content_type": part.get_content_type(),
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "content": text,
            }
        )
    return fields, files


def _known_charset(charset: str) -> str:
    """`charset` if Python knows it, else UTF-8; utf-7 (which can smuggle markup) read as UTF-8."""
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return "utf-8"
    return "utf-8" if name == "utf-7" else charset


def echo_data(request: PlaygroundRequest) -> dict[str, Any]:
    """What /anything answers: everything the request carried, nothing lost."""
    args: dict[str, list[str]] = {}
    for key, value in request.query:
        args.setdefault(key, []).append(value)
    data, data_encoding = body_text(request.body)
    media_type, _params = content_type_of(request)
    form: Headers = []
    files: list[dict[str, Any]] = []
    if media_type == "application/x-www-form-urlencoded":
        form = parse_qsl(
            request.body.decode("utf-8", "replace"), keep_blank_values=True, errors="replace"
        )
    elif media_type.startswith("multipart/") and request.body:
        form, files = _parse_multipart(request.body, request.header("Content-Type") or "")
    parsed_json: Any = None
    if request.body and data_encoding == "utf-8":
        try:
            parsed_json = json.loads(data)
        except (ValueError, RecursionError):
            parsed_json = None
    return {
        "method": request.method,
        "path": request.path,
        "url": request.url,
        "query": [list(pair) for pair in request.query],
        "args": args,
        "headers": [list(pair) for pair in request.headers],
        "origin": request.remote_addr,
        "data": data,
        "data_encoding": data_encoding,
        "form": [list(pair) for pair in form],
        "files": files,
        "json": parsed_json,
    }


def mounted_location(request: PlaygroundRequest, path: str, absolute: bool = False) -> str:
    location = request.mount + path
    if absolute:
        return f"{request.scheme}://{request.host or '127.0.0.1'}{location}"
    return location


def has_control_characters(value: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)
