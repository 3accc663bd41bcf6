"""send() with a CookieJar: cookies come back to their host only; the jar round-trips as JSON."""

from __future__ import annotations

import json

import pytest

from requests_app.engine import CookieJar
from requests_app.engine.cookies import CookieFormatError, parse_set_cookie
from requests_app.engine.spec import KeyValue, Options, RequestSpec
from tests.engine.sending import echoed, header_values, send_spec


def test_cookies_set_are_sent_next_time(echo_server):
    jar = CookieJar()
    first = send_spec(RequestSpec(url=echo_server.url("/cookies/set?a=1&b=two")), cookie_jar=jar)
    assert first.error is None
    later = send_spec(RequestSpec(url=echo_server.url("/anything")), cookie_jar=jar)
    assert header_values(echoed(later), "Cookie") == ["a=1; b=two"]


def test_cookies_are_not_sent_to_another_host(echo_server):
    jar = CookieJar()
    send_spec(RequestSpec(url=echo_server.url("/cookies/set?a=1")), cookie_jar=jar)
    other = send_spec(RequestSpec(url=f"http://localhost:{echo_server.port}/anything"), cookie_jar=jar)
    assert header_values(echoed(other), "Cookie") == []


def test_use_cookies_off_neither_reads_nor_writes_the_jar(echo_server):
    jar = CookieJar()
    send_spec(RequestSpec(url=echo_server.url("/cookies/set?a=1")), cookie_jar=jar)
    no_cookies = Options(use_cookies=False)
    sent = send_spec(RequestSpec(url=echo_server.url("/anything"), options=no_cookies), cookie_jar=jar)
    assert header_values(echoed(sent), "Cookie") == []
    send_spec(RequestSpec(url=echo_server.url("/cookies/set?new=1"), options=no_cookies), cookie_jar=jar)
    assert [c.name for c in jar.list()] == ["a"]


def test_users_cookie_header_is_kept_as_typed(echo_server):
    jar = CookieJar()
    send_spec(RequestSpec(url=echo_server.url("/cookies/set?a=1")), cookie_jar=jar)
    spec = RequestSpec(url=echo_server.url("/anything"), headers=[KeyValue("cookie", "mine=1")])
    assert header_values(echoed(send_spec(spec, cookie_jar=jar)), "Cookie") == ["mine=1"]


def test_response_cookies_are_all_parsed(echo_server):
    spec = RequestSpec(url=echo_server.url("/cookies/set?a=1&b=2"), options=Options(follow_redirects=False))
    cookies = send_spec(spec).response.cookies
    assert [(c.name, c.value, c.domain) for c in cookies] == [("a", "1", "127.0.0.1"), ("b", "2", "127.0.0.1")]


def test_set_cookie_attributes_are_read_tolerantly():
    cookie = parse_set_cookie(
        'id="a b"; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Max-Age=60; Domain=.Example.test; Path=/api; '
        "Secure; HttpOnly; SameSite=Lax; Unknown=1",
        host="www.example.test",
        path="/x/y",
    )
    assert cookie.name == "id" and cookie.value == '"a b"'
    assert cookie.expires == "2037-10-21T07:28:00Z"
    assert (cookie.max_age, cookie.domain, cookie.path) == (60, "example.test", "/api")
    assert (cookie.secure, cookie.http_only, cookie.same_site) == (True, True, "Lax")
    broken = parse_set_cookie("weird; Expires=not a date; Max-Age=soon", host="h.test", path="/a/b/c")
    assert (broken.name, broken.value, broken.expires, broken.max_age) == ("", "weird", None, None)
    assert broken.path == "/a/b"


def test_jar_round_trips_through_json(echo_server):
    jar = CookieJar()
    send_spec(RequestSpec(url=echo_server.url("/cookies/set?a=1")), cookie_jar=jar)
    data = json.loads(json.dumps(jar.to_list()))
    restored = CookieJar.from_list(data)
    assert restored.to_list() == jar.to_list()
    sent = send_spec(RequestSpec(url=echo_server.url("/anything")), cookie_jar=restored)
    assert header_values(echoed(sent), "Cookie") == ["a=1"]


