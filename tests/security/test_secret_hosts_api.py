"""Issue 13 item 1 through the API: a viewer can no longer send a secret where it may not go."""

from __future__ import annotations

import pytest

from requests_app.models import HistoryEntry
from requests_app.services import runs
from requests_app.services.environments import environment_update, environment_variables
from tests.api.conftest import SECRET


@pytest.fixture
def team_mode(settings):
    settings.TEAM_MODE = True  # the outbound policy stays allow-all: the tests target 127.0.0.1


def execute(client, world, url, environment=True):
    payload = {"workspace": world["workspace"].pk, "method": "GET", "url": url}
    if environment:
        payload["environment"] = world["environment"].pk
    return client.post("/api/v1/execute", payload, format="json")


def bind(world, alice, hosts):
    env = world["environment"]
    rows = environment_variables(env)
    rows[0]["hosts"] = hosts
    return environment_update(user=alice, environment=env, version=env.version, variables=rows)


def test_a_viewer_cannot_send_an_unbound_secret_anywhere(team_mode, world, victor_client, echo_server):
    before = echo_server.accepted_connections
    response = execute(victor_client, world, echo_server.url("/get?t={{token}}"))
    assert response.status_code == 200, response.content
    error = response.json()["error"]
    assert error["kind"] == "blocked" and error["code"] == "secret_unbound"
    assert "{{token}}" in error["message"] and SECRET not in response.content.decode()
    assert echo_server.accepted_connections == before


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_editors_and_owners_send_unbound_secrets(team_mode, world, client_name, request, echo_server):
    response = execute(request.getfixturevalue(client_name), world, echo_server.url("/get?t={{token}}"))
    assert response.json()["error"] is None
    assert response.json()["response"]["status"] == 200


def test_in_local_mode_unbound_secrets_go_anywhere(world, victor_client, echo_server):
    response = execute(victor_client, world, echo_server.url("/get?t={{token}}"))
    assert response.json()["error"] is None


def test_a_viewer_sends_a_secret_to_its_hosts_only(team_mode, world, alice, victor_client, echo_server):
    bind(world, alice, ["127.0.0.1"])
    assert execute(victor_client, world, echo_server.url("/get?t={{token}}")).json()["error"] is None
    bind(world, alice, ["public-host.test"])
    refused = execute(victor_client, world, echo_server.url("/get?t={{token}}")).json()
    assert refused["error"]["code"] == "secret_host" and "public-host.test" in refused["error"]["message"]


def test_hosts_bind_editors_too(world, alice, bob_client, echo_server):
    bind(world, alice, ["*.example.com"])
    refused = execute(bob_client, world, echo_server.url("/get"), environment=True)
    assert refused.json()["error"] is None  # no secret in it
    response = bob_client.post("/api/v1/execute", {
        "workspace": world["workspace"].pk, "environment": world["environment"].pk, "method": "GET",
        "url": echo_server.url("/get"), "headers": [{"key": "X-T", "value": "{{token}}", "enabled": True}],
    }, format="json")
    assert response.json()["error"]["code"] == "secret_host"
    assert HistoryEntry.objects.filter(pk=response.json()["id"], error_kind="blocked").exists()


def test_hosts_are_shown_and_edited_in_the_api(world, alice_client, victor_client):
    env = world["environment"]
    response = alice_client.patch(f"/api/v1/environments/{env.pk}", {"version": env.version, "variables": [
        {"key": "token", "value": "••••••", "secret": True, "enabled": True, "hosts": ["API.example.com", "*.example.org"]},
        {"key": "plain", "value": "visible", "secret": False, "enabled": True},
    ]}, format="json")
    assert response.status_code == 200, response.content
    shown = victor_client.get(f"/api/v1/environments/{env.pk}").json()["variables"]
    assert shown[0]["hosts"] == ["api.example.com", "*.example.org"] and shown[0]["value"] == "••••••"
    # Sent back without `hosts` (an older client), a kept secret keeps its hosts.
    version = response.json()["version"]
    again = alice_client.patch(f"/api/v1/environments/{env.pk}", {"version": version, "variables": [
        {"key": "token", "value": "••••••", "secret": True, "enabled": True}]}, format="json")
    assert again.json()["variables"][0]["hosts"] == ["api.example.com", "*.example.org"]


def test_a_bad_host_is_a_400_naming_the_row(world, alice_client):
    env = world["environment"]
    response = alice_client.patch(f"/api/v1/environments/{env.pk}", {"version": env.version, "variables": [
        {"key": "token", "value": "x", "secret": True, "enabled": True, "hosts": ["https://api.example.com/x"]}]},
        format="json")
    assert response.status_code == 400
    assert "variables[0].hosts" in response.json()["error"]["fields"]


def test_a_viewers_run_refuses_the_secret_per_request(team_mode, world, victor, echo_server, settings):
    before = echo_server.accepted_connections
    run = runs.run_create(workspace=world["workspace"], created_by=victor, collection=world["collection"],
                          environment=world["environment"])
    run = runs.run_execute(run.pk, worker="test:host:1")
    results = list(run.results.all())
    assert results and all(r.error["code"] == "secret_unbound" for r in results)
    assert echo_server.accepted_connections == before
    assert run.error == ""  # each request failed, not the run


def test_the_environment_dialog_shows_and_saves_hosts(world, alice, client, echo_server):
    bind(world, alice, ["api.example.com"])
    client.force_login(alice)
    ws, env = world["workspace"], world["environment"]
    page = client.get(f"/w/{ws.pk}/environments/{env.pk}/").content.decode()
    assert 'value="api.example.com"' in page
