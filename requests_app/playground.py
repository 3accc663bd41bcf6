"""An httpbin-like playground: routes as plain functions, served by two servers.

The same routes answer in the Django app under ``/echo/`` (requests_app/views/echo.py)
and from the standard library's http.server on 127.0.0.1 (requests_app/playground_server.py),
which the tests, demos and benchmarks use. No Django import here.

Usage::

    from requests_app.playground import PlaygroundRequest, handle
    response = handle(PlaygroundRequest(method="GET", path="/status/418"))
    response.status, response.headers, response.body   # 418, [("Content-Type", ...)], b'{...}'

    # a server adapter fills the request from what it received:
    handle(PlaygroundRequest(method="POST", path="/anything", query=[("a", "1")],
                             headers=[("Content-Type", "application/json")], body=b'{"x": 1}',
                             remote_addr="127.0.0.1", mount="/echo", host="127.0.0.1:8000"))

    python -m requests_app.playground [--port 8765] [--tls]   # the stdlib server, foreground

``path`` is relative to ``mount``; every Location and cookie Path a route produces is put
back under ``mount``, so redirects served at /echo/ stay under /echo/.

Slow routes (``/drip``, ``/stream/<n>``) return an iterator of byte chunks as the body;
servers stream it (with the route's Content-Length, else chunked).
"""

from __future__ import annotations

import base64
import codecs
import email.message
import email.parser
import email.policy
import gzip
import hashlib
import hmac
import json
import math
import random
import re
import secrets
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, unquote_to_bytes, urlencode, urlsplit
from urllib.request import parse_http_list, parse_keqv_list

import brotli

from requests_app.engine.validation import is_token

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
# Signs digest nonces when the server passes no secret; one process then accepts its own nonces.
_PROCESS_SECRET = secrets.token_bytes(32)

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


def _int_param(value: str | None, name: str, default: int, low: int, high: int) -> int:
    return int(_number_param(value, name, default, low, high, whole=True))


def _float_param(value: str | None, name: str, default: float, high: float) -> float:
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


def _content_type(request: PlaygroundRequest) -> tuple[str, dict[str, str]]:
    """(media type lower-cased, parameters) of the request's Content-Type."""
    raw = request.header("Content-Type")
    if not raw:
        return "", {}
    message = email.message.Message()
    message["Content-Type"] = raw
    params = {key.lower(): str(value) for key, value in message.get_params(failobj=[])[1:]}
    return raw.split(";", 1)[0].strip().lower(), params


def _body_text(body: bytes) -> tuple[str, str]:
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
        content = part.get_payload(decode=True) or b""
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
    data, data_encoding = _body_text(request.body)
    media_type, _params = _content_type(request)
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


def _location(request: PlaygroundRequest, path: str, absolute: bool = False) -> str:
    location = request.mount + path
    if absolute:
        return f"{request.scheme}://{request.host or '127.0.0.1'}{location}"
    return location


def _has_control_characters(value: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)


# ------------------------------------------------------------------ routes


