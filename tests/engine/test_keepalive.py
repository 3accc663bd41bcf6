"""Keep-alive: one connection per origin within a run, and never around the outbound policy."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from requests_app.engine import OutboundPolicy, keepalive, send
from requests_app.engine.keepalive import ConnectionPool, _is_dropped
from requests_app.engine.spec import Body, Options, RequestSpec
from requests_app.runner.loop import make_plan_item, run_plan

ALLOW_ALL = OutboundPolicy.allow_all()


def get(url: str, **options: object) -> RequestSpec:
    return RequestSpec(url=url, options=Options(**options))  # type: ignore[arg-type]


def test_requests_to_one_origin_share_one_connection(echo_server):
    before = echo_server.accepted_connections
    with ConnectionPool() as pool:
        exchanges = [send(get(echo_server.url(f"/anything/{i}")), policy=ALLOW_ALL, connections=pool) for i in range(20)]
        exchanges.append(
            send(
                RequestSpec(method="POST", url=echo_server.url("/post"), body=Body(mode="json", text='{"a": 1}')),
                policy=ALLOW_ALL,
                connections=pool,
            )
        )
    assert echo_server.accepted_connections - before == 1
    assert (pool.opened, pool.reused) == (1, 20)
    assert all(e.error is None and e.response.status == 200 for e in exchanges)
    # The wire view still shows what went out on the shared connection, and no "Connection: close".
    assert exchanges[7].request.wire_text.startswith("GET /anything/7 HTTP/1.1\r\nHost: 127.0.0.1:")
    assert "Connection: close" not in exchanges[7].request.wire_text
    assert exchanges[-1].request.wire_text.endswith('\r\n\r\n{"a": 1}')
    assert exchanges[-1].response.text().count('"a": 1') == 1
    # Nothing to connect on a reused connection, so no connect time.
    assert exchanges[0].timings.connect_ms is not None and exchanges[5].timings.connect_ms is None


def test_without_a_pool_every_request_opens_and_closes_its_connection(echo_server):
    before = echo_server.accepted_connections
    exchanges = [send(get(echo_server.url("/get")), policy=ALLOW_ALL) for _ in range(5)]
    assert echo_server.accepted_connections - before == 5
    assert "Connection: close" in exchanges[0].request.wire_text


def test_each_origin_gets_its_own_connection(echo_server, echo_tls_server):
    plain_before, tls_before = echo_server.accepted_connections, echo_tls_server.accepted_connections
    with ConnectionPool() as pool:
        for _ in range(5):
            assert send(get(echo_server.url("/get")), policy=ALLOW_ALL, connections=pool).error is None
            tls = send(get(echo_tls_server.url("/get")), policy=ALLOW_ALL, connections=pool, ca_file=echo_tls_server.ca_pem_path)
            assert tls.error is None, tls.error
    assert echo_server.accepted_connections - plain_before == 1
    assert echo_tls_server.accepted_connections - tls_before == 1


def test_redirects_within_the_origin_reuse_the_connection(echo_server):
    before = echo_server.accepted_connections
    with ConnectionPool() as pool:
        exchange = send(get(echo_server.url("/redirect/3")), policy=ALLOW_ALL, connections=pool)
    assert exchange.error is None and len(exchange.redirects) == 3
    assert echo_server.accepted_connections - before == 1


@pytest.mark.parametrize(
    "stricter",
    [OutboundPolicy.public_only(), OutboundPolicy.allow_all(deny=["127.0.0.1"])],
    ids=["public_only", "deny_list"],
)
def test_a_pooled_connection_never_serves_a_policy_that_refuses_its_address(echo_server, stricter):
    with ConnectionPool() as pool:
        assert send(get(echo_server.url("/get")), policy=ALLOW_ALL, connections=pool).error is None
        assert pool.idle_connections == 1
        before = echo_server.accepted_connections
        refused = send(get(echo_server.url("/get")), policy=stricter, connections=pool)
        assert refused.error is not None and refused.error.kind == "blocked"
        assert refused.request is None  # not a byte went out
        assert echo_server.accepted_connections == before
        assert pool.reused == 0


def test_a_host_name_does_not_ride_on_a_connection_opened_for_an_address(echo_server):
    with ConnectionPool() as pool:
        send(get(echo_server.url("/get")), policy=ALLOW_ALL, connections=pool)
        before = echo_server.accepted_connections
        exchange = send(get(f"http://localhost:{echo_server.port}/get"), policy=ALLOW_ALL, connections=pool)
    if exchange.error is None:  # localhost may resolve to ::1 first where IPv6 is off; either way
        assert echo_server.accepted_connections == before + 1
    assert pool.reused == 0


def test_a_body_cut_short_is_not_followed_on_the_same_connection(echo_server):
    before = echo_server.accepted_connections
    with ConnectionPool() as pool:
        cut = send(get(echo_server.url("/bytes/200000"), max_response_bytes=1000), policy=ALLOW_ALL, connections=pool)
        assert cut.response.truncated
        after = send(get(echo_server.url("/get")), policy=ALLOW_ALL, connections=pool)
    assert after.error is None
    assert echo_server.accepted_connections - before == 2


def test_closing_the_pool_closes_idle_connections(echo_server):
    pool = ConnectionPool()
    send(get(echo_server.url("/get")), policy=ALLOW_ALL, connections=pool)
    assert pool.idle_connections == 1
    pool.close()
    assert pool.idle_connections == 0
    # A request finishing after the close is not kept either.
    send(get(echo_server.url("/get")), policy=ALLOW_ALL, connections=pool)
    assert pool.idle_connections == 0


class _ClosesAfterEachResponse(http.server.BaseHTTPRequestHandler):
    """Answers HTTP/1.1 with a Content-Length and no Connection header, then hangs up: a server
    that drops idle keep-alive connections at once."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hanging_up_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ClosesAfterEachResponse)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _spec(method: str, url: str) -> RequestSpec:
    return RequestSpec(method=method, url=url, body=Body(mode="json", text="{}") if method == "POST" else Body())


