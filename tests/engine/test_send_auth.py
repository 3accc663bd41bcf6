"""send(): each auth mode, including the digest challenge round trip."""

from __future__ import annotations

import base64

from requests_app.engine.spec import Auth, KeyValue
from tests.engine.sending import echoed, header_values, send_to


def test_basic_auth(echo_server):
    exchange = send_to(echo_server.url("/basic-auth/ünï/pa:ss"), auth=Auth(type="basic", username="ünï", password="pa:ss"))
    assert exchange.response.status == 200
    expected = base64.b64encode("ünï:pa:ss".encode()).decode()
    assert ("Authorization", f"Basic {expected}") in exchange.request.headers


def test_wrong_basic_password_is_a_401_response(echo_server):
    exchange = send_to(echo_server.url("/basic-auth/u/p"), auth=Auth(type="basic", username="u", password="x"))
    assert exchange.error is None
    assert exchange.response.status == 401


def test_bearer_auth(echo_server):
    exchange = send_to(echo_server.url("/bearer"), auth=Auth(type="bearer", token="abc.def"))
    assert echoed(exchange)["token"] == "abc.def"


def test_apikey_in_a_header(echo_server):
    auth = Auth(type="apikey", key="X-Api-Key", value="k1", location="header")
    assert header_values(echoed(send_to(echo_server.url("/anything"), auth=auth)), "X-Api-Key") == ["k1"]


def test_apikey_in_the_query_after_the_params(echo_server):
    auth = Auth(type="apikey", key="api key", value="k&1", location="query")
    exchange = send_to(echo_server.url("/anything?a=1"), params=[KeyValue("b", "2")], auth=auth)
    assert echoed(exchange)["query"] == [["a", "1"], ["b", "2"], ["api key", "k&1"]]


def test_users_authorization_header_wins_over_auth_settings(echo_server):
    exchange = send_to(
        echo_server.url("/anything"),
        headers=[KeyValue("authorization", "Custom x")],
        auth=Auth(type="bearer", token="t"),
    )
    assert header_values(echoed(exchange), "Authorization") == ["Custom x"]


def test_digest_auth_answers_the_challenge(echo_server):
    before = echo_server.accepted_connections
    exchange = send_to(echo_server.url("/digest-auth/auth/user/pass"), auth=Auth(type="digest", username="user", password="pass"))
    assert exchange.error is None
    assert exchange.response.status == 200
    assert echoed(exchange) == {"authenticated": True, "user": "user"}
    authorization = dict(exchange.request.headers)["Authorization"]
    assert authorization.startswith('Digest username="user"') and "qop=auth" in authorization
    assert echo_server.accepted_connections - before == 2  # challenge, then the answer
    assert exchange.redirects == []


def test_digest_with_wrong_password_returns_the_second_401(echo_server):
    exchange = send_to(echo_server.url("/digest-auth/auth/user/pass"), auth=Auth(type="digest", username="user", password="bad"))
    assert exchange.error is None
    assert exchange.response.status == 401
    assert dict(exchange.request.headers)["Authorization"].startswith("Digest ")


def test_digest_without_a_challenge_warns(echo_server):
    exchange = send_to(echo_server.url("/status/401"), auth=Auth(type="digest", username="u", password="p"))
    assert exchange.response.status == 401
    assert any("Digest" in warning for warning in exchange.warnings)
