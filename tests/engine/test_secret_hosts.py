"""Issue 13 item 1: secrets go only to their hosts — first hop, redirects, values copied by scripts."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from requests_app.engine import send
from requests_app.engine.exchange import BLOCKED
from requests_app.engine.secret_hosts import (
    SECRET_HOST,
    SECRET_UNBOUND,
    BoundSecret,
    SecretScope,
    clean_host_pattern,
    host_matches,
)
from requests_app.engine.spec import Auth, Body, FormField, KeyValue, RequestSpec
from tests.engine.sending import ALLOW_ALL

TOKEN = "tok-Marmot-Lantern-55190"


def scope(hosts=(), *, unbound_allowed=True, value=TOKEN):
    return SecretScope(secrets=(BoundSecret("token", value, tuple(hosts)),), unbound_allowed=unbound_allowed)


def send_with(spec, secrets, variables=({"token": TOKEN},)):
    return send(spec, policy=ALLOW_ALL, variables=variables, secrets=secrets)


@pytest.mark.parametrize("host, patterns, expected", [
    ("api.example.com", ["api.example.com"], True),
    ("API.example.com.", ["api.example.com"], True),
    ("a.b.example.com", ["*.example.com"], True),
    ("example.com", ["*.example.com"], False),
    ("evilexample.com", ["*.example.com"], False),
    ("example.com.evil.test", ["example.com"], False),
    ("::1", ["[::1]"], True),
])
def test_host_patterns(host, patterns, expected):
    assert host_matches(host, patterns) is expected


@pytest.mark.parametrize("text, expected", [
    (" API.Example.com ", "api.example.com"), ("*.example.com", "*.example.com"), ("bücher.de", "xn--bcher-kva.de"),
    ("https://x.test", None), ("x.test:443", None), ("x.test/path", None), ("*", None), ("a.*.test", None),
])
def test_host_patterns_are_cleaned(text, expected):
    assert clean_host_pattern(text) == expected


@pytest.mark.parametrize("part", [
    {"url": "{{base}}/get?t={{token}}"},
    {"headers": [KeyValue("X-Token", "{{token}}")]},
    {"body": Body(mode="json", text='{"t": "{{token}}"}')},
    {"auth": Auth(type="basic", username="me", password="{{token}}")},
    {"auth": Auth(type="bearer", token="{{token}}")},
    {"auth": Auth(type="apikey", key="k", value="{{token}}", location="query")},
], ids=["url", "header", "body", "basic", "bearer", "apikey-query"])
def test_a_secret_bound_elsewhere_is_refused_before_sending(echo_server, part):
    before = echo_server.accepted_connections
    spec = RequestSpec(method="POST", url=part.pop("url", "{{base}}/post"), **part)
    exchange = send_with(spec, scope(["api.example.com"]), [{"base": echo_server.url(), "token": TOKEN}])
    assert exchange.error is not None and exchange.error.kind == BLOCKED and exchange.error.code == SECRET_HOST
    assert "{{token}}" in exchange.error.message and "api.example.com" in exchange.error.message
    assert TOKEN not in exchange.error.message
    assert exchange.request is None and exchange.response is None
    assert echo_server.accepted_connections == before


def test_a_secret_goes_to_its_own_hosts(echo_server):
    spec = RequestSpec(url=echo_server.url("/get?t={{token}}"))
    exchange = send_with(spec, scope(["127.0.0.1"]))
    assert exchange.error is None and exchange.response.status == 200


def test_nested_variables_count_as_using_the_secret(echo_server):
    spec = RequestSpec(url=echo_server.url("/get"), headers=[KeyValue("Authorization", "{{auth}}")])
    exchange = send_with(spec, scope(["api.example.com"]), [{"token": TOKEN, "auth": "Bearer {{token}}"}])
    assert exchange.error.code == SECRET_HOST


def test_a_short_secret_used_by_name_is_refused(echo_server):
    spec = RequestSpec(url=echo_server.url("/get?pin={{token}}"))
    exchange = send_with(spec, scope(["api.example.com"], value="1234"), [{"token": "1234"}])
    assert exchange.error.code == SECRET_HOST


def test_a_value_copied_into_a_request_by_a_script_is_refused(echo_server):
    # A script (pm.sendRequest) may build a request from pm.environment.get("token"): no {{ }}.
    for spec in (
        RequestSpec(url=echo_server.url("/get"), headers=[KeyValue("X-Copy", TOKEN)]),
        RequestSpec(url=echo_server.url("/get?q=" + quote(TOKEN))),
        RequestSpec(method="POST", url=echo_server.url("/post"),
                    body=Body(mode="urlencoded", fields=[FormField("t", "x " + TOKEN)])),
        RequestSpec(url=echo_server.url("/get"), auth=Auth(type="basic", username="me", password=TOKEN)),
    ):
        exchange = send_with(spec, scope(["api.example.com"]), [])
        assert exchange.error is not None and exchange.error.code == SECRET_HOST, spec


def test_a_redirect_to_another_host_carrying_the_secret_is_refused(echo_server):
    # 127.0.0.1 may have it; the redirect goes to "localhost" (same server, another host name).
    elsewhere = f"http://localhost:{echo_server.port}/get"
    before = echo_server.accepted_connections
    spec = RequestSpec(
        url=echo_server.url(f"/redirect-to?url={quote(elsewhere, safe='')}&status_code=307"),
        headers=[KeyValue("X-Token", "{{token}}")],
    )
    exchange = send_with(spec, scope(["127.0.0.1"]))
    assert exchange.error is not None and exchange.error.code == SECRET_HOST
    assert "localhost" in exchange.error.message
    assert exchange.response.status == 307  # the first hop was sent and is kept
    assert echo_server.accepted_connections == before + 1


def test_a_redirect_that_drops_the_secret_is_followed(echo_server):
    # Credentials never cross origins, so a Bearer token does not follow the redirect.
    elsewhere = f"http://localhost:{echo_server.port}/get"
    spec = RequestSpec(url=echo_server.url(f"/redirect-to?url={quote(elsewhere, safe='')}"),
                       auth=Auth(type="bearer", token="{{token}}"))
    exchange = send_with(spec, scope(["127.0.0.1"]))
    assert exchange.error is None and exchange.response.status == 200


def test_unbound_secrets_follow_the_role(echo_server):
    spec = RequestSpec(url=echo_server.url("/get?t={{token}}"))
    refused = send_with(spec, scope(unbound_allowed=False))
    assert refused.error.code == SECRET_UNBOUND and "{{token}}" in refused.error.message
    assert send_with(spec, scope(unbound_allowed=True)).error is None
    # A secret with hosts obeys them whatever the role.
    assert send_with(spec, scope(["127.0.0.1"], unbound_allowed=False)).error is None


def test_requests_without_secrets_are_untouched(echo_server):
    spec = RequestSpec(url=echo_server.url("/get?plain=1"))
    assert send_with(spec, scope(unbound_allowed=False), [{"token": TOKEN}]).error is None
