"""Content-Encoding decoding (bounded), truncation at the cap, and body kinds."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from requests_app.engine.decoding import BodyDecoder, body_kind, media_type
from requests_app.engine.spec import Options
from tests.engine.sending import send_to


@pytest.mark.parametrize(("path", "flag"), [("/gzip", "gzipped"), ("/deflate", "deflated"), ("/brotli", "brotli")])
def test_each_content_encoding_is_decoded(echo_server, path, flag):
    exchange = send_to(echo_server.url(path))
    response = exchange.response
    assert exchange.error is None
    assert response.kind == "json"
    assert f'"{flag}": true' in response.text()
    assert 0 < response.wire_body_size < len(response.body)


def test_gzip_bomb_stops_at_the_cap(echo_server):
    cap = 1_000_000
    exchange = send_to(echo_server.url("/gzip-bomb?size=1073741824"), options=Options(max_response_bytes=cap))
    response = exchange.response
    assert exchange.error is None
    assert response.truncated is True
    assert len(response.body) == cap
    assert response.body == b"\x00" * cap
    assert response.wire_body_size < 2 * 1024 * 1024


def test_plain_body_is_truncated_at_the_cap(echo_server):
    exchange = send_to(echo_server.url("/bytes/5000"), options=Options(max_response_bytes=1234))
    assert exchange.response.truncated is True
    assert len(exchange.response.body) == 1234


def test_body_exactly_at_the_cap_is_not_truncated(echo_server):
    exchange = send_to(echo_server.url("/bytes/1234"), options=Options(max_response_bytes=1234))
    assert exchange.response.truncated is False
    assert len(exchange.response.body) == 1234


def test_chunked_stream_is_read_whole(echo_server):
    exchange = send_to(echo_server.url("/stream/5"))
    assert exchange.error is None
    assert exchange.response.body.count(b"\n") == 5


def decode(encoding, data, limit=10_000, chunk=7):
    decoder = BodyDecoder(encoding, limit)
    for start in range(0, len(data), chunk):
        decoder.feed(data[start : start + chunk])
    decoder.finish()
    return decoder


PAYLOAD = b"hello world " * 200


def raw_deflate(data):
    compressor = zlib.compressobj(wbits=-15)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("gzip", gzip.compress(PAYLOAD)),
        ("x-gzip", gzip.compress(PAYLOAD)),
        ("deflate", zlib.compress(PAYLOAD)),
        ("deflate", raw_deflate(PAYLOAD)),
        ("br", brotli.compress(PAYLOAD)),
        ("gzip, br", brotli.compress(gzip.compress(PAYLOAD))),
        ("br, gzip", gzip.compress(brotli.compress(PAYLOAD))),
        ("identity", PAYLOAD),
        ("", PAYLOAD),
        ("gzip", gzip.compress(PAYLOAD[:1000]) + gzip.compress(PAYLOAD[1000:])),
    ],
)
def test_decoder_handles_encodings_fed_in_small_chunks(encoding, data):
    decoder = decode(encoding, data)
    assert decoder.body == PAYLOAD
    assert decoder.truncated is False and decoder.warning == ""


def test_stacked_bomb_stays_bounded():
    inner = gzip.compress(b"\x00" * 20_000_000)
    decoder = decode("gzip, br", brotli.compress(inner), limit=50_000, chunk=4096)
    assert decoder.truncated is True
    assert len(decoder.body) == 50_000


def test_brotli_bomb_stays_bounded():
    decoder = decode("br", brotli.compress(b"\x00" * 50_000_000), limit=100_000, chunk=4096)
    assert decoder.truncated is True and len(decoder.body) == 100_000


def test_corrupt_data_stops_decoding_and_warns():
    decoder = decode("gzip", b"\x1f\x8b\x08\x00" + b"garbage" * 20)
    assert decoder.warning.startswith("The gzip body could not be decoded")
    assert decoder.full is True


def test_unknown_encoding_is_passed_through_with_a_warning():
    decoder = decode("zstd", b"\x28\xb5\x2f\xfd data")
    assert decoder.body == b"\x28\xb5\x2f\xfd data"
    assert "zstd" in decoder.warning


def test_media_type_and_charset():
    assert media_type('Text/HTML; Charset="ISO-8859-1"') == ("text/html", "ISO-8859-1")
    assert media_type(None) == ("", "")


@pytest.mark.parametrize(
    ("media", "body", "kind"),
    [
        ("application/json", b"{}", "json"),
        ("application/problem+json", b"{}", "json"),
        ("application/xml", b"<a/>", "xml"),
        ("image/svg+xml", b"<svg/>", "image"),
        ("text/html", b"<p>", "html"),
        ("text/css", b"a{}", "text"),
        ("image/png", b"\x89PNG", "image"),
        ("application/pdf", b"%PDF", "binary"),
        ("", b"", "empty"),
        ("", b'  {"a": 1}', "json"),
        ("text/plain", b"[1, 2]", "json"),
        ("", b"<!DOCTYPE html><html>", "html"),
        ("", b'<?xml version="1.0"?><a/>', "xml"),
        ("", b"\x89PNG\r\n\x1a\nrest", "image"),
        ("", b"just words", "text"),
        ("", b"\x00\x01\x02", "binary"),
        ("application/octet-stream", b"just words", "binary"),
        ("text/plain", b"\x00\x01", "text"),
    ],
)
def test_body_kind(media, body, kind):
    assert body_kind(media, body) == kind


def test_cut_compressed_stream_warns():
    decoder = decode("gzip", gzip.compress(PAYLOAD)[:-20])
    assert "ended before" in decoder.warning
    assert PAYLOAD.startswith(decoder.body)


def test_empty_body_with_an_encoding_is_fine():
    decoder = decode("gzip", b"")
    assert decoder.body == b"" and decoder.warning == ""
