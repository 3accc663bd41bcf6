"""What happened on the wire: the plain-data result of `engine.send`.

Usage::

    exchange = send(spec, policy=policy)
    if exchange.error:                      # network trouble is data, never an exception
        print(exchange.error.kind, exchange.error.message)
    else:
        r = exchange.response
        print(r.status_line)                # "HTTP/1.1 404 Not Found"
        print(r.status_name)                # "NOT_FOUND"
        print(r.text())                     # body decoded with its charset, defensively
    exchange_to_dict(exchange)              # JSON-safe dict, the API's shape

4xx and 5xx are responses, not errors.
"""

from __future__ import annotations

import base64
import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from requests_app.engine.spool import SpooledBody

# Error kinds a person can meet; each carries a message written for them.
INVALID_REQUEST = "invalid_request"
DNS = "dns"
REFUSED = "refused"
TIMEOUT = "timeout"
TLS = "tls"
BLOCKED = "blocked"
TOO_LARGE = "too_large"
PROTOCOL = "protocol"
UNSUPPORTED = "unsupported"
ERROR_KINDS = (INVALID_REQUEST, DNS, REFUSED, TIMEOUT, TLS, BLOCKED, TOO_LARGE, PROTOCOL, UNSUPPORTED)

# A hint shown under the message: what to check next.
ERROR_HINTS = {
    INVALID_REQUEST: "Fix the highlighted part of the request and send again.",
    DNS: "Check the host name for typos; is it reachable from the webclient server?",
    REFUSED: "Is the server running? Is the port right?",
    TIMEOUT: "The server took too long. Raise the timeout in Settings, or check the server.",
    TLS: "The certificate could not be verified. Turn off 'Verify TLS' in Settings for self-signed servers.",
    BLOCKED: "This server's outbound policy refuses that address. Ask an admin to allow-list it.",
    TOO_LARGE: "Lower the size of what you send, or raise the limit in Settings.",
    PROTOCOL: "The server's answer was not valid HTTP/1.1.",
    UNSUPPORTED: "Only http:// and https:// URLs can be sent.",
}

BODY_KINDS = ("json", "xml", "html", "text", "image", "binary", "empty")


@dataclass
class ExchangeError:
    kind: str
    message: str
    code: str = ""  # finer name, e.g. "header_crlf", "variable_cycle", "bad_method"
    field: str = ""  # which part of the request, e.g. "headers[2].value"

    @property
    def hint(self) -> str:
        return ERROR_HINTS.get(self.kind, "")


@dataclass
class Timings:
    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    ttfb_ms: float | None = None
    download_ms: float | None = None
    total_ms: float | None = None


@dataclass
class Cookie:
    name: str
    value: str
    domain: str = ""
    path: str = "/"
    expires: str | None = None  # ISO 8601 UTC, None for a session cookie
    max_age: int | None = None
    secure: bool = False
    http_only: bool = False
    same_site: str = ""


@dataclass
class SentRequest:
    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body_size: int = 0
    wire: bytes = b""  # request line, headers, blank line, body (first 64 KiB)

    @property
    def wire_text(self) -> str:
        return self.wire.decode("latin-1")


@dataclass
class Response:
    http_version: str
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)
    # Made before `body` is set by __init__ (the property below writes into it).
    content: SpooledBody = field(default_factory=SpooledBody, init=False, repr=False, compare=False)
    # Decoded from Content-Encoding, at most max_response_bytes. Stored in `content` (a
    # SpooledBody, on disk past 1 MiB); reading `body` makes one bytes object of it, so code
    # that needs only the size or the first bytes asks `body_size` / `content.head(n)`.
    body: bytes = field(default=b"", repr=False)
    wire_body_size: int = 0  # bytes as they arrived (compressed)
    header_size: int = 0
    truncated: bool = False
    content_type: str = ""  # media type only, lower case
    charset: str = ""
    kind: str = "empty"
    wire_head: bytes = b""  # status line + headers exactly as received

    @property
    def status_line(self) -> str:
        return f"{self.http_version} {self.status} {self.reason}".rstrip()

    @property
    def status_name(self) -> str:
        try:
            return HTTPStatus(self.status).name
        except ValueError:
            return ""

    @property
    def status_description(self) -> str:
        try:
            return HTTPStatus(self.status).description
        except ValueError:
            return ""

    @property
    def status_class(self) -> str:
        return f"{self.status // 100}xx"

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    @property
    def body_size(self) -> int:
        return self.content.size

    def text(self) -> str:
        """Body as text, decoded with the declared charset when it is a safe one."""
        return decode_text(self.body, self.charset)


