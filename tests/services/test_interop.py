"""Import and export through the services: rows written (or not), access, secrets, query bounds."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.db import connection

from requests_app.engine.exchange import Exchange, Response, SentRequest
from requests_app.interop.limits import MAX_IMPORT_BYTES
from requests_app.models import Collection, Environment, Folder, HistoryEntry, SavedRequest
from requests_app.services import errors
from requests_app.services.collections import collection_create, collection_update
from requests_app.services.environments import environment_create, environment_values, environment_variables
from requests_app.services.history import history_record
from requests_app.services.interop import (
    HAR_NOTHING_CHOSEN,
    IMPORT_MALFORMED,
    IMPORT_REFUSED,
    REVEAL_NOT_ALLOWED,
    collection_export,
    collection_import,
    history_har,
    request_snippet,
    spec_snippet,
)
from requests_app.services.saved_requests import request_create, request_spec
from requests_app.services.secrets import MASK

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
SHOP = (FIXTURES / "postman" / "shop-api.postman_collection.json").read_text()
STAGING = (FIXTURES / "postman" / "staging.postman_environment.json").read_text()
POSTMAN_SCHEMA = jsonschema.Draft7Validator(
    json.loads((FIXTURES / "postman" / "collection-v2.1.0.schema.json").read_text())
)
SECRET = "tok-Quasar-Walrus-4417"


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Collection, Folder, SavedRequest, Environment)}


def tree_shape(collection: Collection) -> list[tuple[Any, ...]]:
    """(folder path, name, method, url, auth type) of every request, in a stable order."""
    folders = {f.pk: f for f in Folder.objects.filter(collection=collection)}

    def path(folder_id: int | None) -> str:
        names = []
        while folder_id:
            names.insert(0, folders[folder_id].name)
            folder_id = folders[folder_id].parent_id
        return "/".join(names)

    return sorted(
        (path(r.folder_id), r.position, r.name, r.method, r.url, r.auth.get("type"))
        for r in SavedRequest.objects.filter(collection=collection)
    )


def postman_collection(requests_per_folder: int, folders: int, depth: int = 3) -> str:
    """A Postman v2.1 collection: `folders` chains of `depth` nested folders, requests in the deepest."""

    def request(n: int) -> dict[str, Any]:
        return {
            "name": f"Request {n}",
            "request": {
                "method": "POST",
                "header": [{"key": "X-N", "value": str(n)}],
                "url": {"raw": "{{base}}/items/" + str(n) + "?page=1"},
                "body": {"mode": "raw", "raw": json.dumps({"n": n}), "options": {"raw": {"language": "json"}}},
            },
            "event": [{"listen": "test", "script": {"exec": ["pm.test('ok', () => {});"]}}],
        }

    counter = iter(range(10**9))
    items = []
    for f in range(folders):
        node: dict[str, Any] = {"name": f"Leaf {f}", "item": [request(next(counter)) for _ in range(requests_per_folder)]}
        for level in range(depth - 1):
            node = {"name": f"Folder {f}.{level}", "item": [node]}
        items.append(node)
    return json.dumps({
        "info": {"name": "Big", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "base", "value": "http://127.0.0.1:9"}],
        "item": items,
    })


# ---------------------------------------------------------------- import


def test_postman_import_creates_the_tree_with_scripts_auth_and_variables(alice, acme):
    outcome = collection_import(user=alice, workspace=acme, content=SHOP)

    (collection_id,) = outcome.created["collections"]
    collection = Collection.objects.get(pk=collection_id)
    assert collection.name == "Shop API"
    assert collection.auth == {"type": "bearer", "token": "{{accessToken}}"}
    assert collection.scripts["prerequest"].startswith("pm.variables.set(")
    assert {"key": "legacyHost", "value": "http://old.example.com", "enabled": False} in collection.variables
    assert sorted(outcome.created["requests"]) == sorted(SavedRequest.objects.filter(collection=collection).values_list("pk", flat=True))
    assert sorted(outcome.created["folders"]) == sorted(Folder.objects.filter(collection=collection).values_list("pk", flat=True))

    listing = SavedRequest.objects.get(collection=collection, name="List products")
    assert listing.auth == {"type": "inherit"}  # inherits_auth: the collection's bearer applies
    assert "pm.response.to.have.status(200)" in listing.scripts["test"]
    assert request_spec(listing).auth.token == "{{accessToken}}"
    admin = Folder.objects.get(collection=collection, name="Admin")
    assert admin.parent.name == "Catalog"
    assert SavedRequest.objects.get(collection=collection, name="Delete product (digest)").auth["type"] == "digest"

    report = outcome.report
    assert report["format"] == "postman"
    assert report["counts"]["requests"] == len(outcome.created["requests"])
    assert report["counts"]["folders"] == len(outcome.created["folders"])
    paths = {item["path"]: item for item in report["items"]}
    assert paths["item[1].item[5].request.auth"]["level"] == "dropped"
    assert not any("not run" in item["message"] for item in report["items"])  # imported scripts run now


def test_the_activity_feed_says_what_was_imported_from_where(alice, acme):
    from requests_app.services.activity import activity_list, describe

    collection_import(user=alice, workspace=acme, content=SHOP)
    collection_import(user=alice, workspace=acme, content="curl http://127.0.0.1:9/", name="")
    lines = [describe(entry) for entry in activity_list(user=alice, workspace=acme)]
    assert "imported collection “Shop API” from a Postman collection" in lines
    assert "imported collection “Imported” from a cURL command" in lines


def test_positions_are_sibling_indexes_and_folders_are_ordered_as_in_the_source(alice, acme):
    outcome = collection_import(user=alice, workspace=acme, content=SHOP)
    collection = Collection.objects.get(pk=outcome.created["collections"][0])
    roots = list(Folder.objects.filter(collection=collection, parent=None).order_by("position"))
    assert [(f.name, f.position) for f in roots] == [("Catalog", 0), ("Checkout", 1)]
    for folder in Folder.objects.filter(collection=collection):
        positions = list(SavedRequest.objects.filter(folder=folder).order_by("position").values_list("position", flat=True))
        assert positions == list(range(len(positions)))


def test_explicit_no_auth_under_a_collection_auth_stays_no_auth(alice, acme):
    outcome = collection_import(user=alice, workspace=acme, content=SHOP)
    collection = Collection.objects.get(pk=outcome.created["collections"][0])
    assert collection.auth.get("type") not in (None, "none", "inherit")
    login = SavedRequest.objects.get(collection=collection, name="Login form")
    assert login.auth == {"type": "none"}
    assert request_spec(login).auth.type == "none"
    assert not [item for item in outcome.report["items"] if "no auth" in item["message"]]


def test_a_request_without_auth_of_its_own_inherits_the_collection_auth(alice, acme):
    outcome = collection_import(user=alice, workspace=acme, content=SHOP)
    collection = Collection.objects.get(pk=outcome.created["collections"][0])
    inheriting = SavedRequest.objects.filter(collection=collection, auth={"type": "inherit"}).first()
    assert inheriting is not None
    assert request_spec(inheriting).auth.type == collection.auth["type"]


def test_a_curl_command_lands_in_the_imported_collection_created_once(alice, acme):
    first = collection_import(user=alice, workspace=acme, content="curl -X POST http://127.0.0.1:9/a -d x=1")
    second = collection_import(user=alice, workspace=acme, content="curl http://127.0.0.1:9/b")

    imported = Collection.objects.get(workspace=acme, name="Imported")
    assert first.created["collections"] == [imported.pk]
    assert second.created["collections"] == []
    assert first.report["into"] == second.report["into"] == [{"id": imported.pk, "name": "Imported"}]
    assert [(r.method, r.url, r.position) for r in SavedRequest.objects.filter(collection=imported).order_by("position")] == [
        ("POST", "http://127.0.0.1:9/a", 0),
        ("GET", "http://127.0.0.1:9/b", 1),
    ]
    assert SavedRequest.objects.get(pk=first.created["requests"][0]).body["mode"] == "urlencoded"


def test_an_import_into_a_chosen_collection_appends_and_merges_collection_parts(alice, acme):
    target = collection_create(user=alice, workspace=acme, name="Mine",
                               variables=[{"key": "baseUrl", "value": "http://127.0.0.1:9", "enabled": True}])
    request_create(user=alice, collection=target, name="Existing")
    outcome = collection_import(user=alice, workspace=acme, content=SHOP, collection=target)

    assert outcome.created["collections"] == []
    target.refresh_from_db()
    keys = [row["key"] for row in target.variables]
    assert keys == ["baseUrl", "pageSize", "legacyHost"]
    assert target.variables[0]["value"] == "http://127.0.0.1:9"  # kept, and reported
    assert any(item["path"] == "variable" and "kept its value" in item["message"] for item in outcome.report["items"])
    assert target.scripts["prerequest"].startswith("pm.variables")
    # top-level folders and requests that inherited Shop API's bearer keep it as their own: Mine has
    # no auth; the requests below still inherit, now from their folder
    listing = SavedRequest.objects.get(collection=target, name="List products")
    assert listing.auth == {"type": "inherit"}
    assert request_spec(listing).auth.token == "{{accessToken}}"
    folders = Folder.objects.filter(collection=target, parent=None).order_by("position")
    assert [f.name for f in folders] == ["Catalog", "Checkout"]
    assert folders[0].auth == {"type": "bearer", "token": "{{accessToken}}"}
    assert SavedRequest.objects.get(collection=target, name="Existing").position == 0


def test_a_curl_command_goes_to_a_chosen_collection(alice, acme):
    target = collection_create(user=alice, workspace=acme, name="Mine")
    outcome = collection_import(user=alice, workspace=acme, content="curl http://127.0.0.1:9/c", collection=target)
    assert SavedRequest.objects.get(pk=outcome.created["requests"][0]).collection_id == target.pk
    assert not Collection.objects.filter(name="Imported").exists()


def test_postman_environment_secrets_become_secret_variables(alice, acme):
    outcome = collection_import(user=alice, workspace=acme, content=STAGING)
    environment = Environment.objects.get(pk=outcome.created["environments"][0])
    shown = {row["key"]: row for row in environment_variables(environment)}
    assert shown["accessToken"]["secret"] is True and shown["accessToken"]["value"] == MASK
    assert shown["baseUrl"]["secret"] is False
    assert shown["retries"]["enabled"] is False
    stored = json.dumps(environment.variables)
    source_token = next(v["value"] for v in json.loads(STAGING)["values"] if v["key"] == "accessToken")
    assert source_token not in stored  # encrypted at rest
    assert environment_values(environment)["accessToken"] == source_token


def test_http_file_name_names_its_collection(alice, acme):
    text = (FIXTURES / "http" / "shop.http").read_text()
    outcome = collection_import(user=alice, workspace=acme, content=text, format="http", name="shop-api.http")
    collection = Collection.objects.get(pk=outcome.created["collections"][0])
    assert "shop" in collection.name.lower()
    assert outcome.report["format"] == "http"


@pytest.mark.parametrize("fixture, fmt", [("har/browser-session.har", "har"), ("openapi/petstore-3.0.yaml", "openapi")])
def test_har_and_openapi_imports_create_requests(alice, acme, fixture, fmt):
    outcome = collection_import(user=alice, workspace=acme, content=(FIXTURES / fixture).read_text())
    assert outcome.report["format"] == fmt
    assert len(outcome.created["requests"]) == outcome.report["counts"]["requests"] > 0


# ---------------------------------------------------------------- refused input writes nothing


@pytest.mark.parametrize(
    "content, position",
    [
        ('{"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"}, "item": [', "line 1"),
        ('{"info": {"name": "x"}, "item": [{"name": "no request"}]}', "item[0]"),
        ("[" * 10_000, "nesting is deeper than 64"),
        ("hello, this is not a format", "not recognised"),
    ],
)
def test_malformed_content_is_a_named_error_and_writes_nothing(alice, acme, content, position):
    before = row_counts()
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_import(user=alice, workspace=acme, content=content)
    assert caught.value.code == IMPORT_MALFORMED
    assert position in caught.value.message
    assert caught.value.fields["content"] == [caught.value.message]
    assert row_counts() == before


def test_an_unknown_format_names_the_format_field(alice, acme):
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_import(user=alice, workspace=acme, content=SHOP, format="insomnia")
    assert "format" in caught.value.fields


def test_a_50_mb_paste_is_refused_with_the_limit_and_writes_nothing(alice, acme):
    before = row_counts()
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_import(user=alice, workspace=acme, content="curl http://127.0.0.1:9/ -d '" + "x" * (50 * 1024 * 1024) + "'")
    assert "50.0 MiB" in caught.value.message and f"{MAX_IMPORT_BYTES // 1024 // 1024} MiB" in caught.value.message
    assert row_counts() == before


def test_a_request_refused_after_other_rows_were_inserted_rolls_everything_back(alice, acme):
    """The collection and folders are inserted before the bad request is met: all of it goes."""
    data = json.loads(SHOP)
    data["item"][1]["item"].append({"name": "Bad method", "request": {"method": "GET X", "url": "http://127.0.0.1:9/"}})
    before = row_counts()
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_import(user=alice, workspace=acme, content=json.dumps(data))
    assert caught.value.code == IMPORT_REFUSED
    assert caught.value.message.startswith("item[1].item[8] (Bad method): method")
    assert "item[1].item[8].method" in caught.value.fields
    assert row_counts() == before


def test_a_bad_environment_after_a_good_one_writes_neither(alice, acme, monkeypatch):
    from requests_app.services.interop import imports as service

    created = []
    original = service.environment_create

    def fail_second(**kwargs):
        if created:
            raise errors.ValidationFailed.for_field("name", "refused for the test")
        created.append(original(**kwargs))
        return created[-1]

    monkeypatch.setattr(service, "environment_create", fail_second)
    from requests_app.interop.model import EnvironmentVariable, ImportedEnvironment, ImportResult

    two = ImportResult(format="postman_environment", environments=[ImportedEnvironment("A", [EnvironmentVariable("k", "v")]),
                                                                   ImportedEnvironment("B")])
    monkeypatch.setattr(service, "import_content", lambda *a, **k: two)
    with pytest.raises(errors.ValidationFailed):
        collection_import(user=alice, workspace=acme, content="{}")
    assert created and not Environment.objects.exists()


# ---------------------------------------------------------------- access


def test_editor_imports_viewer_is_forbidden_outsider_sees_nothing(acme, bob, victor, carol):
    assert collection_import(user=bob, workspace=acme, content=SHOP).created["collections"]
    before = row_counts()
    with pytest.raises(errors.Forbidden):
        collection_import(user=victor, workspace=acme, content=SHOP)
    with pytest.raises(errors.NotFound):
        collection_import(user=carol, workspace=acme, content=SHOP)
    assert row_counts() == before


def test_a_collection_of_another_workspace_is_not_a_target(alice, acme, carol):
    acmes = collection_create(user=alice, workspace=acme, name="Acme's")
    personal = alice.workspaces.get(is_personal=True)
    before = row_counts()
    with pytest.raises(errors.NotFound):
        collection_import(user=alice, workspace=personal, content=SHOP, collection=acmes)
    with pytest.raises(errors.NotFound):  # carol's own workspace, Acme's collection
        collection_import(user=carol, workspace=carol.workspaces.get(), content=SHOP,
                          collection=Collection.objects.get(pk=acmes.pk))
    assert row_counts() == before


# ---------------------------------------------------------------- query bound


def _batch_size() -> int:
    fields = [f for f in SavedRequest._meta.concrete_fields if not f.primary_key]
    from requests_app.services.interop import IMPORT_BATCH

    return min(connection.ops.bulk_batch_size(fields, [SavedRequest()] * 5000) or 5000, IMPORT_BATCH)


def test_a_5000_request_postman_collection_imports_in_a_bounded_number_of_queries(alice, acme, django_assert_max_num_queries):
    content = postman_collection(requests_per_folder=500, folders=10, depth=4)
    # Fixed work: the workspace quota's count, savepoint, collection position, collection, one
    # INSERT per folder level (4), the activity line, release. Requests: one INSERT per batch.
    bound = 10 + math.ceil(5000 / _batch_size())
    with django_assert_max_num_queries(bound):
        outcome = collection_import(user=alice, workspace=acme, content=content)
    assert len(outcome.created["requests"]) == 5000
    assert len(outcome.created["folders"]) == 40
    sample = SavedRequest.objects.get(name="Request 4321")
    assert sample.folder.parent.parent.parent.parent is None
    assert sample.scripts == {"test": "pm.test('ok', () => {});"}
    assert sample.position == 4321 % 500


def test_query_count_does_not_grow_with_folders_of_one_level(alice, acme, django_assert_max_num_queries):
    with django_assert_max_num_queries(9 + 1):
        collection_import(user=alice, workspace=acme, content=postman_collection(requests_per_folder=1, folders=30, depth=1))


# ---------------------------------------------------------------- export


def test_postman_export_validates_against_the_schema_and_round_trips(alice, acme):
    outcome = collection_import(user=alice, workspace=acme, content=SHOP)
    collection_id = outcome.created["collections"][0]
    filename, content_type, text = collection_export(user=alice, collection_id=collection_id, format="postman", include_secrets=True)
    assert filename == "shop-api.postman_collection.json"
    assert content_type == "application/json"
    document = json.loads(text)
    assert list(POSTMAN_SCHEMA.iter_errors(document)) == []
    assert document["event"][0]["listen"] == "prerequest"  # collection scripts travel

    again = collection_import(user=alice, workspace=acme, content=text)
    original = Collection.objects.get(pk=collection_id)
    copy = Collection.objects.get(pk=again.created["collections"][0])
    assert tree_shape(copy) == tree_shape(original)
    assert copy.variables == original.variables and copy.auth == original.auth and copy.scripts == original.scripts
    for saved in SavedRequest.objects.filter(collection=original):
        twin = SavedRequest.objects.get(collection=copy, name=saved.name, folder__name=saved.folder.name if saved.folder else None)
        assert (twin.params, twin.headers, twin.body, twin.auth, twin.options, twin.scripts) == (
            saved.params, saved.headers, saved.body, saved.auth, saved.options, saved.scripts)


def test_http_export_is_one_file_and_notes_what_it_cannot_say(alice, acme):
    collection_id = collection_import(user=alice, workspace=acme, content=SHOP).created["collections"][0]
    filename, content_type, text = collection_export(user=alice, collection_id=collection_id, format="http")
    assert filename == "shop-api.http"
    assert content_type.startswith("text/plain")
    assert "### Catalog / List products" in text
    assert text.startswith("# Note: ")
    assert "@baseUrl = https://shop.example.com/api/v2" in text


def test_viewers_may_export_outsiders_may_not_and_formats_are_named(alice, acme, victor, carol):
    collection = collection_create(user=alice, workspace=acme, name="API")
    assert collection_export(user=victor, collection_id=collection.pk, format="http")[0] == "api.http"
    with pytest.raises(errors.NotFound):
        collection_export(user=carol, collection_id=collection.pk)
    with pytest.raises(errors.ValidationFailed) as caught:
        collection_export(user=alice, collection_id=collection.pk, format="insomnia")
    assert "format" in caught.value.fields


# ---------------------------------------------------------------- snippets


@pytest.fixture
def secret_world(alice, acme):
    collection = collection_create(user=alice, workspace=acme, name="API",
                                   variables=[{"key": "base", "value": "http://127.0.0.1:9", "enabled": True}])
    collection = collection_update(user=alice, collection=collection, version=collection.version,
                                   auth={"type": "bearer", "token": "{{token}}"})
    saved = request_create(user=alice, collection=collection, name="Me", url="{{base}}/me",
                           headers=[{"key": "X-Plain", "value": "{{plain}}", "enabled": True}])
    environment = environment_create(user=alice, workspace=acme, name="Local", variables=[
        {"key": "token", "value": SECRET, "secret": True, "enabled": True},
        {"key": "plain", "value": "visible", "secret": False, "enabled": True},
    ])
    return {"collection": collection, "request": saved, "environment": environment}


def test_snippet_resolves_variables_but_keeps_secrets_masked(alice, secret_world):
    text = request_snippet(user=alice, request_id=secret_world["request"].pk, lang="curl", resolve_variables=True,
                           environment=secret_world["environment"])
    assert "http://127.0.0.1:9/me" in text
    assert "X-Plain: visible" in text
    assert "Authorization: Bearer {{token}}" in text  # the collection's auth, the secret left as a name
    assert SECRET not in text


def test_snippet_without_resolution_keeps_every_variable(alice, secret_world):
    text = request_snippet(user=alice, request_id=secret_world["request"].pk, lang="python-urllib")
    assert "{{base}}/me" in text and "{{plain}}" in text


def test_editors_may_reveal_secrets_viewers_may_not(alice, victor, secret_world):
    shown = request_snippet(user=alice, request_id=secret_world["request"].pk, lang="httpie", resolve_variables=True,
                            environment=secret_world["environment"], reveal_secrets=True)
    assert SECRET in shown
    with pytest.raises(errors.Forbidden) as caught:
        request_snippet(user=victor, request_id=secret_world["request"].pk, lang="httpie", resolve_variables=True,
                        environment=secret_world["environment"], reveal_secrets=True)
    assert caught.value.message == REVEAL_NOT_ALLOWED
    masked = request_snippet(user=victor, request_id=secret_world["request"].pk, lang="httpie", resolve_variables=True,
                             environment=secret_world["environment"])
    assert SECRET not in masked


def test_snippet_of_a_foreign_request_or_environment_is_not_found(alice, carol, secret_world):
    with pytest.raises(errors.NotFound):
        request_snippet(user=carol, request_id=secret_world["request"].pk, lang="curl")
    carols = environment_create(user=carol, workspace=carol.workspaces.get(), name="Carol's")
    with pytest.raises(errors.NotFound):
        request_snippet(user=alice, request_id=secret_world["request"].pk, lang="curl", environment=carols)


def test_unknown_language_and_variable_cycles_are_named(alice, acme, secret_world):
    with pytest.raises(errors.ValidationFailed) as caught:
        request_snippet(user=alice, request_id=secret_world["request"].pk, lang="cobol")
    assert "lang" in caught.value.fields
    looping = environment_create(user=alice, workspace=acme, name="Loop", variables=[
        {"key": "base", "value": "{{plain}}", "secret": False, "enabled": True},
        {"key": "plain", "value": "{{base}}", "secret": False, "enabled": True},
    ])
    with pytest.raises(errors.ValidationFailed) as caught:
        request_snippet(user=alice, request_id=secret_world["request"].pk, lang="curl", resolve_variables=True,
                        environment=looping)
    assert "variables" in caught.value.fields


def test_spec_snippet_uses_the_unsaved_spec_and_the_collection_auth(alice, acme, secret_world):
    spec = request_spec(secret_world["request"]).copy(url="{{base}}/edited", auth=request_spec(secret_world["request"]).auth)
    spec.auth.type = "inherit"
    text = spec_snippet(user=alice, workspace=acme, spec=spec, lang="javascript-fetch", resolve_variables=True,
                        collection=secret_world["collection"])
    assert "http://127.0.0.1:9/edited" in text
    assert "Bearer {{token}}" in text


def test_spec_snippet_with_explicit_no_auth_sends_no_collection_auth(alice, acme, secret_world):
    spec = request_spec(secret_world["request"]).copy(url="{{base}}/edited")
    spec.auth = spec.auth.__class__(type="none")
    text = spec_snippet(user=alice, workspace=acme, spec=spec, lang="javascript-fetch", resolve_variables=True,
                        collection=secret_world["collection"])
    assert "Bearer" not in text


# ---------------------------------------------------------------- HAR


def _entry(user, workspace, url="http://127.0.0.1:9/x", secret=""):
    exchange = Exchange(
        request=SentRequest(method="GET", url=url, headers=[("Authorization", f"Bearer {secret}")] if secret else [],
                            wire=b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n"),
        response=Response(http_version="HTTP/1.1", status=200, reason="OK", headers=[("Content-Type", "text/plain")],
                          body=b"hi", wire_body_size=2, header_size=40, content_type="text/plain", kind="text",
                          wire_head=b"HTTP/1.1 200 OK\r\n\r\n"),
    )
    return history_record(user=user, workspace=workspace, asked={"method": "GET", "url": url}, exchange=exchange,
                          secrets={"token": secret} if secret else {})


def test_history_har_exports_own_entries_oldest_first_with_secrets_masked(alice, acme):
    first = _entry(alice, acme, "http://127.0.0.1:9/first", secret=SECRET)
    second = _entry(alice, acme, "http://127.0.0.1:9/second")
    filename, content_type, text = history_har(user=alice, history_ids=[second.pk, first.pk])
    assert filename == "history-2-entries.har" and content_type == "application/json"
    entries = json.loads(text)["log"]["entries"]
    assert [e["request"]["url"] for e in entries] == ["http://127.0.0.1:9/first", "http://127.0.0.1:9/second"]
    assert entries[0]["response"]["content"]["text"] == "hi"
    assert SECRET not in text and "{{token}}" in text
    assert history_har(user=alice, history_ids=[first.pk])[0] == f"history-{first.pk}.har"


def test_history_har_of_someone_elses_entry_is_not_found(alice, bob, acme):
    mine = _entry(alice, acme)
    with pytest.raises(errors.NotFound):
        history_har(user=bob, history_ids=[mine.pk])
    with pytest.raises(errors.NotFound):
        history_har(user=alice, history_ids=[mine.pk, "nope"])
    with pytest.raises(errors.ValidationFailed) as caught:
        history_har(user=alice, history_ids=[])
    assert caught.value.message == "history: " + HAR_NOTHING_CHOSEN
    assert HistoryEntry.objects.count() == 1
