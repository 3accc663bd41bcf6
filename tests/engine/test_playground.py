"""The playground routes, through the real stdlib server (http.client) and the /echo/ mount."""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import json
import os
import random
import ssl
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import brotli
import pytest
from django.test import Client

from requests_app import playground
from requests_app.playground import PlaygroundRequest, gzip_bomb, handle
from requests_app.playground_server import serve_in_thread

REPO_ROOT = Path(__file__).resolve().parents[2]


def fetch(
    target: Any,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: list[tuple[str, str]] | None = None,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request with headers sent exactly as given (order, case, duplicates)."""
    conn = connection or http.client.HTTPConnection(target.host, target.port, timeout=10)
    conn.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers or []:
        conn.putheader(name, value)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    data = response.read()
    if connection is None:
        conn.close()
    return response, data


def fetch_json(target: Any, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    response, data = fetch(target, method, path, **kwargs)
    return response.status, json.loads(data)


def multipart_body(
    boundary: str, parts: list[tuple[str, bytes, str | None, str | None]]
) -> bytes:
    """(name, content, filename, content_type) parts as multipart/form-data."""
    chunks = []
    for name, content, filename, content_type in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(head.encode() + b"\r\n" + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def digest_authorization(
    challenge: str, method: str, uri: str, user: str, password: str, body: bytes = b""
) -> str:
    """Answer a Digest challenge by hand (RFC 7616), for what urllib cannot do."""
    params = urllib.request.parse_keqv_list(
        urllib.request.parse_http_list(challenge.partition(" ")[2])
    )
    algorithm = params.get("algorithm", "MD5")
    hash_name = {"MD5": "md5", "SHA-256": "sha256"}[algorithm]

    def hashed(data: bytes) -> str:
        return hashlib.new(hash_name, data).hexdigest()

    qop = params["qop"]
    ha1 = hashed(f"{user}:{params['realm']}:{password}".encode())
    ha2_input = f"{method}:{uri}"
    if qop == "auth-int":
        ha2_input += ":" + hashed(body)
    nc, cnonce = "00000001", "0a4f113b"
    answer = hashed(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:{qop}:{hashed(ha2_input.encode())}".encode())
    return (
        f'Digest username="{user}", realm="{params["realm"]}", nonce="{params["nonce"]}", '
        f'uri="{uri}", algorithm={algorithm}, qop={qop}, nc={nc}, cnonce="{cnonce}", '
        f'response="{answer}", opaque="{params["opaque"]}"'
    )


# ------------------------------------------------------------------ echo


def test_anything_echoes_method_path_query_and_body(echo_server):
    status, echoed = fetch_json(
        echo_server, "POST", "/anything/deep/path?a=1&b=%C3%A9&a=2&empty=",
        body="hé".encode(), headers=[("Content-Type", "text/plain; charset=utf-8")],
    )
    assert status == 200
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/anything/deep/path"
    assert echoed["query"] == [["a", "1"], ["b", "é"], ["a", "2"], ["empty", ""]]
    assert echoed["args"] == {"a": ["1", "2"], "b": ["é"], "empty": [""]}
    assert echoed["data"] == "hé"
    assert echoed["data_encoding"] == "utf-8"
    assert echoed["origin"] == "127.0.0.1"
    assert echoed["url"] == echo_server.url("/anything/deep/path?a=1&b=%C3%A9&a=2&empty=")


def test_anything_keeps_header_order_case_and_duplicates(echo_server):
    sent = [("X-First", "1"), ("x-dup", "a"), ("X-DUP", "b"), ("X-Last", "z")]
    _status, echoed = fetch_json(echo_server, "GET", "/anything", headers=sent)
    received = [tuple(pair) for pair in echoed["headers"]]
    assert [pair for pair in received if pair[0].lower() != "host"] == sent


def test_anything_echoes_binary_body_as_base64(echo_server):
    body = bytes(range(256))
    _status, echoed = fetch_json(echo_server, "PUT", "/anything", body=body)
    assert echoed["data_encoding"] == "base64"
    assert base64.b64decode(echoed["data"]) == body
    assert echoed["json"] is None


def test_anything_parses_a_json_body(echo_server):
    body = json.dumps({"a": [1, 2], "b": None}).encode()
    _status, echoed = fetch_json(
        echo_server, "PATCH", "/anything", body=body, headers=[("Content-Type", "application/json")]
    )
    assert echoed["json"] == {"a": [1, 2], "b": None}


def test_anything_echoes_urlencoded_form_in_order_with_duplicates(echo_server):
    body = b"name=Ann&tag=x&tag=y&note=a+b%26c"
    _status, echoed = fetch_json(
        echo_server, "POST", "/anything", body=body,
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
    )
    assert echoed["form"] == [["name", "Ann"], ["tag", "x"], ["tag", "y"], ["note", "a b&c"]]
    assert echoed["files"] == []


def test_anything_parses_multipart_fields_and_files(echo_server):
    binary = bytes(range(256)) * 8 + b"\r\n--not-a-boundary\r\n"
    body = multipart_body("b0undary", [
        ("tag", b"one", None, None),
        ("upload", "héllo file\n".encode(), "notes.txt", "text/plain"),
        ("tag", b"two", None, None),
        ("blob", binary, "data.bin", "application/octet-stream"),
    ])
    _status, echoed = fetch_json(
        echo_server, "POST", "/anything", body=body,
        headers=[("Content-Type", "multipart/form-data; boundary=b0undary")],
    )
    assert echoed["form"] == [["tag", "one"], ["tag", "two"]]
    text_file, binary_file = echoed["files"]
    assert text_file == {
        "name": "upload", "filename": "notes.txt", "content_type": "text/plain",
        "size": len("héllo file\n".encode()),
        "sha256": hashlib.sha256("héllo file\n".encode()).hexdigest(),
        "content": "héllo file\n",
    }
    assert binary_file["size"] == len(binary)
    assert binary_file["sha256"] == hashlib.sha256(binary).hexdigest()
    assert binary_file["content"] is None


def test_custom_methods_are_echoed(echo_server):
    for method in ("PROPFIND", "PURGE", "X-MY-METHOD"):
        status, echoed = fetch_json(echo_server, method, "/anything")
        assert (status, echoed["method"]) == (200, method)


def test_head_has_headers_but_no_body(echo_server):
    get_response, get_body = fetch(echo_server, "GET", "/json")
    head_response, head_body = fetch(echo_server, "HEAD", "/json")
    assert head_response.status == 200
    assert head_body == b""
    assert head_response.getheader("Content-Length") == str(len(get_body))


def test_keep_alive_serves_two_requests_on_one_connection(echo_server):
    before = echo_server.accepted_connections
    connection = http.client.HTTPConnection(echo_server.host, echo_server.port, timeout=10)
    first, _ = fetch(echo_server, "GET", "/get", connection=connection)
    second, _ = fetch(echo_server, "POST", "/post", body=b"x", connection=connection)
    connection.close()
    assert (first.status, second.status) == (200, 200)
    assert echo_server.accepted_connections == before + 1


def test_connection_close_is_honoured(echo_server):
    response, _ = fetch(echo_server, "GET", "/get", headers=[("Connection", "close")])
    assert response.getheader("Connection") == "close"


def test_chunked_request_body_is_read(echo_server):
    connection = http.client.HTTPConnection(echo_server.host, echo_server.port, timeout=10)
    connection.request("POST", "/anything", body=iter([b"abc", b"def"]), encode_chunked=True)
    echoed = json.loads(connection.getresponse().read())
    connection.close()
    assert echoed["data"] == "abcdef"


def test_method_routes_refuse_other_methods(echo_server):
    response, _ = fetch(echo_server, "POST", "/get", body=b"")
    assert response.status == 405
    assert response.getheader("Allow") == "GET, HEAD"
    assert fetch(echo_server, "DELETE", "/delete")[0].status == 200


def test_headers_ip_and_user_agent(echo_server):
    _status, echoed = fetch_json(echo_server, "GET", "/headers", headers=[("X-A", "1")])
    assert ["X-A", "1"] in echoed["headers"]
    assert fetch_json(echo_server, "GET", "/ip")[1] == {"origin": "127.0.0.1"}
    agent = fetch_json(echo_server, "GET", "/user-agent", headers=[("User-Agent", "probe/1")])[1]
    assert agent == {"user-agent": "probe/1"}


def test_unknown_path_is_404_json(echo_server):
    status, echoed = fetch_json(echo_server, "GET", "/no/such/route")
    assert status == 404
    assert "/no/such/route" in echoed["error"]


def test_index_lists_the_routes(echo_server):
    _status, listing = fetch_json(echo_server, "GET", "/")
    paths = {route["path"] for route in listing["routes"]}
    assert {"/anything", "/status/<codes>", "/digest-auth/<user>/<password>", "/gzip-bomb"} <= paths


# ------------------------------------------------------------------ status & redirects


@pytest.mark.parametrize("code", [200, 201, 400, 418, 500, 503, 599])
def test_status_answers_with_the_code(echo_server, code):
    response, body = fetch(echo_server, "GET", f"/status/{code}")
    assert response.status == code
    assert json.loads(body) == {"status": code}


@pytest.mark.parametrize("code", [204, 304])
def test_status_without_body(echo_server, code):
    response, body = fetch(echo_server, "GET", f"/status/{code}")
    assert (response.status, body) == (code, b"")


def test_status_list_takes_the_first_code(echo_server):
    assert fetch(echo_server, "GET", "/status/201,503")[0].status == 201


def test_status_redirect_codes_carry_a_location(echo_server):
    response, _ = fetch(echo_server, "GET", "/status/307")
    assert response.getheader("Location") == "/redirect/1"


@pytest.mark.parametrize("bad", ["abc", "99", "600"])
def test_status_rejects_bad_codes(echo_server, bad):
    status, echoed = fetch_json(echo_server, "GET", f"/status/{bad}")
    assert status == 400
    assert "status code" in echoed["error"]


def follow(target: Any, path: str, limit: int = 20) -> list[tuple[int, str]]:
    """(status, url) of every hop, following Locations with urljoin."""
    url = target.url(path)
    hops = []
    for _ in range(limit):
        parts = urlsplit(url)
        response, _ = fetch(target, "GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        hops.append((response.status, url))
        if response.status not in (301, 302, 303, 307, 308):
            break
        url = urljoin(url, response.getheader("Location"))
    return hops


def test_redirect_chain_ends_at_get(echo_server):
    hops = follow(echo_server, "/redirect/3")
    assert [status for status, _ in hops] == [302, 302, 302, 200]
    assert hops[-1][1] == echo_server.url("/get")


def test_relative_redirect_uses_relative_locations(echo_server):
    response, _ = fetch(echo_server, "GET", "/relative-redirect/2")
    assert response.getheader("Location") == "1"
    hops = follow(echo_server, "/relative-redirect/2")
    assert [status for status, _ in hops] == [302, 302, 200]
    assert hops[-1][1] == echo_server.url("/get")


def test_absolute_redirect_uses_absolute_locations(echo_server):
    response, _ = fetch(echo_server, "GET", "/absolute-redirect/2")
    assert response.getheader("Location") == echo_server.url("/absolute-redirect/1")
    assert fetch(echo_server, "GET", "/redirect/1?absolute=true")[0].getheader(
        "Location"
    ) == echo_server.url("/get")


def test_redirect_to_sends_to_the_url_with_the_status(echo_server):
    response, _ = fetch(echo_server, "GET", "/redirect-to?url=http%3A%2F%2F127.0.0.1%3A9%2Fx&status_code=307")
    assert (response.status, response.getheader("Location")) == (307, "http://127.0.0.1:9/x")
    response, _ = fetch(echo_server, "GET", "/redirect-to?url=/get&status=301")
    assert (response.status, response.getheader("Location")) == (301, "/get")


@pytest.mark.parametrize(
    "query", ["", "?url=/x&status_code=200", "?url=/x&status_code=abc", "?url=/a%0d%0aSet-Cookie:%20x=1"]
)
def test_redirect_to_rejects_bad_input(echo_server, query):
    status, echoed = fetch_json(echo_server, "GET", f"/redirect-to{query}")
    assert status == 400
    assert echoed["error"]


def test_redirect_count_must_be_positive(echo_server):
    assert fetch(echo_server, "GET", "/redirect/0")[0].status == 400


# ------------------------------------------------------------------ cookies


def test_cookies_echo_what_was_sent(echo_server):
    _status, echoed = fetch_json(echo_server, "GET", "/cookies", headers=[("Cookie", "a=1; b=two; a=3")])
    assert echoed["cookies"] == {"a": "1", "b": "two"}
    assert echoed["cookie_pairs"] == [["a", "1"], ["b", "two"], ["a", "3"]]


def test_cookies_set_sets_each_then_redirects(echo_server):
    response, _ = fetch(echo_server, "GET", "/cookies/set?theme=dark&lang=en")
    assert response.status == 302
    assert response.getheader("Location") == "/cookies"
    assert response.headers.get_all("Set-Cookie") == ["theme=dark; Path=/", "lang=en; Path=/"]
    response, _ = fetch(echo_server, "GET", "/cookies/set/single/v1")
    assert response.headers.get_all("Set-Cookie") == ["single=v1; Path=/"]


def test_cookies_delete_expires_them(echo_server):
    response, _ = fetch(echo_server, "GET", "/cookies/delete?theme")
    assert response.status == 302
    (cookie,) = response.headers.get_all("Set-Cookie")
    assert cookie.startswith('theme=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/')


def test_cookies_set_rejects_invalid_names(echo_server):
    assert fetch(echo_server, "GET", "/cookies/set?bad%20name=1")[0].status == 400


# ------------------------------------------------------------------ encodings & bodies


def test_gzip_deflate_and_brotli_are_encoded_json(echo_server):
    decoders = {"gzip": gzip.decompress, "deflate": zlib.decompress, "brotli": brotli.decompress}
    encodings = {"gzip": "gzip", "deflate": "deflate", "brotli": "br"}
    flags = {"gzip": "gzipped", "deflate": "deflated", "brotli": "brotli"}
    for route, decode in decoders.items():
        response, body = fetch(echo_server, "GET", f"/{route}")
        assert response.getheader("Content-Encoding") == encodings[route]
        payload = json.loads(decode(body))
        assert payload[flags[route]] is True
        assert payload["method"] == "GET"


def test_bytes_are_random_sized_and_deterministic(echo_server):
    first = fetch(echo_server, "GET", "/bytes/4096")[1]
    again = fetch(echo_server, "GET", "/bytes/4096")[1]
    other_seed = fetch(echo_server, "GET", "/bytes/4096?seed=7")[1]
    assert len(first) == 4096
    assert first == again == random.Random(0).randbytes(4096)
    assert other_seed != first


def test_bytes_over_the_cap_are_refused(echo_server):
    status, echoed = fetch_json(echo_server, "GET", f"/bytes/{10 * 1024 * 1024 + 1}")
    assert status == 400
    assert "between 0 and 10485760" in echoed["error"]


def test_delay_waits_before_answering(echo_server):
    started = time.monotonic()
    status, echoed = fetch_json(echo_server, "GET", "/delay/0.3")
    assert time.monotonic() - started >= 0.3
    assert (status, echoed["path"]) == (200, "/delay/0.3")


@pytest.mark.parametrize("seconds", ["11", "-1", "nan", "soon"])
def test_delay_rejects_out_of_range(echo_server, seconds):
    assert fetch(echo_server, "GET", f"/delay/{seconds}")[0].status == 400


def test_drip_sends_the_bytes_slowly(echo_server):
    connection = http.client.HTTPConnection(echo_server.host, echo_server.port, timeout=10)
    connection.request("GET", "/drip?numbytes=5&duration=0.5&delay=0")
    response = connection.getresponse()
    started = time.monotonic()
    first = response.read(1)
    rest = response.read()
    elapsed = time.monotonic() - started
    connection.close()
    assert response.getheader("Content-Length") == "5"
    assert first + rest == b"*****"
    assert elapsed >= 0.35  # four pauses of 0.1 s between five bytes


def test_drip_answers_with_the_asked_code(echo_server):
    response, body = fetch(echo_server, "GET", "/drip?numbytes=2&duration=0&code=503")
    assert (response.status, body) == (503, b"**")


def test_stream_is_sent_chunked(echo_server):
    connection = http.client.HTTPConnection(echo_server.host, echo_server.port, timeout=10)
    connection.request("GET", "/stream/3")
    response = connection.getresponse()
    lines = response.read().splitlines()
    connection.close()
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2]


def test_image_png_is_a_valid_png(echo_server):
    response, body = fetch(echo_server, "GET", "/image/png")
    assert response.getheader("Content-Type") == "image/png"
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks = 8, {}
    while position < len(body):
        (length,) = struct.unpack(">I", body[position:position + 4])
        kind = body[position + 4:position + 8]
        data = body[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", body[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + data)
        chunks[kind] = data
        position += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert (width, height) == (32, 32)
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + width * 3)
    assert chunks[b"IEND"] == b""


def test_documents_have_their_types(echo_server):
    expectations = {
        "/html": "text/html; charset=utf-8",
        "/xml": "application/xml",
        "/json": "application/json",
        "/robots.txt": "text/plain",
        "/encoding/utf8": "text/html; charset=utf-8",
    }
    bodies = {}
    for path, content_type in expectations.items():
        response, bodies[path] = fetch(echo_server, "GET", path)
        assert response.getheader("Content-Type") == content_type
    assert b"<h1>" in bodies["/html"]
    assert ElementTree.fromstring(bodies["/xml"]).tag == "slideshow"
    assert "slideshow" in json.loads(bodies["/json"])
    assert b"Disallow: /deny" in bodies["/robots.txt"]
    assert "日本語" in bodies["/encoding/utf8"].decode("utf-8")


def test_response_headers_repeats_repeated_keys(echo_server):
    response, body = fetch(echo_server, "GET", "/response-headers?X-Tag=a&X-Tag=b&Content-Type=text/plain")
    assert response.headers.get_all("X-Tag") == ["a", "b"]
    assert response.getheader("Content-Type") == "text/plain"
    assert json.loads(body) == [["X-Tag", "a"], ["X-Tag", "b"], ["Content-Type", "text/plain"]]


@pytest.mark.parametrize(
    "query", ["X-Bad=a%0d%0aX-Injected:%201", "Bad%20Name=1", "Content-Length=5", "Transfer-Encoding=chunked"]
)
def test_response_headers_refuses_injection_and_framing(echo_server, query):
    response, body = fetch(echo_server, "GET", f"/response-headers?{query}")
    assert response.status == 400
    assert response.getheader("X-Injected") is None
    assert json.loads(body)["error"]


def test_gzip_bomb_is_small_on_the_wire_and_inflates_to_the_size(echo_server):
    response, body = fetch(echo_server, "GET", "/gzip-bomb")
    assert response.getheader("Content-Encoding") == "gzip"
    assert len(body) < 1_200_000  # for 1 GiB of zeros
    assert struct.unpack("<I", body[-4:])[0] == (1 << 30) % (1 << 32)
    inflater = zlib.decompressobj(wbits=47)
    assert inflater.decompress(body, 4 << 20) == bytes(4 << 20)  # bounded: only the start


def test_gzip_bomb_is_a_valid_gzip_of_zeros():
    for size in (0, 1, 1000, (1 << 20) * 3 + 12345):
        assert gzip.decompress(gzip_bomb(size)) == bytes(size)  # checks the CRC and length too


def test_gzip_bomb_size_is_capped(echo_server):
    assert fetch(echo_server, "GET", f"/gzip-bomb?size={(8 << 30) + 1}")[0].status == 400


# ------------------------------------------------------------------ auth & caching


def test_basic_auth_accepts_the_right_credentials(echo_server):
    good = base64.b64encode(b"ann:s3cret").decode()
    bad = base64.b64encode(b"ann:wrong").decode()
    status, echoed = fetch_json(
        echo_server, "GET", "/basic-auth/ann/s3cret", headers=[("Authorization", f"Basic {good}")]
    )
    assert (status, echoed) == (200, {"authenticated": True, "user": "ann"})
    response, _ = fetch(echo_server, "GET", "/basic-auth/ann/s3cret", headers=[("Authorization", f"Basic {bad}")])
    assert response.status == 401
    assert response.getheader("WWW-Authenticate").startswith("Basic realm=")


def test_bearer_needs_a_token(echo_server):
    assert fetch(echo_server, "GET", "/bearer")[0].status == 401
    status, echoed = fetch_json(echo_server, "GET", "/bearer", headers=[("Authorization", "Bearer t0k")])
    assert (status, echoed["token"]) == (200, "t0k")


def digest_opener(target: Any, user: str, password: str) -> urllib.request.OpenerDirector:
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, target.url("/"), user, password)
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPDigestAuthHandler(passwords)
    )


@pytest.mark.parametrize("path", ["/digest-auth/ann/pa55", "/digest-auth/auth/ann/pa55"])
def test_digest_auth_succeeds_with_urllib(echo_server, path):
    with digest_opener(echo_server, "ann", "pa55").open(echo_server.url(path + "?x=1"), timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"authenticated": True, "user": "ann"}


def test_digest_auth_refuses_a_wrong_password_with_urllib(echo_server):
    with pytest.raises(urllib.error.HTTPError) as raised:
        digest_opener(echo_server, "ann", "wrong").open(echo_server.url("/digest-auth/ann/pa55"), timeout=10)
    assert raised.value.code == 401
    raised.value.close()


def test_digest_challenge_is_rfc_7616(echo_server):
    response, _ = fetch(echo_server, "GET", "/digest-auth/ann/pa55")
    challenge = response.getheader("WWW-Authenticate")
    assert response.status == 401
    params = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[len("Digest "):]))
    assert params["qop"] == "auth"
    assert params["algorithm"] == "MD5"
    assert params["realm"] and params["nonce"] and params["opaque"]


@pytest.mark.parametrize("qop, algorithm", [("auth-int", "MD5"), ("auth", "SHA-256"), ("auth-int", "SHA-256")])
def test_digest_auth_int_and_sha256(echo_server, qop, algorithm):
    path = f"/digest-auth/{qop}/ann/pa55/{algorithm}"
    response, _ = fetch(echo_server, "POST", path, body=b"payload")
    authorization = digest_authorization(
        response.getheader("WWW-Authenticate"), "POST", path, "ann", "pa55", b"payload"
    )
    response, _ = fetch(echo_server, "POST", path, body=b"payload", headers=[("Authorization", authorization)])
    assert response.status == 200
    tampered, _ = fetch(echo_server, "POST", path, body=b"changed", headers=[("Authorization", authorization)])
    assert tampered.status == (401 if qop == "auth-int" else 200)


def test_digest_auth_refuses_a_forged_nonce(echo_server):
    path = "/digest-auth/ann/pa55"
    challenge = fetch(echo_server, "GET", path)[0].getheader("WWW-Authenticate")
    forged = challenge.replace('nonce="', 'nonce="0')
    authorization = digest_authorization(forged, "GET", path, "ann", "pa55")
    response, body = fetch(echo_server, "GET", path, headers=[("Authorization", authorization)])
    assert response.status == 401
    assert json.loads(body)["error"] == "that nonce was not issued here"


def test_digest_auth_marks_an_expired_nonce_stale(monkeypatch):
    path = "/digest-auth/ann/pa55"
    first = handle(PlaygroundRequest("GET", path))
    authorization = digest_authorization(first.header("WWW-Authenticate"), "GET", path, "ann", "pa55")
    later = time.time() + playground.DIGEST_NONCE_LIFETIME_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)  # the clock the nonce check reads
    response = handle(PlaygroundRequest("GET", path, headers=[("Authorization", authorization)]))
    assert response.status == 401
    assert "stale=TRUE" in response.header("WWW-Authenticate")


def test_etag_answers_304_on_matching_if_none_match(echo_server):
    response, body = fetch(echo_server, "GET", "/etag/v1", headers=[("If-None-Match", 'W/"v0", "v1"')])
    assert (response.status, body, response.getheader("ETag")) == (304, b"", '"v1"')
    response, _ = fetch(echo_server, "GET", "/etag/v1", headers=[("If-None-Match", '"v0"')])
    assert (response.status, response.getheader("ETag")) == (200, '"v1"')


def test_etag_answers_412_on_failing_if_match(echo_server):
    assert fetch(echo_server, "PUT", "/etag/v1", body=b"", headers=[("If-Match", '"v0"')])[0].status == 412
    assert fetch(echo_server, "PUT", "/etag/v1", body=b"", headers=[("If-Match", '"v1"')])[0].status == 200


# ------------------------------------------------------------------ server behaviour


def https_connection(target: Any, context: ssl.SSLContext) -> http.client.HTTPSConnection:
    return http.client.HTTPSConnection("127.0.0.1", target.port, context=context, timeout=10)


def test_tls_server_is_trusted_through_the_session_ca(echo_tls_server):
    for context in (echo_tls_server.client_context(), ssl.create_default_context(cafile=echo_tls_server.ca_pem_path)):
        for host in ("127.0.0.1", "localhost"):
            connection = http.client.HTTPSConnection(host, echo_tls_server.port, context=context, timeout=10)
            connection.request("GET", "/anything")
            echoed = json.loads(connection.getresponse().read())
            connection.close()
            assert echoed["url"].startswith("https://")


def test_tls_server_is_refused_without_its_ca(echo_tls_server):
    connection = https_connection(echo_tls_server, ssl.create_default_context())
    with pytest.raises(ssl.SSLCertVerificationError):
        connection.request("GET", "/get")
    connection.close()
    # the failed handshake did not take the server down
    good = https_connection(echo_tls_server, echo_tls_server.client_context())
    good.request("GET", "/get")
    assert good.getresponse().status == 200
    good.close()


def test_tls_failure_fixtures_fail_verification(echo_tls_wrong_host_server, echo_tls_expired_server):
    expected = {echo_tls_wrong_host_server.port: "mismatch", echo_tls_expired_server.port: "expired"}
    for target in (echo_tls_wrong_host_server, echo_tls_expired_server):
        connection = https_connection(target, target.client_context())
        with pytest.raises(ssl.SSLCertVerificationError) as raised:
            connection.request("GET", "/get")
        connection.close()
        assert expected[target.port] in str(raised.value)


def test_closed_port_refuses(closed_port):
    connection = http.client.HTTPConnection("127.0.0.1", closed_port, timeout=5)
    with pytest.raises(ConnectionRefusedError):
        connection.request("GET", "/")


def test_silent_server_never_answers(silent_server):
    connection = http.client.HTTPConnection("127.0.0.1", silent_server.port, timeout=0.2)
    connection.request("GET", "/")
    with pytest.raises(TimeoutError):
        connection.getresponse()
    connection.close()


def test_invalid_content_length_is_400(echo_server):
    connection = http.client.HTTPConnection(echo_server.host, echo_server.port, timeout=10)
    connection.putrequest("POST", "/anything")
    connection.putheader("Content-Length", "ten")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 400
    assert "Content-Length" in json.loads(response.read())["error"]
    connection.close()


def test_stop_releases_the_port():
    server, base_url, stop = serve_in_thread()
    port = server.port
    idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    idle.request("GET", "/get")
    idle.getresponse().read()  # leaves a keep-alive connection open
    stop()
    idle.close()
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/")
    assert base_url == f"http://127.0.0.1:{port}"


def test_module_runs_the_server_in_the_foreground():
    process = subprocess.Popen(
        [sys.executable, "-m", "requests_app.playground", "--port", "0"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Playground serving on http://127.0.0.1:")
        url = line.split()[3].rstrip("/")
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url + "/get", timeout=10) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


# ------------------------------------------------------------------ the /echo/ mount in the app


COMPARED_KEYS = ("method", "path", "query", "args", "data", "data_encoding", "form", "files", "json")


def test_django_mount_gives_the_same_json_as_the_stdlib_server(echo_server):
    body = multipart_body("zz", [("a", b"1", None, None), ("f", b"file!", "f.txt", "text/plain")])
    content_type = "multipart/form-data; boundary=zz"
    _status, stdlib_echo = fetch_json(
        echo_server, "POST", "/anything/x?q=1&q=2&u=%C3%BC", body=body, headers=[("Content-Type", content_type)]
    )
    django_echo = Client().post("/echo/anything/x?q=1&q=2&u=%C3%BC", data=body, content_type=content_type).json()
    assert {key: django_echo[key] for key in COMPARED_KEYS} == {key: stdlib_echo[key] for key in COMPARED_KEYS}
    assert django_echo["url"] == "http://testserver/echo/anything/x?q=1&q=2&u=%C3%BC"


def test_django_mount_keeps_redirects_under_echo():
    client = Client()
    assert client.get("/echo/redirect/2")["Location"] == "/echo/redirect/1"
    assert client.get("/echo/redirect/1")["Location"] == "/echo/get"
    assert client.get("/echo/absolute-redirect/1")["Location"] == "http://testserver/echo/get"
    path, statuses = "/echo/redirect/3", []
    while True:
        response = client.get(path)
        statuses.append(response.status_code)
        if response.status_code != 302:
            break
        path = response["Location"]
    assert statuses == [302, 302, 302, 200]
    assert response.json()["path"] == "/get"


def test_django_mount_refuses_offsite_redirect_to():
    client = Client()
    for url in ("https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example/"):
        response = client.get("/echo/redirect-to", {"url": url})
        assert response.status_code == 400
        assert response.json()["error"] == playground.OFFSITE_REDIRECT_REFUSED
    assert client.get("/echo/redirect-to", {"url": "/echo/get"})["Location"] == "/echo/get"
    assert client.get("/echo/redirect-to", {"url": "http://testserver/echo/get"}).status_code == 302


def test_django_mount_confines_cookies_to_echo():
    client = Client()
    response = client.get("/echo/cookies/set", {"theme": "dark", "sessionid": "forged", "csrftoken": "x"})
    assert response["Location"] == "/echo/cookies"
    assert set(response.cookies) == {"theme"}
    assert response.cookies["theme"]["path"] == "/echo/"
    headers = client.get(
        "/echo/response-headers", {"Set-Cookie": "wide=1; Path=/; Domain=example.com"}
    )
    assert headers.cookies["wide"]["path"] == "/echo/"
    assert headers.cookies["wide"]["domain"] == ""


def test_django_mount_does_not_echo_the_app_cookies():
    client = Client()
    client.cookies["sessionid"] = "secret-session"
    client.cookies["csrftoken"] = "secret-csrf"
    client.cookies["mine"] = "1"
    echoed = client.get("/echo/anything").json()
    assert "secret" not in json.dumps(echoed)
    assert client.get("/echo/cookies").json()["cookies"] == {"mine": "1"}


def test_django_mount_sandboxes_responses():
    client = Client()
    for path in ("/echo/html", "/echo/anything", "/echo/response-headers?Content-Type=text/html"):
        response = client.get(path)
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_django_mount_drops_headers_that_reach_beyond_echo():
    response = Client().get(
        "/echo/response-headers",
        {"Access-Control-Allow-Origin": "*", "Content-Security-Policy": "default-src *",
         "Clear-Site-Data": '"*"', "Refresh": "0; url=https://elsewhere.example/", "X-Fine": "yes"},
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Clear-Site-Data" not in response
    assert "Refresh" not in response
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Fine"] == "yes"


def test_django_mount_joins_repeated_headers():
    response = Client().get("/echo/response-headers?X-Tag=a&X-Tag=b")
    assert response["X-Tag"] == "a, b"


def test_django_mount_digest_auth_round_trip():
    client = Client()
    path = "/echo/digest-auth/ann/pa55"
    challenge = client.get(path)["WWW-Authenticate"]
    authorization = digest_authorization(challenge, "GET", path, "ann", "pa55")
    response = client.get(path, HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 200
    assert response.json() == {"authenticated": True, "user": "ann"}


def test_django_mount_streams_drip_and_skips_bodies_for_head():
    client = Client()
    response = client.get("/echo/drip?numbytes=3&duration=0")
    assert response.streaming
    assert b"".join(response.streaming_content) == b"***"
    assert client.head("/echo/json").content == b""
    assert client.get("/echo/status/204").get("Content-Type") is None


def test_stdlib_server_refuses_an_oversized_body(echo_server, monkeypatch):
    from requests_app import playground_server

    monkeypatch.setattr(playground_server, "MAX_REQUEST_BODY_BYTES", 10)
    response, body = fetch(echo_server, "POST", "/anything", body=b"x" * 11)
    assert response.status == 413
    assert json.loads(body)["error"] == "request body over 10 bytes"


def test_django_mount_refuses_an_oversized_body(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = Client().post("/echo/anything", data=b"x" * 11, content_type="text/plain")
    assert response.status_code == 413
    assert response.json()["error"] == "request body over 10 bytes"
    assert response["Content-Security-Policy"].startswith("sandbox")