def _response_body(response: Response) -> bytes:
    return response.content.read()


def _set_response_body(response: Response, value: bytes) -> None:
    response.content = SpooledBody(value)


# `body` stays a constructor argument and an attribute (bytes in, bytes out) while the bytes live
# in `content`: a property set after the class, so the dataclass keeps `body` as a field.
Response.body = property(_response_body, _set_response_body)  # type: ignore[assignment]


# utf-7 and friends can turn harmless-looking bytes into markup; never honour them.
_UNSAFE_CHARSETS = {"utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-user-defined"}


def _safe_charset(charset: str) -> str:
    name = (charset or "utf-8").strip().lower()
    if name in _UNSAFE_CHARSETS:
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return "utf-8"
    # base64, rot13, zlib…: codecs that bytes.decode refuses (LookupError) as not text encodings.
    return name if getattr(info, "_is_text_encoding", True) else "utf-8"


def decode_text(data: bytes, charset: str = "") -> str:
    return data.decode(_safe_charset(charset), errors="replace")


def decode_text_chunks(chunks: Iterable[bytes], charset: str = "") -> Iterator[str]:
    """decode_text over a body read a chunk at a time (a character cut between chunks stays whole)."""
    decoder = codecs.getincrementaldecoder(_safe_charset(charset))(errors="replace")
    for chunk in chunks:
        if text := decoder.decode(chunk):
            yield text
    if text := decoder.decode(b"", final=True):
        yield text


@dataclass
class RedirectHop:
    status: int
    url: str
    location: str
    cookies: list[Cookie] = field(default_factory=list)  # what this hop's Set-Cookie headers set


@dataclass
class Exchange:
    request: SentRequest | None = None
    response: Response | None = None
    redirects: list[RedirectHop] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    warnings: list[str] = field(default_factory=list)
    error: ExchangeError | None = None
    # `{{name}}`s no scope defined: sent as written (as Postman does), named wherever the exchange is shown.
    unresolved_variables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


TEXT_KINDS = ("json", "xml", "html", "text", "empty")


def response_to_dict(response: Response, *, with_body: bool = True) -> dict[str, Any]:
    """The API's shape; `with_body=False` leaves out body_text/body_base64 (the caller streams them)."""
    out: dict[str, Any] = {
        "http_version": response.http_version,
        "status": response.status,
        "reason": response.reason,
        "status_name": response.status_name,
        "status_description": response.status_description,
        "headers": [[k, v] for k, v in response.headers],
        "cookies": [_cookie_to_dict(c) for c in response.cookies],
        "content_type": response.content_type,
        "charset": response.charset,
        "kind": response.kind,
        "size": {"headers": response.header_size, "body": response.body_size, "wire_body": response.wire_body_size},
        "truncated": response.truncated,
        "wire_head": response.wire_head.decode("latin-1"),
    }
    if not with_body:
        return out
    if response.kind in TEXT_KINDS:
        out["body_text"] = response.text()
    else:
        out["body_base64"] = base64.b64encode(response.body).decode("ascii")
    return out


def _cookie_to_dict(c: Cookie) -> dict[str, Any]:
    return {
        "name": c.name,
        "value": c.value,
        "domain": c.domain,
        "path": c.path,
        "expires": c.expires,
        "max_age": c.max_age,
        "secure": c.secure,
        "http_only": c.http_only,
        "same_site": c.same_site,
    }


