"""send(): bad input comes back as a named error and nothing is sent."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from requests_app.engine import send
from requests_app.engine.exchange import INVALID_REQUEST, TOO_LARGE, UNSUPPORTED, exchange_to_dict
from requests_app.engine.spec import Auth, Body, KeyValue, RequestSpec
from requests_app.engine.transport import OPENER
from requests_app.engine.validation import parse_url
from tests.engine.sending import ALLOW_ALL, echoed, header_values, send_spec, send_to


def assert_rejected(exchange, kind, code, field=""):
    assert exchange.error is not None
    assert (exchange.error.kind, exchange.error.code) == (kind, code), exchange.error
    if field:
        assert exchange.error.field == field
    assert exchange.error.message
    assert exchange.request is None and exchange.response is None


@pytest.mark.parametrize("method", ["GET X", "GE\r\nT", "", "GET\x00", "PØST", "(GET)"])
def test_bad_method_is_rejected_before_sending(echo_server, method):
    before = echo_server.accepted_connections
    exchange = send_to(echo_server.url("/anything"), method=method)
    assert_rejected(exchange, INVALID_REQUEST, "bad_method", "method")
    assert echo_server.accepted_connections == before


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "http://",
        "http:///path",
        "https://:8080/",
        "localhost:8000/x",
        "not a url",
        "http://127.0.0.1/a b",
        "http://127.0.0.1/a\r\nX-Injected: 1",
        "http://127.0.0.1/\tx",
        "http://127.0.0.1/\x00",
        "http://127.0.0.1\\@evil.test/",
        "http://127.0.0.1:80:80/",
        "http://[fe80::1%25eth0]/",
        "http://a@b@127.0.0.1/",
        "http://127.0.0.1:/",
        "http://127.0.0.1:0/",
        "http://127.0.0.1:65536/",
        "http://127.0.0.1:８０/",
        "http://127.0.0.1:-1/",
        "http://%31%32%37.0.0.1/",
        "http://[::1/",
        "http://[not-v6]/",
        "http://a..b/",
        "http:127.0.0.1/",
        "http://exa<mple.test/",
    ],
)
def test_bad_url_is_named(url):
    assert_rejected(send_to(url), INVALID_REQUEST, "bad_url", "url")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/plain,hi", "gopher://127.0.0.1:70/", "ws://127.0.0.1/"]
)
def test_non_http_schemes_are_unsupported(url):
    exchange = send_to(url)
    assert_rejected(exchange, UNSUPPORTED, "unsupported_scheme", "url")


def test_file_url_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    exchange = send_to(secret.as_uri())
    assert exchange.error.kind == UNSUPPORTED
    assert exchange.response is None
    assert "top secret" not in repr(exchange)


@pytest.mark.parametrize(
    ("url", "host", "port", "target"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1", 8000, "/"),
        ("HTTP://LocalHost/a/b?x=1#frag", "localhost", 80, "/a/b?x=1"),
        ("https://[::1]:8443/p", "::1", 8443, "/p"),
        ("http://１２７．０．０．１/", "127.0.0.1", 80, "/"),
        ("http://bücher.example/ä?q=ö", "xn--bcher-kva.example", 80, "/%C3%A4?q=%C3%B6"),
        ("http://127.0.0.1/a%2Fb?x=%zz&y=a+b", "127.0.0.1", 80, "/a%2Fb?x=%25zz&y=a+b"),
        ("http://127.0.0.1/a\\b|c", "127.0.0.1", 80, "/a%5Cb%7Cc"),
    ],
)
def test_urls_are_normalised_keeping_what_was_typed(url, host, port, target):
    parsed = parse_url(url).target
    assert (parsed.host, parsed.port, parsed.request_target) == (host, port, target)


def test_userinfo_becomes_basic_auth_and_leaves_the_url(echo_server):
    url = echo_server.url("/basic-auth/alice/p%40ss").replace("://", "://alice:p%40ss@")
    exchange = send_to(url)
    assert exchange.error is None
    assert exchange.response.status == 200
    assert exchange.request.url == echo_server.url("/basic-auth/alice/p%40ss")
    assert "@" not in exchange.request.wire_text.split("\r\n\r\n")[0].replace("%40", "")
    request_line, host_line = exchange.request.wire_text.split("\r\n")[:2]
    assert request_line == "GET /basic-auth/alice/p%40ss HTTP/1.1"
    assert host_line == f"Host: 127.0.0.1:{echo_server.port}"


def test_userinfo_does_not_override_the_auth_settings(echo_server):
    url = echo_server.url("/anything").replace("://", "://url-user:url-pass@")
    echo = echoed(send_to(url, auth=Auth(type="bearer", token="t0ken")))
    assert header_values(echo, "Authorization") == ["Bearer t0ken"]


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_header_values_with_line_breaks_or_nul_are_refused(echo_server, value):
    headers = [KeyValue("X-Ok", "1"), KeyValue("X-Bad", value)]
    exchange = send_to(echo_server.url("/anything"), headers=headers)
    assert_rejected(exchange, INVALID_REQUEST, "header_crlf", "headers[1].value")


@pytest.mark.parametrize("name", ["X Bad", "X-Bad:", "", "Ünicode", "X\r\nY"])
def test_bad_header_names_are_refused(echo_server, name):
    exchange = send_to(echo_server.url("/anything"), headers=[KeyValue(name, "v")])
    assert_rejected(exchange, INVALID_REQUEST, "bad_header_name", "headers[0].key")


def test_disabled_and_blank_header_rows_are_skipped(echo_server):
    headers = [KeyValue("X-Bad Name", "v", enabled=False), KeyValue("", ""), KeyValue("X-On", "1")]
    echo = echoed(send_to(echo_server.url("/anything"), headers=headers))
    assert header_values(echo, "X-On") == ["1"]


def test_bearer_token_with_line_break_is_refused():
    exchange = send_to("http://127.0.0.1:9/", auth=Auth(type="bearer", token="abc\r\nX: y"))
    assert_rejected(exchange, INVALID_REQUEST, "header_crlf", "auth.token")


def test_body_over_the_limit_is_too_large(echo_server):
    before = echo_server.accepted_connections
    spec = RequestSpec(method="POST", url=echo_server.url("/anything"), body=Body(mode="binary", data=b"x" * 2049))
    exchange = send(spec, policy=ALLOW_ALL, max_request_body_bytes=2048)
    assert_rejected(exchange, TOO_LARGE, "request_too_large", "body")
    assert echo_server.accepted_connections == before
    assert send(spec.copy(body=Body(mode="binary", data=b"x" * 2048)), policy=ALLOW_ALL, max_request_body_bytes=2048).ok


def test_invalid_graphql_variables_are_named(echo_server):
    body = Body(mode="graphql", query="{ me }", variables="{not json")
    exchange = send_to(echo_server.url("/anything"), method="POST", body=body)
    assert_rejected(exchange, INVALID_REQUEST, "bad_graphql_variables", "body.variables")


def test_variables_are_resolved_with_later_scopes_winning(echo_server):
    spec = RequestSpec(
        url=echo_server.url("/anything?who={{who}}"),
        headers=[KeyValue("X-Token", "{{token}}")],
    )
    exchange = send_spec(spec, variables=[{"who": "global", "token": "g"}, {"who": "env"}])
    echo = echoed(exchange)
    assert echo["query"] == [["who", "env"]]
    assert header_values(echo, "X-Token") == ["g"]
    assert exchange.warnings == []


def test_unresolved_variables_are_sent_as_written_and_named(echo_server):
    spec = RequestSpec(url=echo_server.url("/anything/{{id}}"), headers=[KeyValue("X-A", "{{missing}} {{id}}")])
    exchange = send_spec(spec)
    assert header_values(echoed(exchange), "X-A") == ["{{missing}} {{id}}"]
    assert exchange.unresolved_variables == ["id", "missing"]
    assert exchange_to_dict(exchange)["unresolved_variables"] == ["id", "missing"]


def test_variable_cycle_is_an_invalid_request(echo_server):
    spec = RequestSpec(url=echo_server.url("/anything?x={{a}}"))
    exchange = send_spec(spec, variables=[{"a": "{{b}}", "b": "{{a}}"}])
    assert_rejected(exchange, INVALID_REQUEST, "variable_cycle")
    assert "a" in exchange.error.message and "b" in exchange.error.message


def test_variable_that_makes_an_invalid_url_is_named(echo_server):
    spec = RequestSpec(url="http://{{host}}/")
    exchange = send_spec(spec, variables=[{"host": "127.0.0.1/\r\nX: 1"}])
    assert_rejected(exchange, INVALID_REQUEST, "bad_url", "url")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/plain,hi"])
def test_the_opener_itself_refuses_other_schemes(url):
    # Defence in depth: even past validation, urllib has no handler that could read these.
    with pytest.raises(urllib.error.URLError, match="unknown url type"):
        OPENER.open(urllib.request.Request(url))


def test_one_token_rule_refuses_a_trailing_newline_everywhere():
    """RFC 9110 tokens in one place: the regex copies matched with `$`, which lets "GET\\n" by."""
    from requests_app.engine.validation import is_token
    from requests_app.runner.assertions import is_header_name
    from requests_app.services.validation import _is_method

    assert is_token("X-Custom_1.a~") and is_token("PATCH")
    for bad in ("GET\n", "X A", "", "Ä", "x:y"):
        assert not is_token(bad) and not is_header_name(bad) and not _is_method(bad)
    assert not _is_method("A" * 33)
