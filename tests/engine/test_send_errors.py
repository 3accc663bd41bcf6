"""send(): network trouble is data: refused, DNS, timeouts, TLS, broken HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from requests_app.engine.exchange import DNS, PROTOCOL, REFUSED, TIMEOUT, TLS
from requests_app.engine.spec import Options, RequestSpec
from tests.engine.sending import echoed, send_spec, send_to


def test_connection_refused(closed_port):
    exchange = send_to(f"http://127.0.0.1:{closed_port}/")
    assert exchange.error.kind == REFUSED
    assert exchange.error.message == f"Connection refused by 127.0.0.1:{closed_port}"
    assert exchange.response is None


def test_unresolvable_host():
    exchange = send_to("http://nope.invalid/")
    assert exchange.error.kind == DNS
    assert exchange.error.message == "Could not resolve host nope.invalid"
    assert exchange.request is None


def test_slow_response_times_out_at_the_deadline(echo_server):
    started = time.perf_counter()
    exchange = send_to(echo_server.url("/delay/5"), options=Options(timeout_ms=600))
    elapsed = time.perf_counter() - started
    assert exchange.error.kind == TIMEOUT
    assert exchange.error.code == "response_timeout"
    assert 0.55 < elapsed < 2.0
    assert exchange.request.wire_text.startswith("GET /delay/5 HTTP/1.1")


def test_dripping_body_is_cut_at_the_wall_clock_deadline(echo_server):
    # One byte every 0.25 s never trips a per-read timeout; the whole exchange must still end.
    started = time.perf_counter()
    exchange = send_to(echo_server.url("/drip?numbytes=20&duration=5"), options=Options(timeout_ms=1200))
    elapsed = time.perf_counter() - started
    assert exchange.error.kind == TIMEOUT
    assert exchange.error.code == "body_timeout"
    assert 1.1 < elapsed < 2.5
    assert exchange.response.status == 200
    assert 0 < len(exchange.response.body) < 20


def test_silent_server_times_out(silent_server):
    started = time.perf_counter()
    exchange = send_to(silent_server.url("/"), options=Options(timeout_ms=400))
    assert exchange.error.kind == TIMEOUT
    assert time.perf_counter() - started < 1.5


def test_tls_verification_fails_for_an_untrusted_certificate(echo_tls_server):
    exchange = send_to(echo_tls_server.url("/anything"))
    assert exchange.error.kind == TLS
    assert exchange.error.code == "tls_unknown_ca"
    assert "unknown authority" in exchange.error.message
    assert exchange.timings.connect_ms is not None


def test_tls_without_verification_succeeds(echo_tls_server):
    exchange = send_to(echo_tls_server.url("/anything"), options=Options(verify_tls=False))
    assert echoed(exchange)["url"] == echo_tls_server.url("/anything")
    assert exchange.timings.tls_ms is not None


def test_tls_with_the_ca_file_succeeds(echo_tls_server):
    spec = RequestSpec(url=echo_tls_server.url("/anything"))
    exchange = send_spec(spec, ca_file=echo_tls_server.ca_pem_path)
    assert exchange.error is None
    assert exchange.response.status == 200
    assert exchange.timings.tls_ms > 0


def test_tls_sni_and_hostname_check_use_the_url_name(echo_tls_server):
    spec = RequestSpec(url=f"https://localhost:{echo_tls_server.port}/anything")
    exchange = send_spec(spec, ca_file=echo_tls_server.ca_pem_path)
    assert echoed(exchange)["url"] == f"https://localhost:{echo_tls_server.port}/anything"


def test_tls_hostname_mismatch_is_named(echo_tls_wrong_host_server):
    spec = RequestSpec(url=echo_tls_wrong_host_server.url("/"))
    exchange = send_spec(spec, ca_file=echo_tls_wrong_host_server.ca_pem_path)
    assert exchange.error.kind == TLS
    assert exchange.error.code == "tls_hostname_mismatch"


def test_tls_expired_certificate_is_named(echo_tls_expired_server):
    spec = RequestSpec(url=echo_tls_expired_server.url("/"))
    exchange = send_spec(spec, ca_file=echo_tls_expired_server.ca_pem_path)
    assert exchange.error.kind == TLS
    assert exchange.error.code == "tls_expired"
    assert "expired" in exchange.error.message


def test_https_to_a_plain_http_port_is_a_tls_error(echo_server):
    exchange = send_to(f"https://127.0.0.1:{echo_server.port}/", options=Options(verify_tls=False))
    assert exchange.error.kind == TLS
    assert exchange.error.code == "tls_handshake"


# ---------------------------------------------------------------- servers that break HTTP


@pytest.fixture
def raw_server() -> Iterator:
    """Answers each connection with canned bytes (set .reply), then closes."""

    class RawServer:
        reply = b""
        port = 0

        def url(self, path="/"):
            return f"http://127.0.0.1:{self.port}{path}"

    server = RawServer()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    server.port = listener.getsockname()[1]
    stopping = threading.Event()

    def serve():
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    connection.recv(65536)
                    connection.sendall(server.reply)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server
    stopping.set()
    thread.join(2)
    listener.close()


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (b"", "no_response"),
        (b"HELLO THERE\r\n\r\n", "bad_status_line"),
        (b"HTTP/2.0 200 OK\r\n\r\n", "bad_http_version"),
        (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(120)) + b"\r\n", "too_many_headers"),
        (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", "line_too_long"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..", "incomplete_body"),
    ],
)
def test_broken_http_is_a_protocol_error(raw_server, reply, code):
    raw_server.reply = reply
    exchange = send_to(raw_server.url())
    assert exchange.error is not None
    assert (exchange.error.kind, exchange.error.code) == (PROTOCOL, code), exchange.error
    assert exchange.error.message


def test_incomplete_body_keeps_what_arrived(raw_server):
    raw_server.reply = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten.."
    exchange = send_to(raw_server.url())
    assert exchange.response.status == 200
    assert exchange.response.body == b"only ten.."


def test_http10_reason_and_folded_headers_are_kept(raw_server):
    raw_server.reply = (
        b"HTTP/1.0 299 Everything Is Fine\r\nX-Folded: one\r\n two\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nbody until close"
    )
    exchange = send_to(raw_server.url())
    response = exchange.response
    assert exchange.error is None
    assert (response.http_version, response.status, response.reason) == ("HTTP/1.0", 299, "Everything Is Fine")
    assert response.status_line == "HTTP/1.0 299 Everything Is Fine"
    assert response.headers == [("X-Folded", "one  two"), ("X-Dup", "1"), ("x-dup", "2")]
    assert response.wire_head == raw_server.reply[: raw_server.reply.index(b"\r\n\r\n") + 4]
    assert response.body == b"body until close"


def test_unreadable_ca_file_is_a_tls_error(echo_tls_server, tmp_path):
    not_a_ca = tmp_path / "ca.pem"
    not_a_ca.write_text("not a certificate")
    exchange = send_spec(RequestSpec(url=echo_tls_server.url("/")), ca_file=str(not_a_ca))
    assert (exchange.error.kind, exchange.error.code) == (TLS, "tls_ca_file")
    missing = send_spec(RequestSpec(url=echo_tls_server.url("/")), ca_file=str(tmp_path / "missing.pem"))
    assert missing.error.code == "tls_ca_file"
