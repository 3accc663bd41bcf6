"""send(): methods, headers, params and the bytes on the wire arrive exactly as asked."""

from __future__ import annotations

import pytest

from requests_app.engine import transport
from requests_app.engine.spec import DEFAULT_USER_AGENT, Body, KeyValue, RequestSpec
from tests.engine.sending import echoed, header_values, send_spec, send_to


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "PURGE"])
def test_every_method_arrives_as_sent(echo_server, method):
    exchange = send_to(echo_server.url("/anything"), method=method)
    assert echoed(exchange)["method"] == method
    assert exchange.request.wire_text.startswith(f"{method} /anything HTTP/1.1\r\n")


def test_head_has_no_body(echo_server):
    exchange = send_to(echo_server.url("/anything"), method="HEAD")
    assert exchange.error is None
    response = exchange.response
    assert response.status == 200
    assert int(response.header("Content-Length")) > 0
    assert response.body == b"" and response.kind == "empty"


def test_wire_starts_with_request_line_and_carries_host(echo_server):
    exchange = send_to(echo_server.url("/anything?x=1"))
    wire = exchange.request.wire_text
    assert wire.startswith("GET /anything?x=1 HTTP/1.1\r\nHost: 127.0.0.1:")
    assert wire.endswith("\r\n\r\n")
    assert exchange.request.headers[0] == ("Host", f"127.0.0.1:{echo_server.port}")


def test_response_head_is_captured_as_received(echo_server):
    exchange = send_to(echo_server.url("/response-headers?X-Twice=a&X-Twice=b&x-lower=c"))
    response = exchange.response
    head = response.wire_head.decode("latin-1")
    assert head.startswith("HTTP/1.1 200 OK\r\n") and head.endswith("\r\n\r\n")
    assert "X-Twice: a\r\nX-Twice: b\r\n" in head
    assert [v for k, v in response.headers if k == "X-Twice"] == ["a", "b"]
    assert ("x-lower", "c") in response.headers
    assert response.header_size == len(response.wire_head)
    assert (response.http_version, response.status, response.reason) == ("HTTP/1.1", 200, "OK")


def test_duplicate_headers_arrive_in_order_with_the_typed_case(echo_server):
    headers = [KeyValue("x-Custom", "1"), KeyValue("X-CUSTOM", "2"), KeyValue("accept", "text/plain")]
    echo = echoed(send_to(echo_server.url("/anything"), headers=headers))
    sent = [pair for pair in echo["headers"] if pair[0].lower() in ("x-custom", "accept")]
    assert sent == [["x-Custom", "1"], ["X-CUSTOM", "2"], ["accept", "text/plain"]]


def test_defaults_are_added_unless_set_and_urllib_adds_nothing(echo_server):
    echo = echoed(send_to(echo_server.url("/anything"), method="POST"))
    names = [name for name, _ in echo["headers"]]
    assert names == ["Host", "User-Agent", "Accept", "Accept-Encoding", "Content-Length", "Connection"]
    assert header_values(echo, "Connection") == ["close"]
    assert header_values(echo, "User-Agent") == [DEFAULT_USER_AGENT]
    assert header_values(echo, "Accept-Encoding") == ["gzip, deflate, br"]
    assert header_values(echo, "Content-Length") == ["0"]
    assert header_values(echo, "Content-Type") == []


def test_users_headers_replace_the_defaults(echo_server):
    headers = [KeyValue("user-agent", "mine/1"), KeyValue("ACCEPT", "application/json")]
    echo = echoed(send_to(echo_server.url("/anything"), headers=headers))
    assert header_values(echo, "User-Agent") == ["mine/1"]
    assert header_values(echo, "Accept") == ["application/json"]
    assert [name for name, _ in echo["headers"] if name.lower() == "user-agent"] == ["user-agent"]


def test_non_latin1_header_values_are_sent_as_utf8(echo_server):
    exchange = send_to(echo_server.url("/anything"), headers=[KeyValue("X-Name", "Zoë €")])
    assert exchange.error is None
    assert "X-Name: Zoë €".encode() in exchange.request.wire


def test_params_follow_the_urls_own_query_duplicates_kept(echo_server):
    params = [
        KeyValue("a", "2"),
        KeyValue("a", "3"),
        KeyValue("off", "x", enabled=False),
        KeyValue("sp ace", "a&b=c#d"),
        KeyValue("plus", "1+1"),
        KeyValue("pct", "100%25 and 5%"),
        KeyValue("utf", "ä"),
    ]
    exchange = send_to(echo_server.url("/anything?a=1&z"), params=params)
    assert exchange.request.wire_text.startswith(
        "GET /anything?a=1&z&a=2&a=3&sp%20ace=a%26b=c%23d&plus=1%2B1&pct=100%25%20and%205%25&utf=%C3%A4 HTTP/1.1"
    )
    query = echoed(exchange)["query"]
    assert query[:4] == [["a", "1"], ["z", ""], ["a", "2"], ["a", "3"]]
    assert ["sp ace", "a&b=c#d"] in query
    assert ["plus", "1+1"] in query  # a "+" in a param is data, not a form-encoded space (as requests does)


