"""Checks on what a person asks to send, before anything touches the network.

Usage::

    from requests_app.engine.validation import RequestRejected, parse_url, check_method, check_headers

    try:
        check_method("PROPFIND")
        parsed = parse_url("http://user:pw@127.0.0.1:8000/a b?x=1")   # raises: space in the URL
    except RequestRejected as exc:
        exc.error          # ExchangeError(kind="invalid_request", code="bad_url", field="url", ...)

    parsed.target.request_target       # "/path?x=1", what goes on the request line
    parsed.credentials                 # ("user", "pw") taken out of the URL, or None

Every problem is an ExchangeError with a kind, a finer code and the field it is about.
The URL parser is deliberately stricter than urllib.parse: it refuses the spellings where
`urlsplit` and urllib/http.client would disagree about which host is meant (backslashes,
several `@`, `:80:80`, `%25` zone ids, percent-encoded hosts), and the control characters
`urlsplit` silently drops.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from requests_app.engine.exchange import INVALID_REQUEST, TOO_LARGE, UNSUPPORTED, ExchangeError
from requests_app.engine.spec import KeyValue

DEFAULT_MAX_REQUEST_BODY_BYTES = 50 * 1024 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

# Finer error codes (ExchangeError.code).
BAD_METHOD = "bad_method"
BAD_URL = "bad_url"
UNSUPPORTED_SCHEME = "unsupported_scheme"
BAD_HEADER_NAME = "bad_header_name"
HEADER_CRLF = "header_crlf"
REQUEST_TOO_LARGE = "request_too_large"
LONE_SURROGATE = "lone_surrogate"

# RFC 9110 section 5.6.2: token = 1*tchar. The one definition: methods, header names, and the
# formats and forms that read them all use it (fullmatch: `$` would let a trailing newline by).
TCHAR = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
TOKEN = re.compile(TCHAR + "+")


def is_token(text: str) -> bool:
    """True for an RFC 9110 token: a valid method or header name."""
    return TOKEN.fullmatch(text) is not None

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")
# RFC 9110 section 5.5: field values are visible characters, SP and HTAB; http.client only refuses CR/LF.
_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Labels of 1 to 63 characters separated by dots, and an optional trailing dot.
_HOST_NAME = re.compile(r"(?:[a-z0-9_\-]{1,63}\.)*[a-z0-9_\-]{1,63}\.?")
_AUTHORITY_END = re.compile(r"[/?#]")
_PORT = re.compile(r"[0-9]{1,5}")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

# Characters kept as typed in each part of the URL (RFC 3986 pchar and friends); anything else,
# including non-ASCII text, is percent-encoded as UTF-8. "%" is kept only before two hex digits.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
# Braces stay as typed in a query, as browsers (WHATWG query set), curl and Postman send them:
# an unresolved {{name}} then arrives as Postman sends it.
_QUERY_SAFE = _PATH_SAFE + "?{}"
# In a single query parameter "&", "=" (in names) and "#" would change the meaning: encode them.
_PARAM_VALUE_SAFE = "/:@!$'()*+,;=-._~%?{}"
_PARAM_NAME_SAFE = "/:@!$'()*+,;-._~%?{}"

# Schemes people paste that are not web URLs; named in the error rather than called "bad".
_OTHER_SCHEMES = frozenset(
    "file ftp ftps sftp scp data gopher mailto javascript about blob ws wss ldap ldaps dict tftp "
    "telnet ssh smb nfs jar tel news nntp irc git svn view-source chrome resource".split()
)

_CONTROL_NAMES = {"\r": "a carriage return (CR)", "\n": "a line feed (LF)", "\t": "a tab", "\x00": "a NUL byte"}


class RequestRejected(Exception):
    """The request cannot be sent as it is; `error` says why and which field."""

    def __init__(self, kind: str, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.error = ExchangeError(kind=kind, code=code, message=message, field=field)


def _describe_char(char: str) -> str:
    if char in _CONTROL_NAMES:
        return _CONTROL_NAMES[char]
    if char == " ":
        return "a space"
    return f"the control character U+{ord(char):04X}"


@dataclass(frozen=True)
class Target:
    """Where a request goes: a checked, normalised http(s) URL, split the way we send it."""

    scheme: str  # "http" or "https"
    host: str  # lower-case ASCII (IDNA) name or IP literal, without brackets
    port: int
    request_target: str  # "/path?query" as it goes on the request line

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def is_default_port(self) -> bool:
        return DEFAULT_PORTS[self.scheme] == self.port

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.is_default_port else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.authority}{self.request_target}"

    def with_query_parts(self, parts: Iterable[str]) -> Target:
        """The same target with `parts` ("k=v" strings, already encoded) appended to its query."""
        extra = "&".join(parts)
        if not extra:
            return self
        path, mark, query = self.request_target.partition("?")
        query = f"{query}&{extra}" if query else extra
        return Target(self.scheme, self.host, self.port, f"{path}?{query}")


@dataclass(frozen=True)
class ParsedURL:
    target: Target
    credentials: tuple[str, str] | None  # from "user:password@" in the URL, decoded


def check_method(method: str) -> None:
    if not method:
        raise RequestRejected(INVALID_REQUEST, BAD_METHOD, "The method is empty.", "method")
    if not TOKEN.fullmatch(method):
        raise RequestRejected(
            INVALID_REQUEST,
            BAD_METHOD,
            f"The method {method!r} is not a valid HTTP method: use letters, digits and !#$%&'*+-.^_`|~ only.",
            "method",
        )


def _bad_url(message: str, field: str) -> RequestRejected:
    return RequestRejected(INVALID_REQUEST, BAD_URL, message, field)


def _encode_part(text: str, safe: str) -> str:
    if "%" in text:
        text = _LONE_PERCENT.sub("%25", text)
    return quote(text, safe=safe)


def encode_query_param(key: str, value: str) -> str:
    """One `key=value` query pair, keeping what the user typed wherever it is valid."""
    return f"{_encode_part(key, _PARAM_NAME_SAFE)}={_encode_part(value, _PARAM_VALUE_SAFE)}"


def parse_url(raw: str, *, field: str = "url") -> ParsedURL:
    """Check and split an http(s) URL; raise RequestRejected naming what is wrong."""
    url = raw.strip(" ")
    if not url:
        raise _bad_url("The URL is empty.", field)
    bad_char = _URL_FORBIDDEN.search(url)
    if bad_char:
        raise _bad_url(
            f"The URL contains {_describe_char(bad_char.group())} at position {bad_char.start() + 1}; "
            "encode it (a space is %20) or remove it.",
            field,
        )
    scheme_match = _SCHEME.match(url)
    if not scheme_match:
        raise _bad_url("The URL must start with http:// or https://.", field)
    scheme = scheme_match.group(1).lower()
    rest = url[scheme_match.end() :]
    if scheme not in DEFAULT_PORTS:
        if rest.startswith("//") or scheme in _OTHER_SCHEMES:
            raise RequestRejected(
                UNSUPPORTED, UNSUPPORTED_SCHEME, f"{scheme}: URLs cannot be sent; only http:// and https://.", field
            )
        raise _bad_url("The URL must start with http:// or https://.", field)
    if not rest.startswith("//"):
        raise _bad_url(f"The URL must start with {scheme}:// (two slashes).", field)
    rest = rest[2:]

    authority_end = _AUTHORITY_END.search(rest)
    split_at = authority_end.start() if authority_end else len(rest)
    authority, tail = rest[:split_at], rest[split_at:]
    tail = tail.partition("#")[0]  # the fragment never leaves the client
    path, has_query, query = tail.partition("?")

    if "\\" in authority:
        raise _bad_url("The host part of the URL contains a backslash; use / to separate the path.", field)
    credentials = None
    if "@" in authority:
        if authority.count("@") > 1:
            raise _bad_url("The URL has more than one @ before the host: encode @ in a password as %40.", field)
        userinfo, _, authority = authority.partition("@")
        user, _, password = userinfo.partition(":")
        if user or password:
            credentials = (unquote(user), unquote(password))

    host, port = _split_host_port(authority, scheme, field)
    request_target = _encode_part(path, _PATH_SAFE) or "/"
    if has_query:
        request_target += "?" + _encode_part(query, _QUERY_SAFE)
    return ParsedURL(Target(scheme, host, port, request_target), credentials)


def _split_host_port(authority: str, scheme: str, field: str) -> tuple[str, int]:
    if authority.startswith("["):
        close = authority.find("]")
        if close == -1:
            raise _bad_url("The IPv6 address in the URL is missing its closing ].", field)
        literal, after = authority[1:close], authority[close + 1 :]
        if "%" in literal:
            raise _bad_url("IPv6 zone ids (%25...) are not supported in URLs.", field)
        try:
            host = ipaddress.IPv6Address(literal).compressed
        except ValueError:
            raise _bad_url(f"[{literal}] is not a valid IPv6 address.", field) from None
        if after and not after.startswith(":"):
            raise _bad_url("Only :port may follow the IPv6 address in the URL.", field)
        port_text, has_port = after[1:], bool(after)
    else:
        if "[" in authority or "]" in authority:
            raise _bad_url("Square brackets are only allowed around an IPv6 address.", field)
        name, colon, port_text = authority.partition(":")
        has_port = bool(colon)
        if ":" in port_text:
            raise _bad_url("The URL has more than one :port after the host.", field)
        host = _check_host_name(name, field)

    port = DEFAULT_PORTS[scheme]
    if has_port:
        if not port_text:
            raise _bad_url("The URL has a : after the host but no port number.", field)
        if not _PORT.fullmatch(port_text) or not 1 <= int(port_text) <= 65535:
            raise _bad_url(f"The port {port_text!r} is not a number from 1 to 65535.", field)
        port = int(port_text)
    return host, port


def _check_host_name(name: str, field: str) -> str:
    if not name:
        raise _bad_url("The URL has no host name.", field)
    if "%" in name:
        raise _bad_url("Percent-encoded characters are not allowed in the host name.", field)
    if name.isascii():
        ascii_name = name.lower()
    else:
        try:
            # IDNA turns "bücher.example" into "xn--bcher-kva.example" and full-width digits
            # into ASCII (what getaddrinfo would resolve).
            ascii_name = name.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise _bad_url(f"{name!r} is not a valid host name.", field) from None
    if not _HOST_NAME.fullmatch(ascii_name):
        raise _bad_url(f"{name!r} is not a valid host name.", field)
    return ascii_name


def check_headers(headers: Iterable[KeyValue], *, field: str = "headers") -> list[tuple[str, str]]:
    """The enabled headers as (name, value) pairs, in order, duplicates and case kept."""
    out: list[tuple[str, str]] = []
    for index, header in enumerate(headers):
        if not header.enabled or (not header.key and not header.value):
            continue
        check_header_name(header.key, field=f"{field}[{index}].key")
        check_header_value(header.value, field=f"{field}[{index}].value", name=header.key)
        out.append((header.key, header.value))
    return out


def check_header_name(name: str, *, field: str) -> None:
    if not name:
        raise RequestRejected(INVALID_REQUEST, BAD_HEADER_NAME, "A header has a value but no name.", field)
    if not TOKEN.fullmatch(name):
        raise RequestRejected(
            INVALID_REQUEST,
            BAD_HEADER_NAME,
            f"The header name {name!r} is not valid: use letters, digits and !#$%&'*+-.^_`|~ "
            "(no spaces, no colon).",
            field,
        )


def check_header_value(value: str, *, field: str, name: str = "") -> None:
    bad = _VALUE_FORBIDDEN.search(value)
    if bad:
        subject = f"The value of header {name}" if name else "This value"
        raise RequestRejected(
            INVALID_REQUEST,
            HEADER_CRLF,
            f"{subject} contains {_describe_char(bad.group())}; header values must stay on one line "
            "and hold no control characters other than tab.",
            field,
        )


def check_text(value: str, *, field: str) -> None:
    """Refuse a lone surrogate (e.g. from the JSON escape \\ud800): it has no UTF-8 form to send."""
    bad = _SURROGATE.search(value)
    if bad:
        raise RequestRejected(
            INVALID_REQUEST,
            LONE_SURROGATE,
            f"This text contains a lone surrogate (U+{ord(bad.group()):04X}) at position {bad.start() + 1}, "
            "which is not a character and cannot be sent; remove it.",
            field,
        )


def check_body_size(size: int, limit: int) -> None:
    if size > limit:
        raise RequestRejected(
            TOO_LARGE,
            REQUEST_TOO_LARGE,
            f"The request body is {size:,} bytes; the limit is {limit:,} bytes.",
            "body",
        )
