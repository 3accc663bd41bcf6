"""Bodies that may be large: kept in memory up to a small size, then in a temporary file.

Usage::

    from requests_app.engine.spool import SpooledBody

    body = SpooledBody()              # in memory up to SPOOL_THRESHOLD_BYTES, then on disk
    body.write(chunk)                 # as the bytes arrive (the decoder writes decoded bytes)
    body.size, body.on_disk           # 49 MiB, True
    body.head(512)                    # the first bytes (sniffing the kind), never the whole body
    for chunk in body.chunks():       # the whole body, a chunk at a time
        ...
    body.read()                       # the whole body as one bytes object: only where it is needed

Why: a response of the size limit (50 MiB) used to exist as a bytearray, then as bytes, then as
text, then as JSON (issue 13 item 16). A body on disk costs the page cache, not the process; the
temporary file has no name (unlinked at once) and goes with the last reference to the body (a
run drops each exchange once its result row is made).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

SPOOL_THRESHOLD_BYTES = 1024 * 1024
CHUNK_BYTES = 256 * 1024


class SpooledBody:
    """Bytes written in order; in memory until `threshold`, then in an anonymous temporary file."""

    def __init__(self, data: bytes = b"", *, threshold: int = SPOOL_THRESHOLD_BYTES) -> None:
        self.threshold = threshold
        # A bytearray while written to; bytes once read, so reading again copies nothing.
        self._memory: bytes | bytearray = bytearray()
        self._file: IO[bytes] | None = None
        self.size = 0
        if data:
            self.write(data)

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def write(self, chunk: bytes | bytearray | memoryview) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self._file is None:
            if len(self._memory) + len(chunk) <= self.threshold:
                if isinstance(self._memory, bytes):
                    self._memory = bytearray(self._memory)
                self._memory += chunk
                return
            self._file = tempfile.TemporaryFile(prefix="webclient-body-")
            self._file.write(self._memory)
            self._memory = bytearray()
        self._file.seek(0, 2)  # reading moves the position; writes always append
        self._file.write(chunk)

    def head(self, length: int) -> bytes:
        if self._file is None:
            return bytes(self._memory[:length])
        self._file.seek(0)
        return self._file.read(length)

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        if self._file is None:
            for start in range(0, len(self._memory), size):
                yield bytes(self._memory[start : start + size])
            return
        self._file.seek(0)
        while chunk := self._file.read(size):
            yield chunk

    def read(self) -> bytes:
        if self._file is None:
            if not isinstance(self._memory, bytes):
                self._memory = bytes(self._memory)
            return self._memory
        self._file.seek(0)
        return self._file.read()