def test_fragment_is_not_sent(echo_server):
    exchange = send_to(echo_server.url("/anything?q=1#section"))
    assert exchange.request.wire_text.startswith("GET /anything?q=1 HTTP/1.1")


def test_status_4xx_and_5xx_are_responses(echo_server):
    for code in (404, 500, 418):
        exchange = send_to(echo_server.url(f"/status/{code}"))
        assert exchange.error is None
        assert exchange.response.status == code


def test_environment_proxy_is_never_used(echo_server, closed_port, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{closed_port}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    exchange = send_to(echo_server.url("/anything"))
    assert exchange.error is None
    assert echoed(exchange)["url"] == echo_server.url("/anything")


def test_user_host_header_is_sent_to_the_pinned_address(echo_server):
    exchange = send_to(echo_server.url("/anything"), headers=[KeyValue("Host", "api.example.test")])
    echo = echoed(exchange)
    assert header_values(echo, "Host") == ["api.example.test"]


def test_localhost_is_resolved_and_connected(echo_server):
    exchange = send_to(f"http://localhost:{echo_server.port}/anything")
    assert echoed(exchange)["method"] == "GET"
    assert exchange.request.headers[0] == ("Host", f"localhost:{echo_server.port}")
    assert exchange.timings.dns_ms is not None


def test_timings_are_measured(echo_server):
    exchange = send_to(echo_server.url("/delay/0.2"))
    timings = exchange.timings
    assert exchange.error is None
    assert timings.tls_ms is None
    assert timings.ttfb_ms >= 190
    assert timings.total_ms >= timings.ttfb_ms + timings.connect_ms
    for value in (timings.dns_ms, timings.connect_ms, timings.download_ms):
        assert value is not None and value >= 0


def test_response_kind_and_charset(echo_server):
    cases = {"/json": "json", "/html": "html", "/xml": "xml", "/image/png": "image", "/bytes/64": "binary"}
    for path, kind in cases.items():
        assert send_to(echo_server.url(path)).response.kind == kind, path
    response = send_to(echo_server.url("/encoding/utf8")).response
    assert response.content_type == "text/html"
    assert response.charset.lower() == "utf-8"


def test_a_spec_is_not_changed_by_sending(echo_server):
    spec = RequestSpec(url=echo_server.url("/anything?x={{x}}"), headers=[KeyValue("A", "1")])
    send_spec(spec, variables=[{"x": "1"}])
    assert spec.url.endswith("?x={{x}}") and spec.headers == [KeyValue("A", "1")]


def test_wire_capture_keeps_the_first_64_kib(echo_server):
    body = Body(mode="binary", data=b"z" * 200_000)
    exchange = send_to(echo_server.url("/anything"), method="PUT", body=body)
    assert exchange.error is None
    assert len(exchange.request.wire) == 64 * 1024
    assert exchange.request.wire.startswith(b"PUT /anything HTTP/1.1\r\n")
    assert exchange.request.body_size == 200_000
    assert echoed(exchange)["data"] == "z" * 200_000


@pytest.fixture
def socket_writes(monkeypatch):
    """Every buffer the engine hands a socket to send, in order."""
    writes: list[bytes] = []
    sendall = transport._DeadlineSocket.sendall

    def recording_sendall(self, data):
        writes.append(bytes(data))
        sendall(self, data)

    monkeypatch.setattr(transport._DeadlineSocket, "sendall", recording_sendall)
    return writes


def test_a_small_body_leaves_with_the_head_in_one_write(echo_server, socket_writes):
    exchange = send_to(echo_server.url("/anything"), method="POST", body=Body(mode="json", text='{"a": 1}'))
    assert echoed(exchange)["data"] == '{"a": 1}'
    assert socket_writes == [exchange.request.wire]
    assert exchange.request.wire.endswith(b'\r\n\r\n{"a": 1}')


def test_a_large_body_is_written_after_the_head_and_arrives_whole(echo_server, socket_writes):
    data = b"z" * (transport.COALESCED_BODY_BYTES + 1)
    exchange = send_to(echo_server.url("/anything"), method="PUT", body=Body(mode="binary", data=data))
    assert echoed(exchange)["data"] == data.decode()
    head, body = socket_writes
    assert head.endswith(b"\r\n\r\n") and body == data
    assert exchange.request.wire == (head + body)[: transport.WIRE_CAPTURE_BYTES]
