"""POST /api/v1/execute and /requests/{id}/execute against the playground; secrets never leak."""

import base64
import json
import logging

import pytest
from django.db import connection

from requests_app.models import HistoryEntry
from requests_app.services.secrets import MASK
from tests.api.conftest import SECRET

EXCHANGE_KEYS = {"id", "request", "response", "redirects", "timings", "warnings", "error"}


def execute(client, world, **spec):
    payload = {"workspace": world["workspace"].pk, "method": "POST", "url": spec.pop("url"), **spec}
    response = client.post("/api/v1/execute", payload, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def echoed(result):
    return json.loads(result["response"]["body_text"])


@pytest.mark.parametrize("body, check", [
    ({"mode": "none"}, lambda e: e["data"] == ""),
    ({"mode": "raw", "text": "<a>1</a>", "content_type": "application/xml"},
     lambda e: e["data"] == "<a>1</a>" and ["Content-Type", "application/xml"] in e["headers"]),
    ({"mode": "json", "text": '{"a": [1, 2]}'}, lambda e: e["json"] == {"a": [1, 2]}),
    ({"mode": "urlencoded", "fields": [{"key": "a", "value": "1 2", "enabled": True},
                                       {"key": "a", "value": "3", "enabled": True},
                                       {"key": "off", "value": "x", "enabled": False}]},
     lambda e: e["form"] == [["a", "1 2"], ["a", "3"]]),
    ({"mode": "multipart", "fields": [
        {"key": "note", "value": "hi", "enabled": True},
        {"key": "upload", "enabled": True,
         "file": {"name": "a.bin", "content_type": "application/octet-stream",
                  "base64": base64.b64encode(b"\x00\x01\x02").decode()}}]},
     lambda e: e["form"] == [["note", "hi"]] and e["files"][0]["filename"] == "a.bin"),
    ({"mode": "binary", "base64": base64.b64encode(b"\xff\xfe").decode(), "content_type": "image/x-test"},
     lambda e: e["data_encoding"] == "base64" and ["Content-Type", "image/x-test"] in e["headers"]),
    ({"mode": "graphql", "query": "{ me { id } }", "variables": '{"x": 1}'},
     lambda e: e["json"] == {"query": "{ me { id } }", "variables": {"x": 1}}),
], ids=["none", "raw", "json", "urlencoded", "multipart", "binary", "graphql"])
def test_each_body_mode_reaches_the_target(world, alice_client, echo_server, body, check):
    result = execute(alice_client, world, url=echo_server.url("/anything"), body=body)
    assert EXCHANGE_KEYS <= set(result)
    assert result["response"]["status"] == 200
    assert check(echoed(result)), echoed(result)
    assert HistoryEntry.objects.filter(pk=result["id"]).exists()


def test_response_shape_matches_the_documented_one(world, alice_client, echo_server):
    result = execute(alice_client, world, method="GET", url=echo_server.url("/redirect/1"))
    assert set(result["request"]) == {"method", "url", "headers", "body_size", "wire"}
    assert result["request"]["wire"].startswith("GET /get HTTP/1.1\r\n")
    response = result["response"]
    for key in ("http_version", "status", "reason", "status_name", "status_description", "headers", "cookies",
                "content_type", "charset", "kind", "body_text", "size", "truncated", "wire_head"):
        assert key in response
    assert response["status_name"] == "OK" and response["kind"] == "json"
    assert result["redirects"][0]["status"] == 302
    assert set(result["timings"]) == {"dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "download_ms", "total_ms"}
    assert result["error"] is None


def test_all_auth_types_are_sent(world, alice_client, echo_server):
    basic = execute(alice_client, world, method="GET", url=echo_server.url("/basic-auth/u/p"),
                    auth={"type": "basic", "username": "u", "password": "p"})
    assert basic["response"]["status"] == 200
    digest = execute(alice_client, world, method="GET", url=echo_server.url("/digest-auth/auth/u/p"),
                     auth={"type": "digest", "username": "u", "password": "p"})
    assert digest["response"]["status"] == 200
    bearer = execute(alice_client, world, method="GET", url=echo_server.url("/bearer"),
                     auth={"type": "bearer", "token": "t"})
    assert bearer["response"]["status"] == 200
    apikey = execute(alice_client, world, method="GET", url=echo_server.url("/anything"),
                     auth={"type": "apikey", "key": "k", "value": "v", "in": "query"})
    assert echoed(apikey)["args"] == {"k": ["v"]}


def test_network_failure_is_200_with_error(world, alice_client, closed_port):
    result = execute(alice_client, world, method="GET", url=f"http://127.0.0.1:{closed_port}/")
    assert result["error"]["kind"] == "refused" and result["response"] is None


def test_invalid_input_is_400_naming_the_field_and_not_recorded(world, alice_client, echo_server):
    response = alice_client.post("/api/v1/execute", {
        "workspace": world["workspace"].pk, "method": "GET", "url": echo_server.url("/get"),
        "headers": [{"key": "X", "value": "a\r\nInjected: 1", "enabled": True}]}, format="json")
    assert response.status_code == 400
    assert any(name.startswith("headers[0]") for name in response.json()["error"]["fields"])
    missing = alice_client.post("/api/v1/execute", {"workspace": world["workspace"].pk}, format="json")
    assert missing.status_code == 400 and {"method", "url"} <= set(missing.json()["error"]["fields"])
    assert not HistoryEntry.objects.exists()


def test_saved_execute_uses_the_environment_and_masks_the_secret_everywhere(world, victor_client, caplog):
    caplog.set_level(logging.DEBUG)
    response = victor_client.post(f"/api/v1/requests/{world['request'].pk}/execute",
                                  {"environment": world["environment"].pk}, format="json")
    assert response.status_code == 200
    text = response.content.decode()
    assert SECRET not in text
    result = response.json()
    assert echoed(result)["args"] == {"t": ["{{token}}"]}
    assert ["X-Token", "{{token}}"] in result["request"]["headers"]
    entry = HistoryEntry.objects.get(pk=result["id"])
    assert entry.saved_request_id == world["request"].pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM requests_app_historyentry")
        assert SECRET not in repr(cursor.fetchall())
    detail = victor_client.get(f"/api/v1/history/{result['id']}")
    assert SECRET not in detail.content.decode()
    assert detail.json()["spec"]["headers"][0]["value"] == "{{token}}"
    assert SECRET not in caplog.text


def test_environment_secret_is_masked_unless_an_editor_asks_to_reveal(world, alice_client, victor_client):
    url = f"/api/v1/environments/{world['environment'].pk}"
    for client, query in ((alice_client, ""), (victor_client, ""), (victor_client, "?reveal=1")):
        response = client.get(url + query)
        assert SECRET not in response.content.decode()
        assert response.json()["variables"][0]["value"] == MASK
    listed = alice_client.get("/api/v1/environments").content.decode()
    assert SECRET not in listed
    revealed = alice_client.get(url + "?reveal=1").json()
    assert revealed["variables"][0]["value"] == SECRET


def test_sending_the_mask_back_keeps_the_secret(world, alice_client):
    url = f"/api/v1/environments/{world['environment'].pk}"
    current = alice_client.get(url).json()
    current["variables"][1]["value"] = "changed"
    updated = alice_client.put(url, {"version": current["version"], "variables": current["variables"]},
                               format="json")
    assert updated.status_code == 200 and SECRET not in updated.content.decode()
    assert alice_client.get(url + "?reveal=1").json()["variables"][0]["value"] == SECRET


def test_stale_environment_conflict_does_not_leak_the_secret(world, alice_client, bob_client):
    url = f"/api/v1/environments/{world['environment'].pk}"
    bob_client.patch(url, {"version": 1, "name": "Bob"}, format="json")
    conflict = alice_client.patch(url, {"version": 1, "name": "Alice"}, format="json")
    assert conflict.status_code == 409 and SECRET not in conflict.content.decode()
    assert conflict.json()["error"]["current"]["variables"][0]["value"] == MASK


def test_history_list_filters_and_delete(world, alice_client, echo_server):
    first = execute(alice_client, world, method="GET", url=echo_server.url("/get"))
    alice_client.post(f"/api/v1/requests/{world['request'].pk}/execute", {}, format="json")
    by_request = alice_client.get("/api/v1/history", {"request": world["request"].pk}).json()
    assert len(by_request["results"]) == 1
    assert len(alice_client.get("/api/v1/history", {"workspace": world["workspace"].pk}).json()["results"]) == 2
    assert alice_client.delete(f"/api/v1/history/{first['id']}").status_code == 204
    cleared = alice_client.post("/api/v1/history/clear", {"workspace": world["workspace"].pk}, format="json")
    assert cleared.json() == {"deleted": 1}


def test_cookies_list_delete_and_clear(world, alice_client, echo_server):
    execute(alice_client, world, method="GET", url=echo_server.url("/cookies/set?a=1&b=2"))
    listed = alice_client.get("/api/v1/cookies", {"workspace": world["workspace"].pk}).json()["results"]
    assert sorted(c["name"] for c in listed) == ["a", "b"]
    one = listed[0]
    deleted = alice_client.post("/api/v1/cookies/delete", {"workspace": world["workspace"].pk, "domain": one["domain"],
                                                            "path": one["path"], "name": one["name"]}, format="json")
    assert deleted.status_code == 204
    assert alice_client.post("/api/v1/cookies/clear", {"workspace": world["workspace"].pk},
                             format="json").status_code == 204
    assert alice_client.get("/api/v1/cookies", {"workspace": world["workspace"].pk}).json()["count"] == 0
    assert alice_client.get("/api/v1/cookies").status_code == 400


def test_unresolved_variables_are_named_on_the_response(world, alice_client, echo_server):
    result = execute(alice_client, world, method="GET", url=echo_server.url("/anything/{{bookId}}"),
                     headers=[{"key": "X-A", "value": "{{nope}}", "enabled": True}])
    assert result["unresolved_variables"] == ["bookId", "nope"]
    assert result["error"] is None and echoed(result)["headers"]  # still sent, as Postman does
    clean = execute(alice_client, world, method="GET", url=echo_server.url("/anything"))
    assert clean["unresolved_variables"] == []
