"""Folders' auth and variables through the API: round trip, named errors, credentials masked for
viewers, and what executing a request below the folder sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from requests_app.models import Folder

TOKEN = "folder-token-Quiet-Harbor-8812"


def test_folder_auth_and_variables_round_trip(world: dict[str, Any], alice_client: Any) -> None:
    created = alice_client.post("/api/v1/folders", {
        "collection": world["collection"].pk, "name": "Admin",
        "auth": {"type": "bearer", "token": TOKEN},
        "variables": [{"key": "scope", "value": "admin", "enabled": True}]}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["auth"] == {"type": "bearer", "token": TOKEN}
    assert body["variables"] == [{"key": "scope", "value": "admin", "enabled": True}]
    url = f"/api/v1/folders/{body['id']}"
    assert alice_client.get(url).json() == body
    updated = alice_client.patch(url, {"version": body["version"], "auth": {"type": "none"}, "variables": []},
                                 format="json").json()
    assert (updated["auth"], updated["variables"]) == ({"type": "none"}, [])
    back = alice_client.patch(url, {"version": updated["version"], "auth": {"type": "inherit"}}, format="json").json()
    assert back["auth"] == {"type": "inherit"}


def test_a_new_folder_inherits_by_default(world: dict[str, Any], alice_client: Any) -> None:
    body = alice_client.post("/api/v1/folders", {"collection": world["collection"].pk, "name": "Plain"},
                             format="json").json()
    assert body["auth"] == {"type": "inherit"} and body["variables"] == []


@pytest.mark.parametrize(("payload", "field"), [
    ({"auth": {"type": "kerberos"}}, "auth.type"),
    ({"auth": {"type": "apikey", "key": "k", "value": "v", "in": "cookie"}}, "auth.in"),
    ({"auth": "bearer"}, "auth"),
    ({"variables": [{"key": "", "value": "x"}]}, "variables[0].key"),
    ({"variables": [{"key": "a", "value": 3}]}, "variables[0].value"),
    ({"variables": {"a": "b"}}, "variables"),
])
def test_bad_folder_auth_or_variables_name_the_field(world: dict[str, Any], alice_client: Any,
                                                     payload: dict[str, Any], field: str) -> None:
    response = alice_client.post("/api/v1/folders", {"collection": world["collection"].pk, "name": "Bad", **payload},
                                 format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    folder = world["folder"]
    response = alice_client.patch(f"/api/v1/folders/{folder.pk}", {"version": folder.version, **payload}, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    assert not Folder.objects.filter(name="Bad").exists()


def test_viewers_read_folder_credentials_as_the_mask(world: dict[str, Any], alice_client: Any,
                                                     victor_client: Any, carol_client: Any) -> None:
    folder = world["folder"]
    alice_client.patch(f"/api/v1/folders/{folder.pk}", {"version": folder.version,
                                                        "auth": {"type": "bearer", "token": TOKEN}}, format="json")
    seen = victor_client.get(f"/api/v1/folders/{folder.pk}").json()
    assert seen["auth"]["type"] == "bearer" and TOKEN not in json.dumps(seen)
    listed = victor_client.get("/api/v1/folders", {"collection": world["collection"].pk}).json()
    assert TOKEN not in json.dumps(listed)
    assert TOKEN in json.dumps(alice_client.get("/api/v1/folders", {"collection": world["collection"].pk}).json())
    assert victor_client.patch(f"/api/v1/folders/{folder.pk}", {"version": 2, "name": "x"},
                               format="json").status_code == 403
    assert carol_client.get(f"/api/v1/folders/{folder.pk}").status_code == 404


def test_executing_a_request_below_the_folder_sends_its_auth(world: dict[str, Any], alice_client: Any,
                                                             victor_client: Any) -> None:
    folder = world["folder"]
    alice_client.patch(f"/api/v1/folders/{folder.pk}", {
        "version": folder.version, "auth": {"type": "bearer", "token": TOKEN},
        "variables": [{"key": "token", "value": "from-folder", "enabled": True}]}, format="json")
    result = alice_client.post(f"/api/v1/requests/{world['request'].pk}/execute", {}, format="json").json()
    echoed = json.loads(result["response"]["body_text"])
    assert ["Authorization", f"Bearer {TOKEN}"] in echoed["headers"]
    assert echoed["args"] == {"t": ["from-folder"]}  # the folder's variable (no environment chosen)
    # a viewer may send it where the saved request goes, and never reads it back
    as_viewer = victor_client.post(f"/api/v1/requests/{world['request'].pk}/execute", {}, format="json")
    assert as_viewer.status_code == 200 and TOKEN not in as_viewer.content.decode()
