"""send(): our own redirect loop: hops, method rewriting, credentials kept to their origin."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from requests_app.engine import CookieJar
from requests_app.engine.exchange import PROTOCOL, UNSUPPORTED
from requests_app.engine.spec import Auth, Body, KeyValue, Options, RequestSpec
from tests.engine.sending import echoed, header_values, send_spec, send_to


def redirect_to(echo_server, target, status=302):
    return echo_server.url(f"/redirect-to?url={quote(target, safe='')}&status_code={status}")


def test_redirects_are_followed_and_listed(echo_server):
    exchange = send_to(echo_server.url("/redirect/3"))
    assert exchange.error is None
    assert exchange.response.status == 200
    assert [(hop.status, hop.url, hop.location) for hop in exchange.redirects] == [
        (302, echo_server.url("/redirect/3"), "/redirect/2"),
        (302, echo_server.url("/redirect/2"), "/redirect/1"),
        (302, echo_server.url("/redirect/1"), "/get"),
    ]
    assert exchange.request.url == echo_server.url("/get")


def test_relative_locations_are_resolved(echo_server):
    exchange = send_to(echo_server.url("/relative-redirect/2"))
    assert exchange.response.status == 200
    assert exchange.request.url == echo_server.url("/get")


def test_redirects_off_returns_the_3xx(echo_server):
    exchange = send_to(echo_server.url("/redirect/2"), options=Options(follow_redirects=False))
    assert exchange.error is None
    assert exchange.response.status == 302
    assert exchange.response.header("Location") == "/redirect/1"
    assert exchange.redirects == []


def test_too_many_redirects_is_an_error(echo_server):
    exchange = send_to(echo_server.url("/redirect/5"), options=Options(max_redirects=2))
    assert exchange.error.kind == PROTOCOL
    assert exchange.error.code == "too_many_redirects"
    assert len(exchange.redirects) == 2
    assert exchange.response.status == 302


@pytest.mark.parametrize(
    ("status", "method", "expected_method", "keeps_body"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (303, "DELETE", "GET", False),
        (302, "PUT", "PUT", True),
        (307, "POST", "POST", True),
        (308, "POST", "POST", True),
        (308, "PATCH", "PATCH", True),
    ],
)
def test_method_and_body_after_redirect(echo_server, status, method, expected_method, keeps_body):
    body = Body(mode="json", text='{"k": 1}')
    url = redirect_to(echo_server, echo_server.url("/anything"), status)
    exchange = send_to(url, method=method, body=body)
    echo = echoed(exchange)
    assert exchange.redirects[0].status == status
    assert echo["method"] == expected_method
    if keeps_body:
        assert echo["data"] == '{"k": 1}'
        assert header_values(echo, "Content-Type") == ["application/json"]
    else:
        assert echo["data"] == ""
        assert header_values(echo, "Content-Type") == []
        assert header_values(echo, "Content-Length") == []


def test_head_stays_head_after_303(echo_server):
    exchange = send_to(redirect_to(echo_server, echo_server.url("/anything"), 303), method="HEAD")
    assert exchange.request.method == "HEAD"
    assert exchange.response.status == 200 and exchange.response.body == b""


def test_credentials_are_dropped_when_the_origin_changes(echo_server):
    # 127.0.0.1 and localhost are different origins, even on the same server.
    other_origin = f"http://localhost:{echo_server.port}/anything"
    exchange = send_to(
        redirect_to(echo_server, other_origin, 307),
        headers=[KeyValue("Cookie", "session=1"), KeyValue("X-Keep", "yes"), KeyValue("Proxy-Authorization", "p")],
        auth=Auth(type="bearer", token="secret-token"),
    )
    echo = echoed(exchange)
    assert exchange.redirects[0].location == other_origin
    assert header_values(echo, "Authorization") == []
    assert header_values(echo, "Cookie") == []
    assert header_values(echo, "Proxy-Authorization") == []
    assert header_values(echo, "X-Keep") == ["yes"]
    assert header_values(echo, "Host") == [f"localhost:{echo_server.port}"]


def test_apikey_header_is_dropped_when_the_origin_changes(echo_server):
    other_origin = f"http://localhost:{echo_server.port}/anything"
    auth = Auth(type="apikey", key="X-Api-Key", value="k", location="header")
    echo = echoed(send_to(redirect_to(echo_server, other_origin), auth=auth))
    assert header_values(echo, "X-Api-Key") == []


def test_credentials_are_kept_on_the_same_origin(echo_server):
    exchange = send_to(echo_server.url("/redirect/1"), auth=Auth(type="bearer", token="t"))
    assert ("Authorization", "Bearer t") in exchange.request.headers
    assert exchange.request.url == echo_server.url("/get")


def test_basic_auth_is_not_sent_to_the_redirect_target_host(echo_server):
    target = f"http://localhost:{echo_server.port}/basic-auth/u/p"
    exchange = send_to(redirect_to(echo_server, target), auth=Auth(type="basic", username="u", password="p"))
    assert exchange.response.status == 401


def test_redirect_to_a_non_http_scheme_is_not_followed(echo_server):
    exchange = send_to(redirect_to(echo_server, "file:///etc/passwd"))
    assert exchange.error.kind == UNSUPPORTED
    assert exchange.error.code == "unsupported_scheme"
    assert "file:///etc/passwd" in exchange.error.message
    assert exchange.response.status == 302


def test_scheme_relative_location_is_revalidated(echo_server):
    exchange = send_to(redirect_to(echo_server, f"//localhost:{echo_server.port}/anything"))
    assert echoed(exchange)["url"] == f"http://localhost:{echo_server.port}/anything"


def test_cookies_set_by_a_hop_reach_the_final_request(echo_server):
    jar = CookieJar()
    exchange = send_spec(RequestSpec(url=echo_server.url("/cookies/set?hop=1&other=2")), cookie_jar=jar)
    assert exchange.redirects[0].status == 302
    assert echoed(exchange)["cookie_pairs"] == [["hop", "1"], ["other", "2"]]
    assert sorted(c.name for c in jar.list()) == ["hop", "other"]
