"""CRUD round trips, move/reorder, duplicates and optimistic concurrency through the API."""

import io

import pytest
from django.core.management import call_command

from requests_app.models import ApiToken, Collection, Folder, SavedRequest


def test_collection_round_trip(alice_client, acme):
    created = alice_client.post("/api/v1/collections/", {
        "workspace": acme.pk, "name": "Users API", "description": "d",
        "variables": [{"key": "base", "value": "http://127.0.0.1", "enabled": True}],
        "auth": {"type": "bearer", "token": "{{token}}"}}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["auth"] == {"type": "bearer", "token": "{{token}}"}
    url = f"/api/v1/collections/{body['id']}"
    assert alice_client.get(url).json() == body
    updated = alice_client.put(url, {"version": 1, "name": "Users API v2", "variables": []}, format="json").json()
    assert (updated["name"], updated["variables"], updated["version"]) == ("Users API v2", [], 2)
    listed = alice_client.get("/api/v1/collections", {"workspace": acme.pk}).json()
    assert [c["name"] for c in listed["results"]] == ["Users API v2"]
    assert alice_client.delete(url).status_code == 204
    assert alice_client.get(url).status_code == 404


def test_stale_version_is_409_with_the_current_object(world, alice_client, bob_client):
    url = f"/api/v1/requests/{world['request'].pk}"
    assert bob_client.patch(url, {"version": 1, "name": "Bob's"}, format="json").status_code == 200
    response = alice_client.patch(url, {"version": 1, "name": "Alice's"}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "version_conflict"
    assert (error["current"]["name"], error["current"]["version"]) == ("Bob's", 2)
    assert SavedRequest.objects.get(pk=world["request"].pk).name == "Bob's"


@pytest.mark.parametrize("kind", ["collections", "folders", "requests", "environments"])
def test_update_without_version_is_a_400_naming_version(world, alice_client, kind):
    obj = world[kind[:-1]] if kind != "requests" else world["request"]
    response = alice_client.patch(f"/api/v1/{kind}/{obj.pk}", {"name": "x"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["error"]["fields"]


def test_request_round_trip_keeps_every_part(world, alice_client):
    payload = {
        "collection": world["collection"].pk, "folder": world["folder"].pk, "name": "Create user",
        "method": "POST", "url": "{{base}}/users",
        "params": [{"key": "a", "value": "1", "enabled": True}, {"key": "a", "value": "2", "enabled": False}],
        "headers": [{"key": "Accept", "value": "application/json", "enabled": True}],
        "body": {"mode": "urlencoded", "fields": [{"key": "n", "value": "v", "enabled": True}]},
        "auth": {"type": "apikey", "key": "X-Key", "value": "{{key}}", "in": "header"},
        "options": {"follow_redirects": False, "max_redirects": 3, "timeout_ms": 5000, "verify_tls": False,
                    "use_cookies": False, "max_response_bytes": 1000},
        "description": "makes a user",
    }
    created = alice_client.post("/api/v1/requests", payload, format="json")
    assert created.status_code == 201, created.json()
    stored = alice_client.get(f"/api/v1/requests/{created.json()['id']}").json()
    for key, value in payload.items():
        assert stored[key] == value, key


@pytest.mark.parametrize("payload, field", [
    ({"headers": [{"key": "A", "value": 3}]}, "headers[0].value"),
    ({"body": {"mode": "nope"}}, "body.mode"),
    ({"auth": {"type": "apikey", "key": "k", "value": "v", "in": "cookie"}}, "auth.in"),
    ({"method": "GET /x"}, "method"),
    ({"name": ""}, "name"),
    ({"collection": "abc"}, "collection"),
])
def test_invalid_request_payloads_name_the_field(world, alice_client, payload, field):
    body = {"collection": world["collection"].pk, "name": "R", "url": "http://x/", **payload}
    response = alice_client.post("/api/v1/requests", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert SavedRequest.objects.count() == 1


def test_move_and_reorder_requests_and_folders(world, alice_client, acme):
    collection, folder = world["collection"], world["folder"]
    ids = [alice_client.post("/api/v1/requests", {"collection": collection.pk, "name": n, "url": "http://x/"},
                             format="json").json()["id"] for n in "abc"]
    assert alice_client.post(f"/api/v1/requests/{ids[2]}/move", {"position": 0}, format="json").status_code == 200
    order = alice_client.get("/api/v1/requests", {"collection": collection.pk}).json()["results"]
    assert [r["name"] for r in order if r["folder"] is None] == ["c", "a", "b"]

    moved = alice_client.post(f"/api/v1/requests/{ids[0]}/move", {"folder": folder.pk, "position": 0},
                              format="json").json()
    assert (moved["folder"], moved["position"]) == (folder.pk, 0)

    sub = alice_client.post("/api/v1/folders", {"collection": collection.pk, "parent": folder.pk, "name": "Sub"},
                            format="json").json()
    cycle = alice_client.post(f"/api/v1/folders/{folder.pk}/move", {"parent": sub["id"]}, format="json")
    assert cycle.status_code == 400 and cycle.json()["error"]["code"] == "folder_cycle"

    other = alice_client.post("/api/v1/collections", {"workspace": acme.pk, "name": "Other"}, format="json").json()
    moved_folder = alice_client.post(f"/api/v1/folders/{folder.pk}/move", {"collection": other["id"]},
                                     format="json").json()
    assert (moved_folder["collection"], moved_folder["parent"]) == (other["id"], None)
    assert set(SavedRequest.objects.filter(collection_id=other["id"]).values_list("name", flat=True)) == {"Echo", "a"}
    assert Folder.objects.get(pk=sub["id"]).collection_id == other["id"]

    tree = alice_client.get(f"/api/v1/collections/{other['id']}/tree").json()
    assert tree["folders"][0]["name"] == "Users" and tree["folders"][0]["folders"][0]["name"] == "Sub"

    col_move = alice_client.post(f"/api/v1/collections/{other['id']}/move", {"position": 0}, format="json")
    assert col_move.json()["position"] == 0
    assert list(Collection.objects.filter(workspace=acme).order_by("position").values_list("name", flat=True)) == [
        "Other", "API"]


def test_duplicates(world, alice_client):
    copy = alice_client.post(f"/api/v1/collections/{world['collection'].pk}/duplicate", {"name": "API copy"},
                             format="json").json()
    assert copy["name"] == "API copy"
    assert SavedRequest.objects.filter(collection_id=copy["id"], folder__name="Users").count() == 1
    folder_copy = alice_client.post(f"/api/v1/folders/{world['folder'].pk}/duplicate", {}, format="json").json()
    assert folder_copy["name"] == "Users copy"
    request_copy = alice_client.post(f"/api/v1/requests/{world['request'].pk}/duplicate", {}, format="json").json()
    assert request_copy["name"] == "Echo copy" and request_copy["headers"] == world["request"].headers


def test_workspaces_and_members(alice_client, bob, carol, acme, bob_client):
    created = alice_client.post("/api/v1/workspaces", {"name": "Team"}, format="json").json()
    assert created["role"] == "owner" and not created["is_personal"]
    url = f"/api/v1/workspaces/{acme.pk}/members"
    assert alice_client.post(url, {"username": "carol", "role": "editor"}, format="json").status_code == 201
    changed = alice_client.patch(f"{url}/{carol.pk}", {"role": "viewer"}, format="json").json()
    assert changed["role"] == "viewer"
    members = alice_client.get(url).json()["results"]
    assert [(m["username"], m["role"]) for m in members] == [("alice", "owner"), ("bob", "editor"),
                                                              ("carol", "viewer")]
    last_owner = alice_client.patch(f"{url}/{members[0]['user_id']}", {"role": "editor"}, format="json")
    assert last_owner.status_code == 400 and last_owner.json()["error"]["code"] == "last_owner"
    assert bob_client.delete(f"{url}/{bob.pk}").status_code == 204  # leaving is allowed
    unknown = alice_client.post(url, {"username": "nobody", "role": "viewer"}, format="json")
    assert unknown.status_code == 400 and "username" in unknown.json()["error"]["fields"]
    personal = alice_client.get("/api/v1/workspaces").json()["results"][0]
    assert alice_client.delete(f"/api/v1/workspaces/{personal['id']}").status_code == 400


def test_malformed_json_and_wrong_types_are_400_not_500(alice_client, acme):
    response = alice_client.generic("POST", "/api/v1/collections", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    for body in ([], "x", {"workspace": 2**80, "name": "x"}, {"workspace": acme.pk, "name": "x", "variables": {}}):
        assert alice_client.post("/api/v1/collections", body, format="json").status_code in (400, 404)


def test_huge_pagination_offset_is_an_empty_page(alice_client):
    response = alice_client.get("/api/v1/collections", {"offset": 10**30, "limit": 10**30})
    assert response.status_code == 200 and response.json()["results"] == []


def test_bad_filter_value_is_a_named_400(alice_client):
    response = alice_client.get("/api/v1/collections", {"workspace": "abc"})
    assert response.status_code == 400 and "workspace" in response.json()["error"]["fields"]


def test_session_auth_needs_csrf(alice, acme, client):
    from rest_framework.test import APIClient

    session = APIClient(enforce_csrf_checks=True)
    session.force_login(alice)
    assert session.get("/api/v1/workspaces").status_code == 200
    refused = session.post("/api/v1/collections", {"workspace": acme.pk, "name": "x"}, format="json")
    assert refused.status_code == 403
    csrf = session.get("/api/v1/workspaces").cookies.get("csrftoken")
    if csrf is None:
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
        session.cookies["csrftoken"] = token
    else:
        token = csrf.value
    accepted = session.post("/api/v1/collections", {"workspace": acme.pk, "name": "x"}, format="json",
                            HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_create_api_token_prints_a_working_token_once(alice, world):
    from rest_framework.test import APIClient

    out = io.StringIO()
    call_command("create_api_token", "alice", "--name", "laptop", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    assert token.startswith("wc_")
    stored = ApiToken.objects.get(name="laptop")
    assert stored.token_hash != token and token not in stored.hint
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/workspaces").status_code == 200


def test_create_api_token_for_unknown_user_fails_cleanly(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "ghost", stdout=io.StringIO())