def exchange_to_dict(exchange: Exchange, *, with_body: bool = True) -> dict[str, Any]:
    req = exchange.request
    t = exchange.timings
    return {
        "request": None
        if req is None
        else {
            "method": req.method,
            "url": req.url,
            "headers": [[k, v] for k, v in req.headers],
            "body_size": req.body_size,
            "wire": req.wire_text,
        },
        "response": None if exchange.response is None else response_to_dict(exchange.response, with_body=with_body),
        "redirects": [
            {"status": h.status, "url": h.url, "location": h.location, "cookies": [_cookie_to_dict(c) for c in h.cookies]}
            for h in exchange.redirects
        ],
        "timings": {
            "dns_ms": _round(t.dns_ms),
            "connect_ms": _round(t.connect_ms),
            "tls_ms": _round(t.tls_ms),
            "ttfb_ms": _round(t.ttfb_ms),
            "download_ms": _round(t.download_ms),
            "total_ms": _round(t.total_ms),
        },
        "warnings": list(exchange.warnings),
        "unresolved_variables": list(exchange.unresolved_variables),
        "error": None
        if exchange.error is None
        else {
            "kind": exchange.error.kind,
            "code": exchange.error.code,
            "message": exchange.error.message,
            "field": exchange.error.field,
            "hint": exchange.error.hint,
        },
    }


def _cookie_from_dict(data: dict[str, Any]) -> Cookie:
    return Cookie(**{name: data[name] for name in Cookie.__dataclass_fields__ if name in data})


def response_from_dict(data: dict[str, Any]) -> Response:
    """The inverse of response_to_dict. A text body comes back as its UTF-8 bytes (charset
    "utf-8"): what was stored is the decoded text, so bytes invalid in their charset stay replaced."""
    if "body_base64" in data:
        body, charset = base64.b64decode(data.get("body_base64") or ""), str(data.get("charset", ""))
    else:
        body, charset = str(data.get("body_text") or "").encode("utf-8"), "utf-8"
    size = data.get("size") or {}
    return Response(
        http_version=str(data.get("http_version", "")),
        status=int(data.get("status") or 0),
        reason=str(data.get("reason", "")),
        headers=[(str(k), str(v)) for k, v in data.get("headers") or []],
        cookies=[_cookie_from_dict(c) for c in data.get("cookies") or []],
        body=body,
        wire_body_size=int(size.get("wire_body") or 0),
        header_size=int(size.get("headers") or 0),
        truncated=bool(data.get("truncated")),
        content_type=str(data.get("content_type", "")),
        charset=charset,
        kind=str(data.get("kind", "empty")),
        wire_head=str(data.get("wire_head", "")).encode("latin-1", errors="replace"),
    )


def exchange_from_dict(data: dict[str, Any]) -> Exchange:
    """The inverse of exchange_to_dict (a recorded exchange read back: history, "try tests").
    Exact for exchanges whose text bodies are UTF-8 and whose timings have at most 3 decimals;
    tests/engine/test_exchange_round_trip.py checks it."""
    sent = data.get("request")
    request = None
    if sent:
        request = SentRequest(
            method=str(sent.get("method", "")),
            url=str(sent.get("url", "")),
            headers=[(str(k), str(v)) for k, v in sent.get("headers") or []],
            body_size=int(sent.get("body_size") or 0),
            wire=str(sent.get("wire", "")).encode("latin-1", errors="replace"),
        )
    error = data.get("error")
    return Exchange(
        request=request,
        response=response_from_dict(data["response"]) if data.get("response") else None,
        redirects=[
            RedirectHop(status=int(hop.get("status") or 0), url=str(hop.get("url", "")), location=str(hop.get("location", "")),
                        cookies=[_cookie_from_dict(c) for c in hop.get("cookies") or []])
            for hop in data.get("redirects") or []
        ],
        timings=Timings(**{k: v for k, v in (data.get("timings") or {}).items() if k in Timings.__dataclass_fields__}),
        warnings=[str(w) for w in data.get("warnings") or []],
        error=None if not error else ExchangeError(
            kind=str(error.get("kind", "")), message=str(error.get("message", "")),
            code=str(error.get("code", "")), field=str(error.get("field", "")),
        ),
        unresolved_variables=[str(v) for v in data.get("unresolved_variables") or []],
    )
