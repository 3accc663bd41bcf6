"""Routes that shape the response body: encodings, sizes, slow bodies, images, documents, etags, headers."""

from __future__ import annotations

import gzip
import json
import random
import struct
import time
import zlib
from collections.abc import Iterator
from functools import lru_cache

import brotli

from requests_app.engine.validation import is_token
from requests_app.playground.core import (
    DEFAULT_GZIP_BOMB_SIZE,
    FRAMING_HEADERS,
    JSON_TYPE,
    MAX_BYTES,
    MAX_DELAY_SECONDS,
    MAX_DRIP_DURATION_SECONDS,
    MAX_GZIP_BOMB_SIZE,
    MAX_STREAM_LINES,
    Headers,
    PlaygroundRequest,
    PlaygroundResponse,
    RouteInputError,
    echo_data,
    error_response,
    float_param,
    has_control_characters,
    int_param,
    json_response,
    text_response,
)


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
    size = int_param(count, "byte count", 0, 0, MAX_BYTES)
    seed = int_param(request.param("seed"), "seed", 0, 0, 2**63)
    data = random.Random(seed).randbytes(size)
    return PlaygroundResponse(200, [("Content-Type", "application/octet-stream")], data)


def delay(request: PlaygroundRequest, seconds: str) -> PlaygroundResponse:
    time.sleep(float_param(seconds, "delay", 0.0, MAX_DELAY_SECONDS))
    return json_response(echo_data(request))


def drip(request: PlaygroundRequest) -> PlaygroundResponse:
    """numbytes "*" bytes spread over duration seconds, after delay seconds; Content-Length set."""
    size = int_param(request.param("numbytes"), "numbytes", 10, 0, MAX_BYTES)
    duration = float_param(request.param("duration"), "duration", 2.0, MAX_DRIP_DURATION_SECONDS)
    wait = float_param(request.param("delay"), "delay", 0.0, MAX_DELAY_SECONDS)
    code = int_param(request.param("code"), "code", 200, 200, 599)
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
    lines = int_param(count, "line count", 1, 0, MAX_STREAM_LINES)
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




def _entity_tags(value: str) -> list[str]:
    tags = []
    for item in value.split(","):
        tag = item.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tags.append(tag.strip('"'))
    return tags


def etag(request: PlaygroundRequest, tag: str) -> PlaygroundResponse:
    if '"' in tag or has_control_characters(tag):
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
    size = int_param(request.param("size"), "size", DEFAULT_GZIP_BOMB_SIZE, 0, MAX_GZIP_BOMB_SIZE)
    return PlaygroundResponse(
        200,
        [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")],
        gzip_bomb(size),
    )


def deny(request: PlaygroundRequest) -> PlaygroundResponse:
    return text_response("robots.txt asks you not to read this page.\n", "text/plain")
