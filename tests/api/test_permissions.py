"""Every endpoint × owner, editor, viewer, outsider (404) and anonymous (401)."""

import pytest

# (name, method, path, body, right): right is what the operation needs.
OPERATIONS = [
    ("workspace read", "get", "/api/v1/workspaces/{workspace}", None, "read"),
    ("workspace rename", "patch", "/api/v1/workspaces/{workspace}", {"name": "Acme 2"}, "own"),
    ("workspace delete", "delete", "/api/v1/workspaces/{workspace}", None, "own"),
    ("members list", "get", "/api/v1/workspaces/{workspace}/members", None, "read"),
    ("member add", "post", "/api/v1/workspaces/{workspace}/members", {"username": "carol", "role": "viewer"}, "own"),
    ("collection create", "post", "/api/v1/collections", {"workspace": "{workspace}", "name": "New"}, "edit"),
    ("collection read", "get", "/api/v1/collections/{collection}", None, "read"),
    ("collection tree", "get", "/api/v1/collections/{collection}/tree", None, "read"),
    ("collection update", "patch", "/api/v1/collections/{collection}", {"version": 1, "name": "X"}, "edit"),
    ("collection put", "put", "/api/v1/collections/{collection}", {"version": 1, "name": "X"}, "edit"),
    ("collection move", "post", "/api/v1/collections/{collection}/move", {"position": 0}, "edit"),
    ("collection duplicate", "post", "/api/v1/collections/{collection}/duplicate", {}, "edit"),
    ("collection delete", "delete", "/api/v1/collections/{collection}", None, "edit"),
    ("folder create", "post", "/api/v1/folders", {"collection": "{collection}", "name": "F"}, "edit"),
    ("folder read", "get", "/api/v1/folders/{folder}", None, "read"),
    ("folder update", "patch", "/api/v1/folders/{folder}", {"version": 1, "name": "F2"}, "edit"),
    ("folder move", "post", "/api/v1/folders/{folder}/move", {"parent": None, "position": 0}, "edit"),
    ("folder duplicate", "post", "/api/v1/folders/{folder}/duplicate", {}, "edit"),
    ("folder delete", "delete", "/api/v1/folders/{folder}", None, "edit"),
    ("request create", "post", "/api/v1/requests", {"collection": "{collection}", "name": "R", "url": "http://x/"},
     "edit"),
    ("request read", "get", "/api/v1/requests/{request}", None, "read"),
    ("request update", "patch", "/api/v1/requests/{request}", {"version": 1, "url": "http://y/"}, "edit"),
    ("request move", "post", "/api/v1/requests/{request}/move", {"folder": None}, "edit"),
    ("request duplicate", "post", "/api/v1/requests/{request}/duplicate", {}, "edit"),
    ("request delete", "delete", "/api/v1/requests/{request}", None, "edit"),
    ("request execute", "post", "/api/v1/requests/{request}/execute", {"environment": "{environment}"}, "read"),
    ("execute", "post", "/api/v1/execute", {"workspace": "{workspace}", "method": "GET", "url": "{echo}"}, "read"),
    ("environment create", "post", "/api/v1/environments", {"workspace": "{workspace}", "name": "E"}, "edit"),
    ("environment read", "get", "/api/v1/environments/{environment}", None, "read"),
    ("environment update", "patch", "/api/v1/environments/{environment}", {"version": 1, "name": "E2"}, "edit"),
    ("environment secret hosts", "patch", "/api/v1/environments/{environment}", {"version": 1, "variables": [
        {"key": "token", "value": "••••••", "secret": True, "enabled": True, "hosts": ["api.example.com"]}]}, "edit"),
    ("environment duplicate", "post", "/api/v1/environments/{environment}/duplicate", {}, "edit"),
    ("environment delete", "delete", "/api/v1/environments/{environment}", None, "edit"),
    ("cookies list", "get", "/api/v1/cookies?workspace={workspace}", None, "read"),
    ("cookies clear", "post", "/api/v1/cookies/clear", {"workspace": "{workspace}"}, "read"),
    ("history clear", "post", "/api/v1/history/clear", {"workspace": "{workspace}"}, "read"),
]
RANK = {"read": 1, "edit": 2, "own": 3}
ROLE_RANK = {"viewer": 1, "editor": 2, "owner": 3}


def fill(value, ids):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids and "/" not in value:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def call(client, operation, world, echo_server):
    _, method, path, body, _ = operation
    ids = {kind: obj.pk for kind, obj in world.items()}
    ids["echo"] = echo_server.url("/get")
    kwargs = {"format": "json"} if body is not None else {}
    return getattr(client, method)(fill(path, ids), fill(body, ids) if body is not None else None, **kwargs)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_members_get_what_their_role_allows(operation, role, world, users_by_role, api_client_for, echo_server):
    response = call(api_client_for(users_by_role[role]), operation, world, echo_server)
    if ROLE_RANK[role] >= RANK[operation[4]]:
        assert response.status_code < 300, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_outsiders_get_not_found(operation, world, carol_client, echo_server):
    response = call(carol_client, operation, world, echo_server)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_anonymous_gets_401(operation, world, anon_client, echo_server):
    response = call(anon_client, operation, world, echo_server)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/api/v1/collections", "/api/v1/folders", "/api/v1/requests",
                                  "/api/v1/environments", "/api/v1/history", "/api/v1/workspaces"])
def test_outsider_lists_show_nothing_of_acme(path, world, carol, carol_client):
    response = carol_client.get(path, {"workspace": world["workspace"].pk})
    assert response.status_code == 200
    rows = response.json()["results"]
    if path.endswith("workspaces"):  # only carol's own personal workspace
        assert [row["id"] for row in rows] == [carol.personal_workspace.pk]
    else:
        assert rows == [] and response.json().get("count", 0) == 0  # keyset lists have no count


def test_a_wrong_token_is_401_not_anonymous(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer wc_not-a-real-token")
    response = client.get("/api/v1/workspaces")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid or revoked API token."
