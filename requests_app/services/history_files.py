"""A history entry's body file: written from the response's spool, masked, a chunk at a time,
and read back the same way.

Usage::

    from requests_app.services.history_files import body_file, stored_parts, unescaped_text
    with body_file(response, masker, extra={"spec_body": {...}}) as content:
        entry.body_file.save(name, File(content), save=False)
    parts = stored_parts(open_file)            # where the response body and spec_body lie
    key, start, end = parts.response           # "body_text" | "body_base64", byte range
    "".join(unescaped_text(parts.pieces(start, end)))   # the text, decoded piece by piece

The file has the shape history.py reads back (`{"response": {"body_text": …}, "spec_body": …}`,
body_base64 for binary kinds and for text holding NUL characters, as `_storable` decides for
bodies kept in the row). A body of the response limit (50 MiB) never exists in memory as one
object here: it is read from its temporary file, decoded, masked and JSON-escaped by pieces.
"""

from __future__ import annotations

import base64
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from requests_app.engine.exchange import TEXT_KINDS, Response, decode_text_chunks
from requests_app.services.masking import SecretMasker


def _masked_text(response: Response, masker: SecretMasker) -> Iterator[str]:
    return masker.text_stream(decode_text_chunks(response.content.chunks(), response.charset))


def _regrouped(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The concatenated pieces again, each a multiple of `size` bytes long but the last."""
    carry = b""
    for piece in pieces:
        data = carry + piece
        whole = len(data) - len(data) % size
        carry = data[whole:]
        if whole:
            yield data[:whole]
    if carry:
        yield carry


def _base64_pieces(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """base64 of the concatenated pieces, in pieces (3 bytes encode to 4 characters)."""
    return (base64.b64encode(group) for group in _regrouped(pieces, 3))


def _body_field(response: Response, masker: SecretMasker) -> tuple[str, Iterator[bytes]]:
    """("body_text" or "body_base64", the JSON string's content in pieces, quotes left out)."""
    if response.kind in TEXT_KINDS:
        if not any("\x00" in piece for piece in _masked_text(response, masker)):
            escaped = (json.dumps(piece)[1:-1].encode("ascii") for piece in _masked_text(response, masker))
            return "body_text", escaped
        # PostgreSQL JSON cannot hold NUL: the text exactly, as base64 (history._storable does the same).
        utf8 = (piece.encode("utf-8") for piece in _masked_text(response, masker))
        return "body_base64", _base64_pieces(utf8)
    return "body_base64", _base64_pieces(masker.bytes_stream(response.content.chunks()))


def body_file(response: Response | None, masker: SecretMasker, *, extra: dict[str, Any]) -> IO[bytes]:
    """An anonymous temporary file holding the entry's body JSON; the caller closes it.

    `response`: its body is read from its spool (None: the body, if any, is in `extra`);
    `extra`: the other offloaded parts ({"spec_body": …}), whose long strings are written in slices.
    """
    content = tempfile.TemporaryFile(prefix="webclient-history-")
    content.write(b"{")
    if response is not None:
        key, pieces = _body_field(response, masker)
        content.write(b'"response":{"' + key.encode("ascii") + b'":"')
        for piece in pieces:
            content.write(piece)
        content.write(b'"}')
    for index, (name, value) in enumerate(extra.items()):
        content.write(b"," if index or response is not None else b"")
        content.write(json.dumps(name).encode("ascii") + b":")
        _write_json(content, value)
    content.write(b"}")
    content.seek(0)
    return content


_SLICE_CHARS = 256 * 1024


def _write_json(content: IO[bytes], value: Any) -> None:
    """json.dumps(value, separators=(",", ":")) written out, a request body of 50 MiB in slices."""
    if isinstance(value, str) and len(value) > _SLICE_CHARS:
        content.write(b'"')
        for start in range(0, len(value), _SLICE_CHARS):
            content.write(json.dumps(value[start : start + _SLICE_CHARS])[1:-1].encode("ascii"))
        content.write(b'"')
    elif isinstance(value, dict):
        content.write(b"{")
        for index, (key, item) in enumerate(value.items()):
            content.write((b"," if index else b"") + json.dumps(str(key)).encode("ascii") + b":")
            _write_json(content, item)
        content.write(b"}")
    elif isinstance(value, list):
        content.write(b"[")
        for index, item in enumerate(value):
            content.write(b"," if index else b"")
            _write_json(content, item)
        content.write(b"]")
    else:
        content.write(json.dumps(value, separators=(",", ":")).encode("ascii"))


_BODY_PREFIXES = ((b'{"response":{"body_text":"', "body_text"), (b'{"response":{"body_base64":"', "body_base64"))
_SPEC_BODY_KEY = b'"spec_body":'
_COPY_BYTES = 256 * 1024


@dataclass
class StoredParts:
    """Where a body file keeps each part: byte ranges to copy out without parsing them.

    `response`: ("body_text" or "body_base64", start, end) of that JSON string's content (quotes
    left out, escapes kept); `spec_body`: (start, end) of the request body's JSON object.
    """

    content: IO[bytes]
    response: tuple[str, int, int] | None = None
    spec_body: tuple[int, int] | None = None

    def pieces(self, start: int, end: int) -> Iterator[bytes]:
        self.content.seek(start)
        while start < end and (chunk := self.content.read(min(_COPY_BYTES, end - start))):
            start += len(chunk)
            yield chunk


def stored_parts(content: IO[bytes]) -> StoredParts | None:
    """The parts of a body file (both writers put the response body first, then spec_body, the
    last member), or None when the file is not laid out so (the caller parses it whole then)."""
    size = content.seek(0, 2)
    content.seek(0)
    head = content.read(32)
    parts = StoredParts(content)
    position = 1
    for prefix, key in _BODY_PREFIXES:
        if head.startswith(prefix):
            content.seek(len(prefix))
            length = sum(map(len, _until_closing_quote(content)))
            parts.response = (key, len(prefix), len(prefix) + length)
            position = len(prefix) + length + len(b'"},')
            break
    content.seek(position)
    if content.read(len(_SPEC_BODY_KEY)) == _SPEC_BODY_KEY:
        parts.spec_body = (position + len(_SPEC_BODY_KEY), size - 1)
    if parts.response is None and parts.spec_body is None:
        return None
    return parts


def _until_closing_quote(content: IO[bytes], chunk_bytes: int = 256 * 1024) -> Iterator[bytes]:
    """The bytes up to the first quote not escaped by a backslash (JSON string content)."""
    backslashes_before = 0  # trailing backslashes of the chunks before this one
    while chunk := content.read(chunk_bytes):
        position = 0
        while (quote := chunk.find(b'"', position)) >= 0:
            run = quote - len(chunk[:quote].rstrip(b"\\"))
            if run == quote:
                run += backslashes_before
            if run % 2 == 0:
                yield chunk[:quote]
                return
            position = quote + 1
        trailing = len(chunk) - len(chunk.rstrip(b"\\"))
        backslashes_before = trailing + backslashes_before if trailing == len(chunk) else trailing
        yield chunk
    raise ValueError("the stored body ends inside its JSON string")


_HIGH_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\Z")


def unescaped_text(pieces: Iterable[bytes]) -> Iterator[str]:
    """The text of a JSON string's content (escapes kept, as stored) given in pieces.

    Each piece is cut before an escape that may go on in the next one (and before the first
    half of a surrogate pair), so every part read is whole.
    """
    carry = b""
    for piece in pieces:
        data = carry + piece
        cut = _whole_escapes_end(data)
        if cut:
            yield json.loads(b'"' + data[:cut] + b'"')
        carry = data[cut:]
    if carry:
        yield json.loads(b'"' + carry + b'"')


def _whole_escapes_end(data: bytes) -> int:
    last = data.rfind(b"\\", max(0, len(data) - 12))
    if last < 0:
        return len(data)
    start = last
    while start > 0 and data[start - 1] == 0x5C:  # a run of backslashes: its first one begins an escape
        start -= 1
    if _HIGH_SURROGATE_ESCAPE.search(data, 0, start):
        before = start - 6  # the pair's first half, unless its backslash is itself escaped ("\\ud83d")
        if (before - len(data[:before].rstrip(b"\\"))) % 2 == 0:
            start = before
    return start


def decoded_base64(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes of base64 text given in pieces (4 characters decode to 3 bytes)."""
    return (base64.b64decode(group) for group in _regrouped(pieces, 4))
