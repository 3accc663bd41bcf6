"""Response bodies: bounded Content-Encoding decoding and what kind of content a body is.

Usage::

    from requests_app.engine.decoding import BodyDecoder, media_type, body_kind

    decoder = BodyDecoder("gzip", limit=10 * 1024 * 1024)
    while not decoder.full and (chunk := response.read(65536)):
        decoder.feed(chunk)              # never holds more than `limit` decoded bytes
    decoder.finish()
    decoder.spool, decoder.truncated, decoder.warning  # spool: a SpooledBody (on disk past 1 MiB)

    media_type("Text/HTML; charset=UTF-8")   # ("text/html", "UTF-8")
    body_kind("application/json", b"{}")     # "json"

Decoding is bounded at every stage: a 1 KB gzip that inflates to 1 GB stops at `limit` with
`truncated` set (`zlib` and `brotli` are asked for at most the bytes still wanted, the rest of
their input waits in the decompressor). Decoded bytes go to a SpooledBody: past a small size
they are on disk, so memory stays near one read chunk whatever `limit` is.
Stacked encodings ("gzip, br") are undone in reverse order.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from typing import Protocol

import brotli

from requests_app.engine.spool import SpooledBody

GZIP_OR_ZLIB_WBITS = 47
DECODE_STEP_BYTES = 256 * 1024  # 32 + 15: zlib detects a gzip or zlib header itself
RAW_DEFLATE_WBITS = -15


class DecodingFailed(Exception):
    pass


class _Stage(Protocol):
    def decompress(self, data: bytes, max_length: int) -> bytes: ...

    def has_pending(self) -> bool: ...

    def is_complete(self) -> bool: ...


class _ZlibStage:
    """gzip (possibly several members), zlib-wrapped deflate or raw deflate."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._inflater = zlib.decompressobj(wbits=wbits)
        self._tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        pending = self._tail + data if self._tail else data
        try:
            out = self._inflater.decompress(pending, max_length)
        except zlib.error as exc:
            raise DecodingFailed(str(exc)) from None
        self._tail = self._inflater.unconsumed_tail
        if self._inflater.eof and self._inflater.unused_data:
            rest = self._inflater.unused_data
            # Concatenated gzip members are one body; anything else after the end is padding.
            if rest[:2] == b"\x1f\x8b":
                self._inflater = zlib.decompressobj(wbits=self._wbits)
                self._tail = rest
        return out

    def has_pending(self) -> bool:
        return bool(self._tail)

    def is_complete(self) -> bool:
        return self._inflater.eof


class _DeflateStage:
    """Content-Encoding: deflate is zlib-wrapped by the RFC, raw deflate from some servers."""

    def __init__(self) -> None:
        self._stage: _ZlibStage | None = None
        self._head = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._stage is None:
            self._head += data
            if len(self._head) < 2:
                return b""
            first, second = self._head[0], self._head[1]
            zlib_wrapped = first & 0x0F == 8 and (first * 256 + second) % 31 == 0
            self._stage = _ZlibStage(GZIP_OR_ZLIB_WBITS if zlib_wrapped else RAW_DEFLATE_WBITS)
            data, self._head = self._head, b""
        return self._stage.decompress(data, max_length)

    def has_pending(self) -> bool:
        return self._stage is not None and self._stage.has_pending()

    def is_complete(self) -> bool:
        return self._stage is not None and self._stage.is_complete()


class _BrotliStage:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()
        self._waiting = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        self._waiting += data
        try:
            # While it still holds output, the decompressor only takes empty input.
            if self._decompressor.can_accept_more_data():
                chunk, self._waiting = self._waiting, b""
            else:
                chunk = b""
            out: bytes = self._decompressor.process(chunk, output_buffer_limit=max_length)
            return out
        except brotli.error as exc:
            raise DecodingFailed(str(exc) or "invalid brotli data") from None

    def has_pending(self) -> bool:
        return bool(self._waiting) or not self._decompressor.can_accept_more_data()

    def is_complete(self) -> bool:
        return bool(self._decompressor.is_finished())


_STAGES: dict[str, Callable[[], _Stage]] = {
    "gzip": lambda: _ZlibStage(GZIP_OR_ZLIB_WBITS),
    "x-gzip": lambda: _ZlibStage(GZIP_OR_ZLIB_WBITS),
    "deflate": _DeflateStage,
    "br": _BrotliStage,
}


