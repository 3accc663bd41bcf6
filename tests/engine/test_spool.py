"""Response bodies past a small size live in a temporary file, and decoding holds a step at a time
(issue 13 item 16): memory of an exchange does not grow with its body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from requests_app.engine.decoding import DECODE_STEP_BYTES, BodyDecoder
from requests_app.engine.spec import Options
from requests_app.engine.spool import SPOOL_THRESHOLD_BYTES, SpooledBody
from tests.engine.sending import send_to
from tests.fixtures.prepared_target import gzip_of_zeros, peak_while, prepared_target

MIB = 1024 * 1024
BOMB_SIZE = 16 * MIB


@pytest.fixture(scope="module")
def target() -> Iterator[str]:
    with prepared_target({
        "/bomb": (gzip_of_zeros(BOMB_SIZE), [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]),
        "/small": (b'{"ok": true}', [("Content-Type", "application/json")]),
    }) as base:
        yield base


def test_a_body_past_the_threshold_is_on_disk_and_reads_back_whole():
    body = SpooledBody(threshold=1000)
    body.write(b"a" * 600)
    assert not body.on_disk
    body.write(b"b" * 600)
    assert body.on_disk and body.size == 1200
    assert body.head(3) == b"aaa"
    assert body.read() == b"a" * 600 + b"b" * 600
    assert b"".join(body.chunks(7)) == body.read()
    body.write(b"c")  # after reading, writing still appends
    assert body.read().endswith(b"bc") and body.size == 1201


def test_a_large_response_is_spooled_and_a_small_one_is_not(target):
    large = send_to(f"{target}/bomb", options=Options(max_response_bytes=BOMB_SIZE))
    assert large.error is None
    assert large.response.content.on_disk
    assert large.response.body_size == BOMB_SIZE and not large.response.truncated
    assert large.response.content.head(4) == b"\x00" * 4
    small = send_to(f"{target}/small")
    assert not small.response.content.on_disk and small.response.body == b'{"ok": true}'
    assert SPOOL_THRESHOLD_BYTES < BOMB_SIZE


def test_receiving_a_body_holds_far_less_than_the_body(target):
    send_to(f"{target}/small")  # connections, TLS-free opener and imports warmed up first
    exchange, peak = peak_while(
        lambda: send_to(f"{target}/bomb", options=Options(max_response_bytes=BOMB_SIZE))
    )
    assert exchange.response.body_size == BOMB_SIZE
    # Before: the bomb inflated in one step (16 MiB), into a bytearray, copied to bytes: 3x the body.
    assert peak < 3 * DECODE_STEP_BYTES + SPOOL_THRESHOLD_BYTES + MIB


def test_a_gzip_bomb_is_inflated_a_step_at_a_time():
    decoder = BodyDecoder("gzip", limit=8 * MIB)
    compressed = gzip_of_zeros(64 * MIB)
    _, peak = peak_while(lambda: (decoder.feed(compressed), decoder.finish()))
    assert decoder.truncated and decoder.spool.size == 8 * MIB and decoder.spool.on_disk
    assert peak < 3 * DECODE_STEP_BYTES + SPOOL_THRESHOLD_BYTES
