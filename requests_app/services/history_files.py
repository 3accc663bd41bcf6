"""A history entry's body file written from the response's spool, masked, a chunk at a time.

Usage::

    from requests_app.services.history_files import body_file_from_spool
    with body_file_from_spool(response, masker, extra={"spec_body": {...}}) as content:
        entry.body_file.save(name, File(content), save=False)

The file has the shape history.py reads back (`{"response": {"body_text": …}, "spec_body": …}`,
body_base64 for binary kinds and for text holding NUL characters, as `_storable` decides for
bodies kept in the row). A body of the response limit (50 MiB) never exists in memory as one
object here: it is read from its temporary file, decoded, masked and JSON-escaped by pieces.
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from requests_app.engine.exchange import TEXT_KINDS, Response, decode_text_chunks
from requests_app.services.masking import SecretMasker


def _masked_text(response: Response, masker: SecretMasker) -> Iterator[str]:
    return masker.text_stream(decode_text_chunks(response.content.chunks(), response.charset))


def _base64_pieces(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """base64 of the concatenated pieces, in pieces: each encodes a multiple of 3 bytes but the last."""
    carry = b""
    for piece in pieces:
        data = carry + piece
        whole = len(data) - len(data) % 3
        carry = data[whole:]
        if whole:
            yield base64.b64encode(data[:whole])
    if carry:
        yield base64.b64encode(carry)


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


def body_file_from_spool(response: Response, masker: SecretMasker, *, extra: dict[str, Any]) -> IO[bytes]:
    """An anonymous temporary file holding the entry's body JSON; the caller closes it."""
    key, pieces = _body_field(response, masker)
    content = tempfile.TemporaryFile(prefix="webclient-history-")
    content.write(b'{"response":{"' + key.encode("ascii") + b'":"')
    for piece in pieces:
        content.write(piece)
    content.write(b'"}')
    for name, value in extra.items():
        content.write(b"," + json.dumps(name).encode() + b":" + json.dumps(value, separators=(",", ":")).encode())
    content.write(b"}")
    content.seek(0)
    return content


_BODY_PREFIXES = ((b'{"response":{"body_text":"', "body_text"), (b'{"response":{"body_base64":"', "body_base64"))


def stored_body_pieces(content: IO[bytes]) -> tuple[str, Iterator[bytes]] | None:
    """(key, the body's JSON string as stored, escapes kept, in pieces) of a body file, or None
    when the file does not start with a response body (the caller parses it whole then).

    Both writers (body_file_from_spool, and json.dumps of the row's offloaded parts) put the
    response body first, so an answer can copy it out without parsing it.
    """
    head = content.read(32)
    for prefix, key in _BODY_PREFIXES:
        if head.startswith(prefix):
            content.seek(len(prefix))
            return key, _until_closing_quote(content)
    return None


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
