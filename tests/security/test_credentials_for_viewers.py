"""Issue 13 item 3: a saved request's (or collection's) credentials are secrets to viewers."""

from __future__ import annotations

import base64
import json

import pytest

from requests_app.models import HistoryEntry
from requests_app.services.collections import collection_update
from requests_app.services.saved_requests import request_create
from requests_app.services.secrets import MASK

PASSWORD = "Hunter2-Password-77"
TOKEN = "bearer-Tortoise-Glacier-31"


@pytest.fixture
def basic(world, alice, echo_server):
    return request_create(user=alice, collection=world["collection"], name="Basic", method="GET",
                          url=echo_server.url("/anything"),
                          auth={"type": "basic", "username": "me", "password": PASSWORD})


def leaks(text):
    encoded = base64.b64encode(f"me:{PASSWORD}".encode()).decode()
    return PASSWORD in text or encoded in text or TOKEN in text


def test_viewers_read_the_mask_in_request_detail_and_list(basic, victor_client, bob_client):
    detail = victor_client.get(f"/api/v1/requests/{basic.pk}")
    assert detail.json()["auth"] == {**detail.json()["auth"], "password": MASK, "username": "me"}
    listed = victor_client.get("/api/v1/requests", {"collection": basic.collection_id})
    assert not leaks(listed.content.decode()) and not leaks(detail.content.decode())
    assert bob_client.get(f"/api/v1/requests/{basic.pk}").json()["auth"]["password"] == PASSWORD


def test_variable_references_stay_readable(world, alice, victor_client):
    saved = request_create(user=alice, collection=world["collection"], name="Ref", url="http://x.test/",
                           auth={"type": "bearer", "token": "{{token}}"})
    assert victor_client.get(f"/api/v1/requests/{saved.pk}").json()["auth"]["token"] == "{{token}}"


def test_collection_auth_is_masked_for_viewers(world, alice, victor_client, alice_client):
    collection = world["collection"]
    collection_update(user=alice, collection=collection, version=collection.version,
                      auth={"type": "bearer", "token": TOKEN})
    assert victor_client.get(f"/api/v1/collections/{collection.pk}").json()["auth"]["token"] == MASK
    assert alice_client.get(f"/api/v1/collections/{collection.pk}").json()["auth"]["token"] == TOKEN


def test_the_editor_shows_viewers_the_mask(basic, victor, bob, client):
    client.force_login(victor)
    page = client.get(f"/w/{basic.collection.workspace_id}/requests/{basic.pk}/").content.decode()
    assert not leaks(page) and MASK in page
    client.force_login(bob)
    assert PASSWORD in client.get(f"/w/{basic.collection.workspace_id}/requests/{basic.pk}/").content.decode()


def test_a_viewers_history_masks_the_stored_credentials(basic, victor_client):
    sent = victor_client.post(f"/api/v1/requests/{basic.pk}/execute", {}, format="json").json()
    assert sent["error"] is None
    entry = HistoryEntry.objects.get(pk=sent["id"])
    # The target echoed the Authorization header back; nothing the viewer reads holds the password.
    assert "Basic " in sent["response"]["body_text"]
    assert not leaks(json.dumps(sent))
    for path in (f"/api/v1/history/{entry.pk}", "/api/v1/history", f"/api/v1/history/{entry.pk}/har"):
        assert not leaks(victor_client.get(path).content.decode()), path


def test_the_mask_sent_from_the_editor_stands_for_the_stored_password(basic, victor, client, echo_server):
    client.force_login(victor)
    response = client.post(f"/w/{basic.collection.workspace_id}/send/", {
        "saved_request": basic.pk, "method": "GET", "url": echo_server.url("/basic-auth/me/" + PASSWORD),
        "auth_type": "basic", "auth_username": "me", "auth_password": MASK,
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    entry = HistoryEntry.objects.filter(user=victor).latest("pk")
    assert entry.status == 200, entry.error_kind  # the server checked the real password
    assert not leaks(response.content.decode())


def test_a_viewer_cannot_send_the_stored_password_elsewhere(basic, victor_client, echo_server):
    before = echo_server.accepted_connections
    elsewhere = f"http://localhost:{echo_server.port}/anything"
    sent = victor_client.post("/api/v1/execute", {
        "workspace": basic.collection.workspace_id, "collection": basic.collection_id, "method": "GET",
        "url": elsewhere, "auth": {"type": "inherit"},
    }, format="json").json()
    assert sent["error"] is None  # the collection has no auth: nothing to refuse
    collection = basic.collection
    collection_update(user=basic.created_by, collection=collection, version=collection.version,
                      auth={"type": "bearer", "token": TOKEN})
    refused = victor_client.post("/api/v1/execute", {
        "workspace": basic.collection.workspace_id, "collection": basic.collection_id, "method": "GET",
        "url": elsewhere, "auth": {"type": "inherit"},
    }, format="json").json()
    assert refused["error"]["code"] == "secret_host" and TOKEN not in json.dumps(refused)
    assert echo_server.accepted_connections == before + 1