def test_jar_delete_and_clear(echo_server):
    jar = CookieJar()
    send_spec(RequestSpec(url=echo_server.url("/cookies/set?a=1&b=2")), cookie_jar=jar)
    assert jar.delete("127.0.0.1", "/", "a") is True
    assert jar.delete("127.0.0.1", "/", "a") is False
    assert [c.name for c in jar.list()] == ["b"]
    jar.clear()
    assert jar.list() == [] and len(jar) == 0


def test_expired_cookies_are_not_restored():
    entry = {"name": "old", "value": "1", "domain": "127.0.0.1", "path": "/", "expires": 1}
    assert CookieJar.from_list([entry]).list() == []


@pytest.mark.parametrize(
    "data", [["nope"], [{"name": 1, "domain": "d", "path": "/"}], [{"name": "a", "path": "/"}], [{"name": "a", "domain": "d", "path": "/", "expires": "soon"}]]
)
def test_unreadable_jar_data_is_named(data):
    with pytest.raises(CookieFormatError, match=r"cookies\[0\]"):
        CookieJar.from_list(data)


@pytest.mark.parametrize(
    ("typed", "field"),
    [({"name": "a b"}, "name"), ({"value": "x;y"}, "value"), ({"domain": "bad host"}, "domain"),
     ({"path": "no-slash"}, "path"), ({"expires": 1.0}, "expires")],
)
def test_a_cookie_typed_by_hand_is_checked_by_the_jar_and_names_the_field(typed, field):
    from requests_app.engine.cookies import CookieFieldError, CookieJar

    jar = CookieJar()
    cookie = {"name": "sid", "value": "abc", "domain": "127.0.0.1", "path": "/", **typed}
    with pytest.raises(CookieFieldError) as caught:
        jar.set(cookie.pop("name"), cookie.pop("value"), **cookie)
    assert caught.value.args[0] == field and jar.to_list() == []
    assert jar.set("sid", "abc", domain=" Example.COM ", path="") == ("example.com", "/", "sid")


def test_a_cookie_typed_for_a_host_without_a_dot_is_kept_as_the_jar_matches_it_and_sent(echo_server):
    from requests_app.engine.cookies import jar_domain, shown_host

    jar = CookieJar()
    # http.cookiejar matches a request to localhost on "localhost.local": a cookie kept as
    # "localhost" would never be sent
    assert jar.set("sid", "abc", domain="LocalHost") == ("localhost.local", "/", "sid")
    sent = send_spec(RequestSpec(url=f"http://localhost:{echo_server.port}/anything"), cookie_jar=jar)
    assert header_values(echoed(sent), "Cookie") == ["sid=abc"]
    # what a response sets for localhost is kept the same way, and shown as the host it came from
    send_spec(RequestSpec(url=f"http://localhost:{echo_server.port}/cookies/set?a=1"), cookie_jar=jar)
    assert {c.domain for c in jar.list()} == {"localhost.local"}
    assert [jar_domain(h) for h in ("localhost", "127.0.0.1", "api.example.com", ".example.com")] == [
        "localhost.local", "127.0.0.1", "api.example.com", ".example.com"
    ]
    assert [shown_host(d) for d in ("localhost.local", "printer.lan.local", ".x.local", "127.0.0.1", "")] == [
        "localhost", "printer.lan.local", ".x.local", "127.0.0.1", ""
    ]


def test_a_stored_cookie_typed_for_localhost_before_the_fix_is_sent_again(echo_server):
    # stored by the earlier set(): host-only, domain "localhost", which the jar never matched
    stored = CookieJar()
    stored.set("sid", "abc", domain="127.0.0.1")
    [entry] = stored.to_list()
    jar = CookieJar.from_list([{**entry, "domain": "localhost"}])
    assert [(c.domain, c.name) for c in jar.list()] == [("localhost.local", "sid")]
    sent = send_spec(RequestSpec(url=f"http://localhost:{echo_server.port}/anything"), cookie_jar=jar)
    assert header_values(echoed(sent), "Cookie") == ["sid=abc"]