class BodyDecoder:
    """Undo Content-Encoding incrementally, keeping at most `limit` decoded bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self.limit = limit
        self.truncated = False
        self.warning = ""
        self.spool = SpooledBody()
        codings = [c.strip().lower() for c in content_encoding.split(",")] if content_encoding else []
        codings = [c for c in codings if c and c != "identity"]
        unknown = [c for c in codings if c not in _STAGES]
        if unknown:
            self.warning = (
                f"Content-Encoding {', '.join(unknown)} is not supported: the body is shown as received."
            )
            codings = []
        self.encodings = codings
        self._stages: list[_Stage] = [_STAGES[c]() for c in reversed(codings)]
        self._failed = False
        self._fed = False

    @property
    def body(self) -> bytes:
        """The decoded body as one bytes object (tests, small bodies); `spool` holds it."""
        return self.spool.read()

    @property
    def full(self) -> bool:
        """No more input is useful: the limit was reached or decoding failed."""
        return self.truncated or self._failed

    def feed(self, data: bytes) -> None:
        if self.full:
            return
        self._fed = self._fed or bool(data)
        if not self._stages:
            self._append(data)
            return
        try:
            self._pump(data)
        except DecodingFailed as exc:
            self._failed = True
            self.warning = (
                f"The {', '.join(self.encodings)} body could not be decoded ({exc}): "
                "only the part decoded before the error is shown."
            )

    def finish(self) -> None:
        """Drain what the decompressors still hold (within the limit); warn if the stream was cut."""
        self.feed(b"")
        if self._fed and not self.full and not all(stage.is_complete() for stage in self._stages):
            self.warning = f"The {', '.join(self.encodings)} body ended before its compressed stream did."

    def _pump(self, data: bytes) -> None:
        while True:
            produced = False
            chunk = data
            for stage in self._stages:
                # One byte more than still wanted tells us whether there was more; never more than
                # a step at once (a 64 KiB read of a gzip bomb inflates to 64 MiB), the rest waits.
                chunk = stage.decompress(chunk, min(self.limit - self.spool.size + 1, DECODE_STEP_BYTES))
                produced = produced or bool(chunk)
            self._append(chunk)
            data = b""
            if self.truncated or not produced or not any(s.has_pending() for s in self._stages):
                return

    def _append(self, chunk: bytes) -> None:
        room = self.limit - self.spool.size
        if len(chunk) > room:
            self.spool.write(chunk[:room])
            self.truncated = True
        else:
            self.spool.write(chunk)


# ---------------------------------------------------------------- what the body is

_JSON_TYPES = re.compile(r"^application/(.+\+)?json$|^text/json$|^application/json-seq$")
_XML_TYPES = re.compile(r"^(application|text)/(.+\+)?xml$")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_APPLICATION_TYPES = frozenset(
    {
        "application/javascript",
        "application/ecmascript",
        "application/x-javascript",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "application/yaml",
        "application/x-yaml",
        "application/toml",
        "application/sql",
        "application/x-ndjson",
    }
)
# With these (or none) the Content-Type says nothing useful: look at the bytes.
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown", "text/plain"})
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"\x00\x00\x01\x00")
SNIFF_BYTES = 512


def media_type(content_type: str | None) -> tuple[str, str]:
    """("type/subtype" lower case, charset as declared) from a Content-Type value."""
    if not content_type:
        return "", ""
    parts = content_type.split(";")
    media = parts[0].strip().lower()
    charset = ""
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').strip("'").strip()
    return media, charset


def body_kind(media: str, body: bytes) -> str:
    """json, xml, html, text, image, binary or empty: Content-Type first, then a cheap sniff.

    `body` may be the body's first SNIFF_BYTES only: nothing past them is looked at."""
    if not body:
        return "empty"
    if _JSON_TYPES.match(media):
        return "json"
    if media in _HTML_TYPES:
        return "html"
    if _XML_TYPES.match(media):
        return "xml"
    if media.startswith("image/"):
        return "image"
    if media in _GENERIC_TYPES:
        sniffed = _sniff(body[:SNIFF_BYTES])
        if media == "text/plain" and sniffed in ("binary", "image"):
            return "text"
        if media != "" and media != "text/plain" and sniffed == "text":
            return "binary"  # octet-stream that merely looks like text stays binary
        return sniffed
    if media.startswith("text/") or media in _TEXT_APPLICATION_TYPES:
        return "text"
    return "binary"


def _sniff(head: bytes) -> str:
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:1] == b"<":
        lowered = text[:64].lower()
        if lowered.startswith((b"<?xml", b"<rss", b"<feed", b"<svg")) or b"xmlns" in head:
            return "xml"
        return "html"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff window's end is still text.
        if exc.start < len(head) - 3:
            return "binary"
    return "text"