def _wait_until_hung_up(pool: ConnectionPool) -> None:
    deadline = time.monotonic() + 5
    while not all(_is_dropped(c) for idle in pool._idle.values() for c in idle):
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_an_idle_connection_the_server_closed_is_replaced_not_reported(hanging_up_server):
    with ConnectionPool() as pool:
        for method in ("GET", "POST", "GET", "POST"):
            _wait_until_hung_up(pool)
            exchange = send(_spec(method, hanging_up_server + "/x"), policy=ALLOW_ALL, connections=pool)
            assert exchange.error is None, exchange.error
            assert exchange.response.status == 200
    assert pool.opened == 4 and pool.reused == 0


def test_a_get_that_meets_a_dead_connection_is_sent_again_once(hanging_up_server, monkeypatch):
    with ConnectionPool() as pool:
        send(_spec("GET", hanging_up_server + "/x"), policy=ALLOW_ALL, connections=pool)
        _wait_until_hung_up(pool)
        # As if the server hung up just after we looked: the dead connection is used.
        monkeypatch.setattr(keepalive, "_is_dropped", lambda connection: False)
        exchange = send(_spec("GET", hanging_up_server + "/again"), policy=ALLOW_ALL, connections=pool)
    assert exchange.error is None and exchange.response.status == 200
    assert exchange.request.wire_text.count("GET /again") == 1  # the wire view shows one request
    assert pool.opened == 2


def test_a_post_that_meets_a_dead_connection_is_reported_not_sent_again(hanging_up_server, monkeypatch):
    with ConnectionPool() as pool:
        send(_spec("GET", hanging_up_server + "/x"), policy=ALLOW_ALL, connections=pool)
        _wait_until_hung_up(pool)
        monkeypatch.setattr(keepalive, "_is_dropped", lambda connection: False)
        exchange = send(_spec("POST", hanging_up_server + "/order"), policy=ALLOW_ALL, connections=pool)
    assert exchange.error is not None and exchange.error.kind == "protocol"
    assert pool.opened == 1


def test_concurrent_iterations_share_at_most_one_connection_each(echo_server):
    before = echo_server.accepted_connections
    items = [make_plan_item(name=f"r{i}", spec=get(echo_server.url(f"/anything/{i}"))) for i in range(5)]
    with ConnectionPool() as pool:
        outcome = run_plan(
            items,
            send_fn=lambda spec, variables: send(spec, policy=ALLOW_ALL, variables=variables, connections=pool),
            iterations=12,
            concurrency=4,
        )
    assert outcome.totals.requests == 60 and outcome.totals.errors == 0
    assert 1 <= echo_server.accepted_connections - before <= 4
    assert pool.opened + pool.reused == 60
