"""What the response viewer shows, read from a stored exchange (`exchange_to_dict` shape).

Usage::

    view = ResponseView.from_exchange(entry.exchange)
    view.status_line, view.status_class, view.timing_segments, view.pretty_html ...

Presentation only: no queries, no network. Every body is treated as untrusted text;
an HTML preview goes to a sandboxed iframe's srcdoc, images to a data: URL in <img>.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from django.utils.safestring import SafeString

from requests_app.engine.exchange import ERROR_HINTS
from requests_app.engine.transport import HEAD_CAPTURE_BYTES, WIRE_CAPTURE_BYTES
from requests_app.templatetags.lazy_json import lazy_json_tree
from requests_app.templatetags.pretty import PRETTY_LIMIT_CHARS, pretty_body

# A response body kept in the history file is shown up to this many characters; Download has all
# of it (a page of 50 MiB helps nobody, and building it held the body several times over).
PAGE_BODY_CHARS = 2_000_000

# Media types an <img> may show from a data: URL (scripts never run inside <img>).
_IMAGE_TYPE = re.compile(r"^image/[a-z0-9.+-]+$")
TIMING_PHASES = (
    ("dns_ms", "DNS", "t-dns"),
    ("connect_ms", "Connect", "t-connect"),
    ("tls_ms", "TLS", "t-tls"),
    ("ttfb_ms", "Waiting", "t-wait"),
    ("download_ms", "Download", "t-download"),
)


_AT_POSITION = re.compile(r"at position (\d+)")
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")


def bad_url_part(url: str, error: dict[str, Any]) -> tuple[int, int]:
    """[start, end) of the part of the typed URL an error is about, to mark it in the editor."""
    message, code = error.get("message", ""), error.get("code", "")
    templates = [m.span() for m in _TEMPLATE.finditer(url)]
    if code == "undefined_variable" and templates:
        return templates[0]
    position = _AT_POSITION.search(message)
    if position and not templates and 0 < int(position.group(1)) <= len(url):
        at = int(position.group(1)) - 1
        return at, at + 1
    scheme_end = url.find("://")
    if "must start with" in message or "cannot be sent" in message:
        return 0, scheme_end + 3 if scheme_end >= 0 else min(len(url), max(url.find(":"), url.find("/"), 1))
    if scheme_end >= 0:  # host, port, userinfo: the part between :// and the path
        start = scheme_end + 3
        end = next((i for i in range(start, len(url)) if url[i] in "/?#"), len(url))
        if end > start:
            return start, end
    return 0, len(url)


def _cookies_of_every_hop(redirects: list[dict[str, Any]], response: dict[str, Any]) -> list[dict[str, Any]]:
    """Cookies set by the redirect hops, then by the final response; after redirects each says who set it."""
    final = list(response.get("cookies") or [])
    if not redirects:
        return final
    hops = [{**c, "set_by": f"{hop.get('status')} {hop.get('url')}"} for hop in redirects for c in hop.get("cookies") or []]
    return hops + [{**c, "set_by": "the final response"} for c in final]


_BASIC_CREDENTIALS = re.compile(r"^(?P<name>[^:\r\n]+):\s*Basic\s+(?P<token>[A-Za-z0-9+/]+={0,2})\s*$", re.IGNORECASE)


def masked_notes(wire: str, unresolved_names: list[str]) -> list[str]:
    """What the recorded request shows masked: secrets are stored as {{name}}, never their value.

    A {{name}} left in the wire because nobody defined it (the exchange lists it) was really
    sent that way and is not called masked.
    """
    unresolved = set(unresolved_names)
    notes: list[str] = []
    for number, line in enumerate(wire.split("\r\n\r\n", 1)[0].splitlines()):
        basic = _BASIC_CREDENTIALS.match(line)
        if basic:
            try:
                decoded = base64.b64decode(basic["token"], validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                decoded = ""
            names = [n for n in dict.fromkeys(_TEMPLATE.findall(decoded)) if n[2:-2].strip() not in unresolved]
            if names:
                notes.append(f"{basic['name']}: the Basic credentials shown are base64 of “{decoded}”: "
                             f"{', '.join(names)} masked. The real value was sent; history never keeps it.")
            continue
        names = [n for n in dict.fromkeys(_TEMPLATE.findall(line)) if n[2:-2].strip() not in unresolved]
        if names:
            where = "the request line" if number == 0 else line.split(":", 1)[0]
            notes.append(f"{where}: {', '.join(names)} masked (a secret's real value was sent; history never keeps it).")
    return notes


@dataclass
class TimingSegment:
    label: str
    css: str
    ms: float
    percent: float


@dataclass
class ResponseView:
    exchange: dict[str, Any]
    error: dict[str, Any] | None = None
    status: int | None = None
    status_line: str = ""
    status_name: str = ""
    status_description: str = ""
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "empty"
    content_type: str = ""
    body_text: str | None = None
    body_base64: str | None = None
    truncated: bool = False
    excerpt: bool = False  # body_text is the first PAGE_BODY_CHARS characters only
    size_headers: int = 0
    size_body: int = 0
    size_wire_body: int = 0
    total_ms: float | None = None
    timing_segments: list[TimingSegment] = field(default_factory=list)
    request_wire: str = ""
    response_head: str = ""
    redirects: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    masked_notes: list[str] = field(default_factory=list)  # where the recorded request shows a secret masked
    scripts: dict[str, Any] | None = None  # pre-request/test script results (services.scripts)
    unresolved_variables: list[str] = field(default_factory=list)

    @classmethod
    def from_exchange(cls, exchange: dict[str, Any] | None) -> ResponseView:
        exchange = exchange or {}
        view = cls(exchange=exchange)
        error = exchange.get("error")
        if error:
            kind = error.get("kind", "")
            view.error = {**error, "hint": error.get("hint") or ERROR_HINTS.get(kind, "")}
        request = exchange.get("request") or {}
        view.request_wire = request.get("wire", "")
        view.redirects = list(exchange.get("redirects") or [])
        view.warnings = list(exchange.get("warnings") or [])
        view.scripts = exchange.get("scripts") or None
        view.unresolved_variables = list(exchange.get("unresolved_variables") or [])
        view.masked_notes = masked_notes(view.request_wire, view.unresolved_variables)
        timings = exchange.get("timings") or {}
        view.total_ms = timings.get("total_ms")
        view.timing_segments = _segments(timings)
        response = exchange.get("response")
        if response:
            view.status = response.get("status")
            view.status_line = (
                f"{response.get('http_version', 'HTTP/1.1')} {response.get('status', '')} {response.get('reason', '')}"
            ).rstrip()
            view.status_name = response.get("status_name", "")
            view.reason = str(response.get("reason") or "")
            view.status_description = response.get("status_description", "")
            view.headers = [(k, v) for k, v in response.get("headers", [])]
            view.cookies = _cookies_of_every_hop(view.redirects, response)
            view.kind = response.get("kind", "empty")
            view.content_type = response.get("content_type", "")
            view.body_text = response.get("body_text")
            view.body_base64 = response.get("body_base64")
            view.truncated = bool(response.get("truncated"))
            view.excerpt = bool(response.get("body_excerpt"))
            size = response.get("size") or {}
            view.size_headers = size.get("headers", 0)
            view.size_body = size.get("body", 0)
            view.size_wire_body = size.get("wire_body", 0)
            view.response_head = response.get("wire_head", "")
        return view

    @property
    def request_wire_note(self) -> str:
        """Said under the request as sent when only its start was kept (engine.transport's capture)."""
        sent = self.exchange.get("request") or {}
        body_shown = len(self.request_wire) - self.request_wire.find("\r\n\r\n") - 4
        # Masking changes lengths a little ({{name}} for a value): near the cap and short of the body is cut.
        if len(self.request_wire) < WIRE_CAPTURE_BYTES - 4096 or body_shown >= sent.get("body_size", 0):
            return ""
        return (f"The first {WIRE_CAPTURE_BYTES // 1024} KiB of what was sent are kept "
                f"(the body was {sent.get('body_size', 0):,} bytes).")

    @property
    def response_head_note(self) -> str:
        if self.size_headers <= len(self.response_head) or len(self.response_head) < HEAD_CAPTURE_BYTES:
            return ""
        return f"The first {HEAD_CAPTURE_BYTES // 1024} KiB of {self.size_headers:,} bytes of headers are kept."

    @property
    def excerpt_megabytes(self) -> int:
        return PAGE_BODY_CHARS // 1_000_000

    @property
    def standard_reason(self) -> str:
        """The standard reason phrase for the status ("Not Found"), or "" for unknown codes."""
        try:
            return HTTPStatus(self.status or 0).phrase
        except ValueError:
            return ""

    @property
    def reason_differs(self) -> bool:
        """True when the server's own reason phrase is not the standard one (shown beside it once)."""
        return bool(self.standard_reason) and self.reason.strip().lower() != self.standard_reason.lower()

    @property
    def has_response(self) -> bool:
        return self.status is not None

    @property
    def size_total_wire(self) -> int:
        return self.size_headers + self.size_wire_body

    @property
    def size_total_decoded(self) -> int:
        return self.size_headers + self.size_body

    @property
    def is_compressed(self) -> bool:
        return self.size_wire_body != self.size_body

    @property
    def pretty_html(self) -> SafeString | None:
        if self.body_text is None:
            return None
        return pretty_body(self.body_text, self.kind)

    def pretty_view(self, lazy_url: str | None) -> SafeString | None:
        """Pretty HTML; JSON too large to render whole is folded and loaded lazily from `lazy_url`."""
        pretty = self.pretty_html
        if pretty is not None or self.kind != "json" or not lazy_url or self.body_text is None:
            return pretty
        try:
            document = json.loads(self.body_text)
        except (ValueError, RecursionError):
            return None
        return lazy_json_tree(document, url=lazy_url)

    @property
    def pretty_off_reason(self) -> str:
        """Why a JSON, XML or HTML body has no Pretty view (shown beside Raw)."""
        if self.kind not in ("json", "xml", "html") or self.body_text is None:
            return ""
        if self.excerpt:
            return f"No Pretty view: the page shows the first {self.excerpt_megabytes} MB of this body."
        if self.kind != "json" and len(self.body_text) > PRETTY_LIMIT_CHARS:
            return f"No Pretty view: {self.kind.upper()} bodies are indented up to {PRETTY_LIMIT_CHARS // 1_000_000} MB."
        if self.truncated:
            return f"No Pretty view: the body was truncated, so it is not complete {self.kind.upper()}."
        return f"No Pretty view: the body is not well-formed {self.kind.upper()}."

    @property
    def can_preview_html(self) -> bool:
        return self.kind == "html" and self.body_text is not None

    @property
    def image_data_url(self) -> str | None:
        if self.kind != "image" or not self.body_base64 or not _IMAGE_TYPE.match(self.content_type):
            return None
        return f"data:{self.content_type};base64,{self.body_base64}"

    @property
    def is_binary(self) -> bool:
        return self.body_text is None

    @property
    def header_count(self) -> int:
        return len(self.headers)


def _segments(timings: dict[str, Any]) -> list[TimingSegment]:
    phases = [(label, css, timings.get(key)) for key, label, css in TIMING_PHASES]
    known = [(label, css, float(ms)) for label, css, ms in phases if ms is not None and ms >= 0]
    total = sum(ms for _, _, ms in known)
    if total <= 0:
        return []
    return [TimingSegment(label, css, ms, round(ms * 100 / total, 2)) for label, css, ms in known]