def index(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response(
        {
            "playground": "httpbin-like routes; paths below are relative to this URL",
            "routes": [{"path": route.pattern, "summary": route.summary} for route in ROUTES],
        }
    )


def anything(request: PlaygroundRequest, rest: str = "") -> PlaygroundResponse:
    return json_response(echo_data(request))


def method_echo(request: PlaygroundRequest) -> PlaygroundResponse:
    """/get, /post, … answer their own method (GET also for HEAD), 405 otherwise."""
    expected = request.path.strip("/").upper()
    allowed = {expected, "HEAD"} if expected == "GET" else {expected}
    if request.method.upper() not in allowed:
        return error_response(
            405, f"{request.path} only answers {expected}", [("Allow", ", ".join(sorted(allowed)))]
        )
    return json_response(echo_data(request))


def headers(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response({"headers": [list(pair) for pair in request.headers]})


def ip(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response({"origin": request.remote_addr})


def user_agent(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response({"user-agent": request.header("User-Agent")})


def status(request: PlaygroundRequest, codes: str) -> PlaygroundResponse:
    # "200,201" (httpbin picks at random, optionally weighted "200:0.3"): we take the first.
    first = codes.split(",")[0].split(":")[0].strip()
    code = _int_param(first, "status code", 200, 100, 599)
    if code < 200 or code in (204, 304):
        return PlaygroundResponse(code, [], b"")
    extra: Headers = []
    if code in (301, 302, 303, 305, 307, 308):
        extra.append(("Location", _location(request, "/redirect/1")))
    elif code == 401:
        extra.append(("WWW-Authenticate", f'Basic realm="{DIGEST_REALM}"'))
    elif code == 407:
        extra.append(("Proxy-Authenticate", f'Basic realm="{DIGEST_REALM}"'))
    return json_response({"status": code}, code, extra)


def redirect(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    hops = _int_param(count, "redirect count", 1, 1, MAX_REDIRECTS)
    absolute = (request.param("absolute") or "").lower() in ("1", "true", "yes")
    if hops == 1:
        return redirect_response(_location(request, "/get", absolute))
    return redirect_response(_location(request, f"/redirect/{hops - 1}", absolute))


def relative_redirect(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    hops = _int_param(count, "redirect count", 1, 1, MAX_REDIRECTS)
    # A relative reference, resolved by the client against this URL.
    target = "../get" if hops == 1 else str(hops - 1)
    return redirect_response(target)


def absolute_redirect(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    hops = _int_param(count, "redirect count", 1, 1, MAX_REDIRECTS)
    path = "/get" if hops == 1 else f"/absolute-redirect/{hops - 1}"
    return redirect_response(_location(request, path, absolute=True))


OFFSITE_REDIRECT_REFUSED = (
    "redirect-to served by the app only points at paths on this server; "
    "use the standalone playground server for redirects to other hosts"
)


def redirect_to(request: PlaygroundRequest) -> PlaygroundResponse:
    url = request.param("url")
    if not url:
        raise RouteInputError("redirect-to needs ?url=<where to send the client>")
    if _has_control_characters(url):
        raise RouteInputError("the url must not contain control characters (CR, LF, TAB, NUL…)")
    raw_status = request.param("status_code") or request.param("status")
    code = _int_param(raw_status, "status_code", 302, 300, 399)
    if not request.allows_offsite_redirects:
        parts = urlsplit(url)
        offsite = bool(parts.scheme or parts.netloc) and not (
            parts.scheme in ("http", "https") and parts.netloc == request.host
        )
        # Browsers read "/\host" and "\\host" like "//host".
        if offsite or "\\" in url:
            return error_response(400, OFFSITE_REDIRECT_REFUSED)
    return redirect_response(url, code)


def _cookie_pairs(request: PlaygroundRequest) -> Headers:
    # Split by hand: SimpleCookie.load() silently drops every cookie after a malformed one.
    pairs: Headers = []
    for header_value in request.header_values("Cookie"):
        for item in header_value.split(";"):
            name, sep, value = item.strip().partition("=")
            if sep and name:
                pairs.append((name.strip(), value.strip()))
    return pairs


def cookies(request: PlaygroundRequest) -> PlaygroundResponse:
    pairs = _cookie_pairs(request)
    first: dict[str, str] = {}
    for name, value in pairs:
        first.setdefault(name, value)
    return json_response({"cookies": first, "cookie_pairs": [list(pair) for pair in pairs]})


def _set_cookie_headers(request: PlaygroundRequest, pairs: Headers, expire: bool) -> Headers:
    jar: SimpleCookie = SimpleCookie()
    names: list[str] = []
    for name, value in pairs:
        try:
            jar[name] = "" if expire else value
        except CookieError:
            raise RouteInputError(f"{name!r} is not a valid cookie name") from None
        jar[name]["path"] = request.mount + "/"
        if expire:
            jar[name]["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
            jar[name]["max-age"] = 0
        names.append(name)
    return [("Set-Cookie", jar[name].OutputString()) for name in dict.fromkeys(names)]


def cookies_set(request: PlaygroundRequest, name: str = "", value: str = "") -> PlaygroundResponse:
    pairs = [(name, value)] if name else list(request.query)
    response = redirect_response(_location(request, "/cookies"))
    response.headers.extend(_set_cookie_headers(request, pairs, expire=False))
    return response


def cookies_delete(request: PlaygroundRequest) -> PlaygroundResponse:
    response = redirect_response(_location(request, "/cookies"))
    response.headers.extend(_set_cookie_headers(request, list(request.query), expire=True))
    return response


def _compressed(encoding: str, data: bytes) -> PlaygroundResponse:
    return PlaygroundResponse(200, [("Content-Type", JSON_TYPE), ("Content-Encoding", encoding)], data)


def _compression_payload(request: PlaygroundRequest, flag: str) -> bytes:
    payload = {flag: True, "method": request.method, "headers": [list(p) for p in request.headers]}
    return json.dumps(payload, indent=2).encode("utf-8")


def gzip_route(request: PlaygroundRequest) -> PlaygroundResponse:
    data = gzip.compress(_compression_payload(request, "gzipped"), mtime=0)
    return _compressed("gzip", data)


def deflate_route(request: PlaygroundRequest) -> PlaygroundResponse:
    # "deflate" as HTTP means the zlib format (RFC 9110 8.4.1.2), not raw deflate.
    data = zlib.compress(_compression_payload(request, "deflated"))
    return _compressed("deflate", data)


def brotli_route(request: PlaygroundRequest) -> PlaygroundResponse:
    data = brotli.compress(_compression_payload(request, "brotli"))
    return _compressed("br", data)


def random_bytes(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    size = _int_param(count, "byte count", 0, 0, MAX_BYTES)
    seed = _int_param(request.param("seed"), "seed", 0, 0, 2**63)
    data = random.Random(seed).randbytes(size)
    return PlaygroundResponse(200, [("Content-Type", "application/octet-stream")], data)


def delay(request: PlaygroundRequest, seconds: str) -> PlaygroundResponse:
    time.sleep(_float_param(seconds, "delay", 0.0, MAX_DELAY_SECONDS))
    return json_response(echo_data(request))


def drip(request: PlaygroundRequest) -> PlaygroundResponse:
    """numbytes "*" bytes spread over duration seconds, after delay seconds; Content-Length set."""
    size = _int_param(request.param("numbytes"), "numbytes", 10, 0, MAX_BYTES)
    duration = _float_param(request.param("duration"), "duration", 2.0, MAX_DRIP_DURATION_SECONDS)
    wait = _float_param(request.param("delay"), "delay", 0.0, MAX_DELAY_SECONDS)
    code = _int_param(request.param("code"), "code", 200, 200, 599)
    time.sleep(wait)
    chunk_count = min(size, 1000)
    return PlaygroundResponse(
        code,
        [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))],
        _drip_chunks(size, chunk_count, duration),
    )


def _drip_chunks(size: int, chunk_count: int, duration: float) -> Iterator[bytes]:
    interval = duration / chunk_count if chunk_count else 0.0
    sent = 0
    for index in range(chunk_count):
        if index:
            time.sleep(interval)
        end = size * (index + 1) // chunk_count
        yield b"*" * (end - sent)
        sent = end


def stream_lines(request: PlaygroundRequest, count: str) -> PlaygroundResponse:
    """n JSON lines without Content-Length: the stdlib server sends them chunked."""
    lines = _int_param(count, "line count", 1, 0, MAX_STREAM_LINES)
    echo = {"url": request.url, "headers": [list(p) for p in request.headers]}

    def generate() -> Iterator[bytes]:
        for number in range(lines):
            yield (json.dumps({"id": number, **echo}) + "\n").encode("utf-8")

    return PlaygroundResponse(200, [("Content-Type", JSON_TYPE)], generate())


@lru_cache(maxsize=1)
def png_image() -> bytes:
    """A real 32x32 RGB gradient PNG, built with zlib and struct."""
    width = height = 32

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 8, y * 8, 128)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def image_png(request: PlaygroundRequest) -> PlaygroundResponse:
    return PlaygroundResponse(200, [("Content-Type", "image/png")], png_image())


def _unauthorized(challenge: str, message: str) -> PlaygroundResponse:
    return json_response(
        {"authenticated": False, "error": message}, 401, [("WWW-Authenticate", challenge)]
    )


def basic_auth(request: PlaygroundRequest, user: str, password: str) -> PlaygroundResponse:
    challenge = f'Basic realm="{DIGEST_REALM}"'
    scheme, _, credentials = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return _unauthorized(challenge, "send Authorization: Basic <base64 user:password>")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return _unauthorized(challenge, "the Basic credentials are not base64 of UTF-8 text")
    given_user, _, given_password = decoded.partition(":")
    if hmac.compare_digest(given_user.encode(), user.encode()) & hmac.compare_digest(
        given_password.encode(), password.encode()
    ):
        return json_response({"authenticated": True, "user": user})
    return _unauthorized(challenge, "wrong user or password")


def bearer(request: PlaygroundRequest) -> PlaygroundResponse:
    scheme, _, token = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("Bearer", "send Authorization: Bearer <token>")
    return json_response({"authenticated": True, "token": token.strip()})


DIGEST_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-256": hashlib.sha256,
}


def _digest_nonce(secret: bytes, issued: int) -> str:
    stamp = f"{issued:x}"
    return stamp + hmac.new(secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]


def _digest_nonce_age(secret: bytes, nonce: str) -> float | None:
    """Seconds since a nonce we signed was issued, or None if we never issued it."""
    stamp = nonce[:-32]
    try:
        issued = int(stamp, 16)
    except ValueError:
        return None
    if not hmac.compare_digest(_digest_nonce(secret, issued), nonce):
        return None
    return time.time() - issued


def digest_auth(
    request: PlaygroundRequest, user: str, password: str, qop: str = "auth", algorithm: str = "MD5"
) -> PlaygroundResponse:
    """RFC 7616 digest: 401 with a challenge, 200 when the response hash is right.

    Nonces are HMAC-signed timestamps: stateless, so nonce-count replay is not tracked.
    """
    if qop not in ("auth", "auth-int"):
        raise RouteInputError(f"qop must be auth or auth-int, got {qop!r}")
    algorithm = algorithm.upper()
    if algorithm not in DIGEST_ALGORITHMS:
        raise RouteInputError(f"algorithm must be one of {', '.join(DIGEST_ALGORITHMS)}")
    hash_function = DIGEST_ALGORITHMS[algorithm]
    secret = request.secret or _PROCESS_SECRET
    opaque = hmac.new(secret, b"opaque", hashlib.sha256).hexdigest()[:32]

    def challenge(stale: bool = False) -> str:
        nonce = _digest_nonce(secret, int(time.time()))
        return (
            f'Digest realm="{DIGEST_REALM}", qop="{qop}", nonce="{nonce}", '
            f'opaque="{opaque}", algorithm={algorithm}, stale={"TRUE" if stale else "FALSE"}'
        )

    scheme, _, rest = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "digest":
        return _unauthorized(challenge(), "send Authorization: Digest … (answer the challenge)")
    try:
        params = parse_keqv_list(parse_http_list(rest))
    except ValueError:
        return _unauthorized(challenge(), "the Digest parameters could not be read")
    required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    missing = [name for name in required if not params.get(name)]
    if missing:
        return _unauthorized(challenge(), f"the Digest answer lacks {', '.join(missing)}")
    age = _digest_nonce_age(secret, params["nonce"])
    if age is None:
        return _unauthorized(challenge(), "that nonce was not issued here")
    if age > DIGEST_NONCE_LIFETIME_SECONDS:
        return _unauthorized(challenge(stale=True), "the nonce expired; answer the new challenge")
    if params["qop"] != qop or params["realm"] != DIGEST_REALM:
        return _unauthorized(challenge(), "qop or realm differ from the challenge")
    if params.get("opaque", opaque) != opaque:
        return _unauthorized(challenge(), "opaque differs from the challenge")
    if unquote(params["uri"]) != unquote(request.request_target):
        return _unauthorized(challenge(), "the digest uri is not the URL requested")

    def hashed(text: str) -> str:
        return str(hash_function(text.encode("utf-8")).hexdigest())

    ha1 = hashed(f"{user}:{DIGEST_REALM}:{password}")
    ha2_input = f"{request.method}:{params['uri']}"
    if qop == "auth-int":
        ha2_input += ":" + str(hash_function(request.body).hexdigest())
    expected = hashed(
        f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:{qop}:{hashed(ha2_input)}"
    )
    user_ok = hmac.compare_digest(params["username"].encode(), user.encode())
    if user_ok & hmac.compare_digest(params["response"].encode(), expected.encode()):
        return json_response({"authenticated": True, "user": user})
    return _unauthorized(challenge(), "wrong user or password")


def _entity_tags(value: str) -> list[str]:
    tags = []
    for item in value.split(","):
        tag = item.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tags.append(tag.strip('"'))
    return tags


def etag(request: PlaygroundRequest, tag: str) -> PlaygroundResponse:
    if '"' in tag or _has_control_characters(tag):
        raise RouteInputError("an etag must not contain quotes or control characters")
    header = ("ETag", f'"{tag}"')
    if_none_match = request.header("If-None-Match")
    if if_none_match is not None:
        tags = _entity_tags(if_none_match)
        if "*" in tags or tag in tags:
            return PlaygroundResponse(304, [header], b"")
    if_match = request.header("If-Match")
    if if_match is not None:
        tags = _entity_tags(if_match)
        if "*" not in tags and tag not in tags:
            return error_response(412, "If-Match does not name this etag", [header])
    return json_response(echo_data(request), headers=[header])


HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Playground HTML</title></head>
<body>
<h1>Herman Melville - Moby-Dick</h1>
<p>Call me Ishmael. Some years ago - never mind how long precisely - having little or no money
in my purse, and nothing particular to interest me on shore, I thought I would sail about a
little and see the watery part of the world.</p>
</body>
</html>
"""

XML_DOCUMENT = """<?xml version="1.0" encoding="utf-8"?>
<slideshow title="Sample Slide Show" date="Date of publication" author="Yours Truly">
  <slide type="all"><title>Wake up to WonderWidgets!</title></slide>
  <slide type="all">
    <title>Overview</title>
    <item>Why <em>WonderWidgets</em> are great</item>
    <item>Who <em>buys</em> WonderWidgets</item>
  </slide>
</slideshow>
"""

JSON_DOCUMENT = {
    "slideshow": {
        "author": "Yours Truly",
        "date": "date of publication",
        "slides": [
            {"title": "Wake up to WonderWidgets!", "type": "all"},
            {"items": ["Why WonderWidgets are great", "Who buys WonderWidgets"], "title": "Overview"},
        ],
        "title": "Sample Slide Show",
    }
}

UTF8_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>UTF-8 demo</title></head>
<body><pre>
Ελληνικά: Σὲ γνωρίζω ἀπὸ τὴν κόψη
Русский: Съешь же ещё этих мягких французских булок
日本語: いろはにほへと ちりぬるを
한국어: 다람쥐 헌 쳇바퀴에 타고파
العربية: نص حكيم له سر قاطع
Emoji: 🐍 ☕ ✓ — “quotes” ‘single’ … €
</pre></body></html>
"""


def html(request: PlaygroundRequest) -> PlaygroundResponse:
    return text_response(HTML_PAGE, "text/html; charset=utf-8")


def xml(request: PlaygroundRequest) -> PlaygroundResponse:
    return text_response(XML_DOCUMENT, "application/xml")


def json_document(request: PlaygroundRequest) -> PlaygroundResponse:
    return json_response(JSON_DOCUMENT)


def robots_txt(request: PlaygroundRequest) -> PlaygroundResponse:
    return text_response(f"User-agent: *\nDisallow: {request.mount}/deny\n", "text/plain")


def encoding_utf8(request: PlaygroundRequest) -> PlaygroundResponse:
    return text_response(UTF8_PAGE, "text/html; charset=utf-8")


def response_headers(request: PlaygroundRequest) -> PlaygroundResponse:
    """Each query pair becomes a response header, repeated keys repeated; the body lists them."""
    chosen: Headers = []
    for name, value in request.query:
        if not is_token(name):
            raise RouteInputError(f"{name!r} is not a valid header name")
        if name.lower() in FRAMING_HEADERS:
            raise RouteInputError(f"{name} frames the message; the server sets it itself")
        if any(char in value for char in "\r\n\x00"):
            raise RouteInputError(f"the value of {name} must not contain CR, LF or NUL")
        chosen.append((name, value))
    has_type = any(name.lower() == "content-type" for name, _ in chosen)
    all_headers = chosen if has_type else [("Content-Type", JSON_TYPE), *chosen]
    body = (json.dumps([list(pair) for pair in all_headers], indent=2) + "\n").encode("utf-8")
    return PlaygroundResponse(200, all_headers, body)


def _crc32_of_zeros(length: int) -> int:
    """zlib.crc32(bytes(length)) in O(log length), without the bytes."""
    # CRC is affine over GF(2): crc(zeros(a+b)) = combine(crc(zeros(a)), crc(zeros(b)), b).
    result = 0  # the CRC of zero bytes
    power_crc, power_length = zlib.crc32(b"\x00"), 1  # CRC of 2**k zero bytes, 2**k
    while length:
        if length & 1:
            result = _crc32_combine(result, power_crc, power_length)
        power_crc = _crc32_combine(power_crc, power_crc, power_length)
        power_length *= 2
        length >>= 1
    return result


def _gf2_times(matrix: list[int], vector: int) -> int:
    total = 0
    index = 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, row) for row in matrix]


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from crc(A), crc(B) and len(B)."""
    # The operator that appends one zero bit to a CRC, as a GF(2) matrix; squared three
    # times it appends one zero byte, and squaring it again doubles the bytes appended.
    operator = [0xEDB88320] + [1 << bit for bit in range(31)]
    for _ in range(3):
        operator = _gf2_square(operator)
    while length2 > 0:
        if length2 & 1:
            crc1 = _gf2_times(operator, crc1)
        operator = _gf2_square(operator)
        length2 >>= 1
    return crc1 ^ crc2


@lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """A gzip member that inflates to `size` zero bytes, built without holding them.

    After a full flush deflate forgets its history, so every 1 MiB block of zeros
    compresses to the same bytes: compress one block, repeat its output.
    """
    block_size = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    block = compressor.compress(bytes(block_size)) + compressor.flush(zlib.Z_FULL_FLUSH)
    whole_blocks, remainder = divmod(size, block_size)
    tail = compressor.compress(bytes(remainder)) + compressor.flush(zlib.Z_FINISH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, mtime 0, max compression
    trailer = struct.pack("<II", _crc32_of_zeros(size), size & 0xFFFFFFFF)
    return b"".join((header, block * whole_blocks, tail, trailer))


def gzip_bomb_route(request: PlaygroundRequest) -> PlaygroundResponse:
    size = _int_param(request.param("size"), "size", DEFAULT_GZIP_BOMB_SIZE, 0, MAX_GZIP_BOMB_SIZE)
    return PlaygroundResponse(
        200,
        [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")],
        gzip_bomb(size),
    )


def deny(request: PlaygroundRequest) -> PlaygroundResponse:
    return text_response("robots.txt asks you not to read this page.\n", "text/plain")


# ------------------------------------------------------------------ dispatch


@dataclass(frozen=True)
class Route:
    pattern: str  # "/status/<codes>"; "<rest:path>" matches across slashes
    view: Callable[..., PlaygroundResponse]
    summary: str

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern)


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"<(\w+)(?::path)?>", pattern)
    regex = ""
    for position, part in enumerate(parts):
        if position % 2 == 0:
            regex += re.escape(part)
        else:
            is_path = f"<{part}:path>" in pattern
            regex += f"(?P<{part}>.*)" if is_path else f"(?P<{part}>[^/]+)"
    return re.compile(f"^{regex}$")


ROUTES: list[Route] = [
    Route("/", index, "this list"),
    Route("/anything", anything, "echo of the request as JSON, any method"),
    Route("/anything/<rest:path>", anything, "same, under any sub-path"),
    Route("/get", method_echo, "echo, GET only"),
    Route("/post", method_echo, "echo, POST only"),
    Route("/put", method_echo, "echo, PUT only"),
    Route("/patch", method_echo, "echo, PATCH only"),
    Route("/delete", method_echo, "echo, DELETE only"),
    Route("/headers", headers, "the request headers, in order"),
    Route("/ip", ip, "the client address"),
    Route("/user-agent", user_agent, "the User-Agent header"),
    Route("/status/<codes>", status, "answers with that status (100-599; first of a list)"),
    Route("/redirect/<count>", redirect, "count 302 hops ending at /get (?absolute=true)"),
    Route("/relative-redirect/<count>", relative_redirect, "count hops with relative Locations"),
    Route("/absolute-redirect/<count>", absolute_redirect, "count hops with absolute Locations"),
    Route("/redirect-to", redirect_to, "?url=…&status_code=3xx"),
    Route("/cookies", cookies, "the cookies received"),
    Route("/cookies/set", cookies_set, "?name=value… sets cookies, then 302 to /cookies"),
    Route("/cookies/set/<name>/<value>", cookies_set, "sets one cookie, then 302 to /cookies"),
    Route("/cookies/delete", cookies_delete, "?name… expires cookies, then 302 to /cookies"),
    Route("/gzip", gzip_route, "gzip-encoded JSON"),
    Route("/deflate", deflate_route, "deflate-encoded JSON"),
    Route("/brotli", brotli_route, "brotli-encoded JSON"),
    Route("/bytes/<count>", random_bytes, f"count random bytes, seeded (?seed=), max {MAX_BYTES}"),
    Route("/delay/<seconds>", delay, f"echo after a delay (max {MAX_DELAY_SECONDS:g} s)"),
    Route("/drip", drip, "?numbytes=&duration=&delay=&code= a slow body"),
    Route("/stream/<count>", stream_lines, "count JSON lines, chunked"),
    Route("/image/png", image_png, "a small PNG"),
    Route("/basic-auth/<user>/<password>", basic_auth, "HTTP Basic auth"),
    Route("/bearer", bearer, "Bearer token auth"),
    Route("/digest-auth/<user>/<password>", digest_auth, "HTTP Digest auth, qop=auth, MD5"),
    Route("/digest-auth/<qop>/<user>/<password>", digest_auth, "Digest with qop auth|auth-int"),
    Route(
        "/digest-auth/<qop>/<user>/<password>/<algorithm>",
        digest_auth,
        "Digest with algorithm MD5|SHA-256",
    ),
    Route("/etag/<tag>", etag, "304 on matching If-None-Match, 412 on failing If-Match"),
    Route("/html", html, "an HTML page"),
    Route("/xml", xml, "an XML document"),
    Route("/json", json_document, "a JSON document"),
    Route("/robots.txt", robots_txt, "robots rules"),
    Route("/deny", deny, "the page robots.txt disallows"),
    Route("/encoding/utf8", encoding_utf8, "a UTF-8 page in many scripts"),
    Route("/response-headers", response_headers, "?Name=value… sets response headers"),
    Route("/gzip-bomb", gzip_bomb_route, "?size= small gzip inflating to size zeros (1 GiB)"),
]


def handle(request: PlaygroundRequest) -> PlaygroundResponse:
    """Answer `request` with the matching route; unknown paths get a 404 JSON body."""
    path = request.path or "/"
    for route in ROUTES:
        match = route.regex.match(path)
        if match:
            try:
                return route.view(request, **match.groupdict())
            except RouteInputError as error:
                return error_response(400, str(error))
    return error_response(404, f"no playground route for {path}; see {request.mount}/")


if __name__ == "__main__":
    from requests_app.playground_server import main

    main()
