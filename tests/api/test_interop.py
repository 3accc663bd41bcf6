"""POST /api/v1/import, GET collection export, request snippet and history HAR: roles, errors, secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from requests_app.models import Collection, Environment, Folder, SavedRequest
from requests_app.services.execution import request_execute
from tests.api.conftest import SECRET

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
SHOP = (FIXTURES / "postman" / "shop-api.postman_collection.json").read_text()
CURL = "curl -X POST http://127.0.0.1:9/things -H 'X-Made-By: curl' -d 'a=1'"


def rows():
    return {model.__name__: model.objects.count() for model in (Collection, Folder, SavedRequest, Environment)}


def error_of(response):
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) >= {"code", "message", "fields"}
    return body["error"]


def do_import(client, world, **payload):
    return client.post("/api/v1/import", {"workspace": world["workspace"].pk, **payload}, format="json")


@pytest.fixture
def entry(world, alice):
    """One of alice's history entries, with the environment's secret sent in a header."""
    return request_execute(user=alice, workspace=world["workspace"], saved_request=world["request"],
                           environment=world["environment"])


# ---------------------------------------------------------------- who may do what

OPERATIONS = [
    ("import", "post", "/api/v1/import", "edit"),
    ("export", "get", "/api/v1/collections/{collection}/export?format=postman", "read"),
    ("snippet", "get", "/api/v1/requests/{request}/snippet?lang=curl", "read"),
]
RANK = {"read": 1, "edit": 2}
ROLE_RANK = {"owner": 2, "editor": 2, "viewer": 1}


def call(client, operation, world):
    _, method, path, _ = operation
    url = path.format(collection=world["collection"].pk, request=world["request"].pk)
    if method == "post":
        return client.post(url, {"workspace": world["workspace"].pk, "content": CURL}, format="json")
    return client.get(url)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_members_get_what_their_role_allows(operation, role, world, users_by_role, api_client_for):
    before = rows()
    response = call(api_client_for(users_by_role[role]), operation, world)
    if ROLE_RANK[role] >= RANK[operation[3]]:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"
        assert rows() == before


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_outsiders_get_not_found_and_anonymous_401(operation, world, carol_client, anon_client):
    before = rows()
    response = call(carol_client, operation, world)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert call(anon_client, operation, world).status_code == 401
    assert rows() == before


# ---------------------------------------------------------------- import


def test_postman_import_answers_201_with_report_and_created_ids(world, alice_client):
    response = do_import(alice_client, world, content=SHOP)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"report", "created"}
    assert data["report"]["format"] == "postman"
    assert data["report"]["counts"]["requests"] == len(data["created"]["requests"]) == 13
    assert {"path": "item[1].item[5].request.auth", "level": "dropped",
            "message": "auth type 'hawk' is not supported; the request is imported without auth"} in data["report"]["items"]
    collection = Collection.objects.get(pk=data["created"]["collections"][0])
    assert collection.workspace_id == world["workspace"].pk
    tree = alice_client.get(f"/api/v1/collections/{collection.pk}/tree").json()
    assert [f["name"] for f in tree["folders"]] == ["Catalog", "Checkout"]


def test_a_curl_command_lands_in_imported_unless_a_collection_is_named(world, alice_client):
    first = do_import(alice_client, world, content=CURL, format="curl").json()
    imported = Collection.objects.get(pk=first["created"]["collections"][0])
    assert imported.name == "Imported"
    again = do_import(alice_client, world, content=CURL).json()
    assert again["created"]["collections"] == []
    assert SavedRequest.objects.get(pk=again["created"]["requests"][0]).collection_id == imported.pk
    chosen = do_import(alice_client, world, content=CURL, collection=world["collection"].pk).json()
    saved = SavedRequest.objects.get(pk=chosen["created"]["requests"][0])
    assert saved.collection_id == world["collection"].pk
    assert saved.headers == [{"key": "X-Made-By", "value": "curl", "enabled": True}]


@pytest.mark.parametrize(
    "content, fmt, where",
    [
        ('{"info": {"name": "Broken"}, "item": [{"name": "x", "request": ', "auto", "line 1, column"),
        ('{"info": {"name": "x"}, "item": [{"name": "neither"}]}', "postman", "item[0]"),
        ("curl 'unterminated", "curl", "line 1"),
        ("not anything we know", "auto", "not recognised"),
    ],
)
def test_malformed_content_is_400_naming_the_position_and_creates_nothing(world, alice_client, content, fmt, where):
    before = rows()
    response = do_import(alice_client, world, content=content, format=fmt)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "import_malformed"
    assert where in error["message"]
    assert error["fields"] == {"content": [error["message"]]}
    assert rows() == before


def test_a_50_mb_paste_is_400_saying_the_limit(world, alice_client):
    before = rows()
    response = do_import(alice_client, world, content="x" * (50 * 1024 * 1024), format="http")
    assert response.status_code == 400
    assert "imports are limited to 10 MiB" in error_of(response)["message"]
    assert rows() == before


def test_a_body_over_the_server_s_upload_limit_is_still_the_one_error_shape(world, alice_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = do_import(alice_client, world, content="x" * (2 * 1024 * 1024))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "import_malformed" and "imports are limited to 10 MiB" in error["message"]


def test_input_shape_errors_use_the_one_error_shape(world, alice_client):
    response = do_import(alice_client, world, content=CURL, format="insomnia")
    assert response.status_code == 400 and "format" in error_of(response)["fields"]
    response = alice_client.post("/api/v1/import", {"content": CURL}, format="json")
    assert response.status_code == 400 and "workspace" in error_of(response)["fields"]


def test_a_foreign_target_collection_is_404_and_writes_nothing(world, alice_client, carol):
    from requests_app.services.collections import collection_create

    carols = collection_create(user=carol, workspace=carol.workspaces.get(), name="Carol's")
    before = rows()
    response = do_import(alice_client, world, content=CURL, collection=carols.pk)
    assert response.status_code == 404
    assert rows() == before


def test_a_postman_environment_secret_is_never_shown_back(world, alice_client):
    environment = {"name": "Prod", "values": [{"key": "apiKey", "value": "pk-Ocelot-3312", "type": "secret"},
                                              {"key": "host", "value": "127.0.0.1", "type": "default"}]}
    response = do_import(alice_client, world, content=json.dumps(environment))
    assert response.status_code == 201
    assert "pk-Ocelot-3312" not in response.content.decode()
    environment_id = response.json()["created"]["environments"][0]
    shown = alice_client.get(f"/api/v1/environments/{environment_id}").json()
    assert "pk-Ocelot-3312" not in json.dumps(shown)
    assert {"key": "apiKey", "secret": True} in [{"key": v["key"], "secret": v["secret"]} for v in shown["variables"]]


# ---------------------------------------------------------------- export


def test_export_postman_is_a_json_download(world, victor_client):
    response = victor_client.get(f"/api/v1/collections/{world['collection'].pk}/export?format=postman")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="api.postman_collection.json"'
    document = json.loads(response.content)
    assert document["info"]["name"] == "API"
    assert document["item"][0]["name"] == "Users"


def test_export_http_and_unknown_formats(world, alice_client):
    url = f"/api/v1/collections/{world['collection'].pk}/export"
    response = alice_client.get(url + "?format=http")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "### Users / Echo" in response.content.decode()
    assert alice_client.get(url).status_code == 200  # postman by default
    bad = alice_client.get(url + "?format=json")
    assert bad.status_code == 400 and "format" in error_of(bad)["fields"]
    assert alice_client.get("/api/v1/collections/abc/export").status_code == 404


# ---------------------------------------------------------------- snippets


def test_snippet_is_text_with_variables_kept_by_default(world, alice_client):
    response = alice_client.get(f"/api/v1/requests/{world['request'].pk}/snippet?lang=python-urllib")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    code = response.content.decode()
    assert "import urllib.request" in code and "{{token}}" in code


@pytest.mark.parametrize("lang", ["curl", "python-requests", "python-httpx", "javascript-fetch", "node-axios", "httpie",
                                  "wget", "powershell", "go", "http"])
def test_each_language_with_resolved_variables_keeps_the_secret_hidden(world, alice_client, lang):
    url = (f"/api/v1/requests/{world['request'].pk}/snippet?lang={lang}&resolve=1"
           f"&environment={world['environment'].pk}")
    response = alice_client.get(url)
    assert response.status_code == 200, response.content
    code = response.content.decode()
    assert SECRET not in code
    assert "{{token}}" in code or "%7B%7Btoken%7D%7D" in code


def test_reveal_is_for_editors_of_the_environment(world, alice_client, victor_client):
    url = (f"/api/v1/requests/{world['request'].pk}/snippet?lang=curl&resolve=1&reveal=1"
           f"&environment={world['environment'].pk}")
    assert SECRET in alice_client.get(url).content.decode()
    refused = victor_client.get(url)
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"


def test_snippet_errors_are_named(world, alice_client, carol_client, carol):
    base = f"/api/v1/requests/{world['request'].pk}/snippet"
    bad = alice_client.get(base + "?lang=cobol")
    assert bad.status_code == 400 and "lang" in error_of(bad)["fields"]
    bad = alice_client.get(base + "?environment=x")
    assert bad.status_code == 400 and "environment" in error_of(bad)["fields"]
    from requests_app.services.environments import environment_create

    carols = environment_create(user=carol, workspace=carol.workspaces.get(), name="Mine")
    assert alice_client.get(base + f"?environment={carols.pk}").status_code == 404


# ---------------------------------------------------------------- HAR


def test_history_har_download_masks_secrets(world, alice_client, entry):
    response = alice_client.get(f"/api/v1/history/{entry.pk}/har")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="history-{entry.pk}.har"'
    har = json.loads(response.content)
    (item,) = har["log"]["entries"]
    assert item["request"]["method"] == "POST"
    assert item["response"]["status"] == 200
    assert SECRET not in response.content.decode()
    headers = {h["name"]: h["value"] for h in item["request"]["headers"]}
    assert headers["X-Token"] == "{{token}}"


def test_history_har_is_personal(world, bob_client, carol_client, anon_client, entry):
    assert bob_client.get(f"/api/v1/history/{entry.pk}/har").status_code == 404  # a teammate's entry
    assert carol_client.get(f"/api/v1/history/{entry.pk}/har").status_code == 404
    assert anon_client.get(f"/api/v1/history/{entry.pk}/har").status_code == 401


def test_export_with_secrets_is_for_editors_and_owners(world, alice_client, victor_client):
    url = f"/api/v1/collections/{world['collection'].pk}/export?format=postman&secrets=1"
    assert alice_client.get(url).status_code == 200
    refused = victor_client.get(url)
    assert refused.status_code == 403 and "viewers get placeholders" in error_of(refused)["message"]
