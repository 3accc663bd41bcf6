"""send() under the outbound policy: every connection, and every redirect hop, is approved first.

Only loopback addresses are used: "blocked" is shown on 127.0.0.0/8 spellings that a
public_only policy refuses, never by reaching for another address.
"""

from __future__ import annotations

from urllib.parse import quote

from requests_app.engine.exchange import BLOCKED
from requests_app.engine.spec import RequestSpec
from tests.engine.sending import OfflinePolicy, echoed, send_spec

PUBLIC_ONLY = OfflinePolicy.public_only()


def test_loopback_is_blocked_naming_the_rule(echo_server):
    before = echo_server.accepted_connections
    exchange = send_spec(RequestSpec(url=echo_server.url("/anything")), policy=PUBLIC_ONLY)
    assert exchange.error.kind == BLOCKED
    assert exchange.error.code == "loopback"
    assert "loopback" in exchange.error.message
    assert exchange.request is None and exchange.response is None
    assert echo_server.accepted_connections == before


def test_localhost_name_is_blocked(echo_server):
    exchange = send_spec(RequestSpec(url=f"http://localhost:{echo_server.port}/"), policy=PUBLIC_ONLY)
    assert exchange.error.kind == BLOCKED
    assert exchange.error.code == "localhost_name"


def test_odd_loopback_spellings_are_judged_after_resolution(echo_server):
    for host in ("127.1", "2130706433", "0x7f.0.0.1", "１２７．０．０．１"):
        exchange = send_spec(RequestSpec(url=f"http://{host}:{echo_server.port}/"), policy=PUBLIC_ONLY)
        assert exchange.error.kind == BLOCKED, host


def test_allow_listed_address_is_reached(echo_server):
    policy = OfflinePolicy.public_only(allow=("127.0.0.1/32",))
    assert echoed(send_spec(RequestSpec(url=echo_server.url("/anything")), policy=policy))["method"] == "GET"


def test_redirect_to_a_denied_loopback_spelling_is_blocked_at_the_hop(echo_server):
    policy = OfflinePolicy.public_only(allow=("127.0.0.1/32",))
    for target in (f"http://127.0.0.2:{echo_server.port}/anything", f"http://localhost:{echo_server.port}/anything"):
        url = echo_server.url(f"/redirect-to?url={quote(target, safe='')}")
        exchange = send_spec(RequestSpec(url=url), policy=policy)
        assert exchange.error.kind == BLOCKED, target
        assert [hop.location for hop in exchange.redirects] == [target]
        assert exchange.response.status == 302  # the last response we got, from the allowed host
