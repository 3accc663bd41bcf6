"""/api/v1/requests/{id}/examples, /api/v1/examples/{id}, /api/v1/collections/{id}/mock[/token]."""

from __future__ import annotations

import pytest


@pytest.fixture
def saved(world):
    return world["request"]


def test_create_list_edit_delete_an_example(alice_client, saved):
    created = alice_client.post(f"/api/v1/requests/{saved.pk}/examples", {
        "name": "OK", "status": 201, "headers": [{"key": "Content-Type", "value": "text/plain"}], "body": "hi",
        "delay_ms": 10}, format="json")
    assert created.status_code == 201, created.json()
    example = created.json()
    assert example["request"]["method"] == "POST" and example["headers"][0]["enabled"] is True
    listed = alice_client.get(f"/api/v1/requests/{saved.pk}/examples").json()
    assert [e["name"] for e in listed] == ["OK"]
    changed = alice_client.patch(f"/api/v1/examples/{example['id']}", {"body": "bye"}, format="json")
    assert changed.json()["body"] == "bye"
    assert alice_client.delete(f"/api/v1/examples/{example['id']}").status_code == 204
    assert alice_client.get(f"/api/v1/examples/{example['id']}").status_code == 404


def test_bad_fields_get_named_errors(alice_client, saved):
    response = alice_client.post(f"/api/v1/requests/{saved.pk}/examples", {"name": "x", "request": {"url": 5}}, format="json")
    assert response.status_code == 400
    assert "request.url" in response.json()["error"]["fields"]
    response = alice_client.post(f"/api/v1/requests/{saved.pk}/examples", {"status": 200}, format="json")
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]


def test_save_from_history(alice_client, saved, world):
    entry = alice_client.post(f"/api/v1/requests/{saved.pk}/execute", {"environment": world["environment"].pk},
                              format="json").json()
    created = alice_client.post(f"/api/v1/requests/{saved.pk}/examples", {"name": "From history", "history": entry["id"]},
                                format="json")
    assert created.status_code == 201, created.json()
    from tests.api.conftest import SECRET

    assert SECRET not in created.content.decode()


@pytest.mark.parametrize("role, can_read, can_write", [
    ("owner", True, True), ("editor", True, True), ("viewer", True, False), ("outsider", False, False)])
def test_permissions(api_client_for, users_by_role, saved, role, can_read, can_write):
    from requests_app.services.examples import example_create

    example = example_create(user=users_by_role["owner"], saved_request=saved, name="E")
    client = api_client_for(users_by_role[role])
    assert client.get(f"/api/v1/examples/{example.pk}").status_code == (200 if can_read else 404)
    patched = client.patch(f"/api/v1/examples/{example.pk}", {"body": "x"}, format="json").status_code
    assert patched == (200 if can_write else 403 if can_read else 404)
    mock = client.patch(f"/api/v1/collections/{saved.collection_id}/mock", {"enabled": True}, format="json").status_code
    assert mock == (200 if can_write else 403 if can_read else 404)
    token = client.post(f"/api/v1/collections/{saved.collection_id}/mock/token").status_code
    assert token == (201 if can_write else 403 if can_read else 404)


def test_mock_settings_and_token(alice_client, saved):
    url = f"/api/v1/collections/{saved.collection_id}/mock"
    assert alice_client.get(url).json()["enabled"] is False
    data = alice_client.patch(url, {"enabled": True, "slug": "world"}, format="json").json()
    assert data["url"].endswith("/mock/world/") and data["enabled"]
    token = alice_client.post(f"{url}/token").json()["token"]
    assert token.startswith("wcm_") and alice_client.get(url).json()["has_token"]
    assert alice_client.delete(f"{url}/token").status_code == 204
    assert alice_client.get(url).json()["has_token"] is False
    bad = alice_client.patch(url, {"slug": "UPPER"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["slug"]
