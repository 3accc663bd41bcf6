"""Response diffs over the API (issue 18): history pairs, the previous response, two environments."""

from __future__ import annotations

from requests_app.models import HistoryEntry
from requests_app.services.environments import environment_create
from requests_app.services.execution import request_execute
from requests_app.services.saved_requests import request_create


def send(user, workspace, saved, environment=None):
    return request_execute(user=user, workspace=workspace, saved_request=saved, environment=environment)


def test_two_history_entries_compare_by_structure(world, alice, alice_client, echo_server):
    saved = request_create(user=alice, collection=world["collection"], name="json", method="POST",
                           url=echo_server.url("/anything"),
                           body={"mode": "json", "text": '{"a": 1, "list": [1, 2]}'})
    first = send(alice, world["workspace"], saved)
    saved.body = {"mode": "json", "text": '{"a": 2, "list": [1, 2, 3]}'}
    saved.save()
    second = send(alice, world["workspace"], saved)
    response = alice_client.get("/api/v1/history/diff", {"a": first.pk, "b": second.pk})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["a"]["id"] == first.pk and data["b"]["id"] == second.pk
    assert data["diff"]["body"]["mode"] == "json", data["diff"]["body"]
    changed = {(c["path"], c["kind"]) for c in data["diff"]["body"]["changes"]}
    assert ("$.json.a", "changed") in changed and ("$.json.list[2]", "added") in changed
    assert data["diff"]["status"] is None and data["diff"]["same"] is False


def test_ignore_rules_are_kept_with_the_request_and_used(world, alice, alice_client, victor_client):
    saved = world["request"]
    url = f"/api/v1/requests/{saved.pk}/diff-ignore"
    rules = {"headers": ["Date", "X-Request-Id"], "json_paths": ["$.headers", "$..id"]}
    assert victor_client.put(url, rules, format="json").status_code == 403  # viewers read only
    assert alice_client.put(url, rules, format="json").json() == rules
    assert victor_client.get(url).json() == rules
    bad = alice_client.put(url, {"json_paths": ["items.id"]}, format="json")
    assert bad.status_code == 400 and "json_paths[0]" in bad.json()["error"]["fields"]


def test_the_previous_response_needs_two_sends(world, alice, alice_client):
    saved = world["request"]
    url = f"/api/v1/requests/{saved.pk}/diff-previous"
    refused = alice_client.get(url)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "nothing_to_compare"
    send(alice, world["workspace"], saved, world["environment"])
    send(alice, world["workspace"], saved, world["environment"])
    assert alice_client.put(f"/api/v1/requests/{saved.pk}/diff-ignore",
                            {"headers": ["Date"], "json_paths": []}, format="json").status_code == 200
    data = alice_client.get(url).json()
    assert [h["path"] for h in data["diff"]["headers"]] == []  # Date ignored; the rest is equal


def test_one_request_sent_with_two_environments(world, alice, alice_client, echo_server):
    staging = environment_create(user=alice, workspace=world["workspace"], name="Staging",
                                 variables=[{"key": "token", "value": "one", "enabled": True}])
    production = environment_create(user=alice, workspace=world["workspace"], name="Production",
                                    variables=[{"key": "token", "value": "two", "enabled": True}])
    before = HistoryEntry.objects.count()
    response = alice_client.post(f"/api/v1/requests/{world['request'].pk}/diff-environments",
                                 {"environments": [staging.pk, production.pk]}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert HistoryEntry.objects.count() == before + 2
    assert (data["a"]["environment"], data["b"]["environment"]) == ("Staging", "Production")
    changes = {c["path"]: (c["before"], c["after"]) for c in data["diff"]["body"]["changes"]}
    assert changes["$.args.t[0]"] == ('"one"', '"two"')  # values as JSON text


def test_outsiders_and_other_members_cannot_read_someone_elses_entries(world, alice, bob_client, carol_client):
    entry = send(alice, world["workspace"], world["request"], world["environment"])
    other = send(alice, world["workspace"], world["request"], world["environment"])
    for client in (bob_client, carol_client):  # history is personal, even in a shared workspace
        assert client.get("/api/v1/history/diff", {"a": entry.pk, "b": other.pk}).status_code == 404
    assert carol_client.get(f"/api/v1/requests/{world['request'].pk}/diff-previous").status_code == 404


def test_bad_ids_are_named(alice_client, world):
    response = alice_client.get("/api/v1/history/diff", {"a": "x"})
    assert response.status_code == 400 and "a" in response.json()["error"]["fields"]
