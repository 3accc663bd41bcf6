"""Issue 13 items 10–15: hostile input is a 400 naming the field (or a recorded error), never a 500."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from requests_app.models import HistoryEntry
from requests_app.services import runs
from requests_app.services.saved_requests import request_create


def execute(client, world, **spec):
    payload = {"workspace": world["workspace"].pk, "method": "POST", "url": "http://127.0.0.1:9/x", **spec}
    return client.post("/api/v1/execute", payload, format="json")


def assert_400_naming(response, field):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    return error


# ---------------------------------------------------------------- item 10: CR/LF in content type, Digest username
@pytest.mark.parametrize("spec, field", [
    ({"body": {"mode": "raw", "text": "x", "content_type": "text/plain\r\nX-Injected: 1"}}, "body.content_type"),
    ({"body": {"mode": "binary", "base64": "AAE=", "content_type": "a/b\nX-Injected: 1"}}, "body.content_type"),
    ({"auth": {"type": "digest", "username": "me\r\nX-Injected: 1", "password": "p"}}, "auth.username"),
])
def test_line_breaks_in_content_type_or_digest_username_are_refused(world, alice_client, echo_server, spec, field):
    assert_400_naming(execute(alice_client, world, url=echo_server.url("/digest-auth/auth/me/p"), **spec), field)


def test_saving_them_is_refused_too(world, alice_client):
    response = alice_client.post("/api/v1/requests", {
        "collection": world["collection"].pk, "name": "Bad", "url": "http://x.test/",
        "body": {"mode": "raw", "text": "x", "content_type": "text/plain\r\nX: 1"}}, format="json")
    assert_400_naming(response, "body.content_type")


def test_a_run_fails_only_the_bad_request(world, alice, echo_server):
    # Stored before validation existed (straight into the database): the run must survive it.
    bad = request_create(user=alice, collection=world["collection"], name="Bad", url=echo_server.url("/post"),
                         method="POST")
    type(bad).objects.filter(pk=bad.pk).update(
        body={"mode": "raw", "text": "x", "content_type": "text/plain\r\nX: 1"})
    run = runs.run_create(workspace=world["workspace"], created_by=alice, collection=world["collection"],
                          environment=world["environment"])
    run = runs.run_execute(run.pk, worker="test:host:1")
    assert run.error == ""
    results = {r.name: r for r in run.results.all()}
    assert results["Bad"].error["code"] == "header_crlf"
    assert results["Echo"].status == 200


# ---------------------------------------------------------------- item 11: deep JSON
@pytest.mark.parametrize("path", ["/api/v1/execute", "/api/v1/collections", "/api/v1/environments",
                                  "/api/v1/import"])
def test_deep_json_is_a_400_in_the_api_shape(world, alice_client, path):
    deep = "[" * 1000 + "]" * 1000
    body = f'{{"workspace": {world["workspace"].pk}, "name": "x", "url": "http://x.test/", "variables": {deep}}}'
    response = alice_client.generic("POST", path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "parse_error"
    assert "nested" in response.json()["error"]["message"]


# ---------------------------------------------------------------- item 12: lone surrogates
@pytest.mark.parametrize("spec, field", [
    ({"headers": [{"key": "X-A", "value": "a\ud800b", "enabled": True}]}, "headers[0].value"),
    ({"body": {"mode": "raw", "text": "a\ud800"}}, "body.text"),
    ({"params": [{"key": "q", "value": "\udfff", "enabled": True}]}, "params[0].value"),
    ({"url": "http://x.test/\ud800"}, "url"),
])
def test_lone_surrogates_are_a_400_naming_the_field(world, alice_client, spec, field):
    payload = {"workspace": world["workspace"].pk, "method": "POST", "url": "http://127.0.0.1:9/x", **spec}
    # json.dumps writes the lone surrogate as the \\ud800 escape, as a hostile client would.
    response = alice_client.generic("POST", "/api/v1/execute", json.dumps(payload), content_type="application/json")
    assert_400_naming(response, field)


# ---------------------------------------------------------------- item 13: huge bodies
def test_a_body_over_the_limit_gets_the_api_error_shape(world, alice_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"workspace": world["workspace"].pk, "url": "http://x.test/", "body": {
        "mode": "raw", "text": "x" * 4096}})
    response = alice_client.generic("POST", "/api/v1/execute", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "too_large"


# ---------------------------------------------------------------- item 14: control characters in header values
@pytest.mark.parametrize("char", ["\x01", "\x0b", "\x1b", "\x7f"])
def test_control_characters_in_header_values_are_refused(world, alice_client, echo_server, char):
    before = echo_server.accepted_connections
    response = execute(alice_client, world, url=echo_server.url("/get"),
                       headers=[{"key": "X-A", "value": f"a{char}b", "enabled": True}])
    assert_400_naming(response, "headers[0].value")
    assert echo_server.accepted_connections == before


def test_a_tab_in_a_header_value_is_fine(world, alice_client, echo_server):
    response = execute(alice_client, world, method="GET", url=echo_server.url("/get"),
                       headers=[{"key": "X-A", "value": "a\tb", "enabled": True}])
    assert response.status_code == 200 and response.json()["error"] is None


# ---------------------------------------------------------------- item 15: redirects to other schemes
@pytest.mark.parametrize("location", ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)"])
def test_a_redirect_to_another_scheme_is_recorded_with_an_error(world, alice_client, echo_server, location):
    url = echo_server.url(f"/redirect-to?url={quote(location, safe='')}")
    response = execute(alice_client, world, method="GET", url=url)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["response"]["status"] == 302
    assert result["error"]["field"] == "redirect" and location.split(":")[0] in result["error"]["message"]
    assert HistoryEntry.objects.filter(pk=result["id"]).exists()
