"""Folder (item-group) auth and variables through Postman v2.1: the export round-trips, and newman,
running the export, sends every request the Authorization our runner and Send send.

newman does not resolve an item-group's `variable` (its requests see the collection's and the
environment's only), so what folder variables do is not compared with it (docs/variables.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from requests_app.models import Folder, Run, SavedRequest
from requests_app.services import runs
from requests_app.services.collections import collection_create
from requests_app.services.execution import request_execute
from requests_app.services.folders import folder_create
from requests_app.services.history import history_exchange
from requests_app.services.interop.exports import collection_export
from requests_app.services.interop.imports import collection_import
from requests_app.services.runs.plan import plan_items, tree_order
from requests_app.services.saved_requests import request_create, request_spec
from tests.interop.peer_runs import newman_received


@pytest.fixture
def shop(alice: Any, acme: Any, echo_server: Any) -> Any:
    """Collection bearer; Admin: its own bearer; Admin/Reports inherits; Public says No auth."""
    collection = collection_create(user=alice, workspace=acme, name="Shop",
                                   auth={"type": "bearer", "token": "collection-token"},
                                   variables=[{"key": "base", "value": echo_server.url("/anything"), "enabled": True}])
    admin = folder_create(user=alice, collection=collection, name="Admin",
                          auth={"type": "bearer", "token": "admin-folder-token"},
                          variables=[{"key": "area", "value": "admin", "enabled": True}])
    reports = folder_create(user=alice, collection=collection, parent=admin, name="Reports")
    public = folder_create(user=alice, collection=collection, name="Public", auth={"type": "none"})
    keyed = folder_create(user=alice, collection=collection, name="Keyed",
                          auth={"type": "apikey", "key": "X-Api-Key", "value": "k-folder", "location": "header"})
    for folder, name in ((None, "root"), (admin, "in admin"), (reports, "in reports"), (public, "in public"),
                         (keyed, "in keyed")):
        request_create(user=alice, collection=collection, folder=folder, name=name, url="{{base}}/" + name.replace(" ", "-"))
    request_create(user=alice, collection=collection, folder=reports, name="own basic", url="{{base}}/own",
                   auth={"type": "basic", "username": "me", "password": "pw"})
    return collection


def authorization(echoed: dict[str, Any]) -> tuple[str | None, str | None]:
    headers = {name.lower(): value for name, value in echoed["headers"]}
    return headers.get("authorization"), headers.get("x-api-key")


def exported(user: Any, collection: Any) -> dict[str, Any]:
    _, _, text = collection_export(user=user, collection_id=collection.pk, format="postman", include_secrets=True)
    assert isinstance(text, str)
    return json.loads(text)  # type: ignore[no-any-return]


def test_the_export_writes_item_group_auth_and_variables(alice: Any, shop: Any) -> None:
    data = exported(alice, shop)
    groups = {item["name"]: item for item in data["item"] if "item" in item}
    assert groups["Admin"]["auth"] == {"type": "bearer", "bearer": [
        {"key": "token", "value": "admin-folder-token", "type": "string"}]}
    assert groups["Admin"]["variable"] == [{"key": "area", "value": "admin", "type": "string"}]
    assert "auth" not in groups["Admin"]["item"][0]  # Reports inherits: Postman's default
    assert groups["Public"]["auth"] == {"type": "noauth"}
    masked = json.dumps(json.loads(collection_export(user=alice, collection_id=shop.pk, format="postman")[2]))
    assert "admin-folder-token" not in masked and "k-folder" not in masked  # placeholders unless asked


def test_a_round_trip_keeps_folder_auth_and_variables(alice: Any, acme: Any, shop: Any) -> None:
    outcome = collection_import(user=alice, workspace=acme, content=json.dumps(exported(alice, shop)))
    (copy_id,) = outcome.created["collections"]
    for original in Folder.objects.filter(collection=shop):
        copy = Folder.objects.get(collection_id=copy_id, name=original.name)
        assert (copy.auth, copy.variables) == (original.auth, original.variables), original.name
    for original in SavedRequest.objects.filter(collection=shop):
        copy = SavedRequest.objects.get(collection_id=copy_id, name=original.name)
        assert copy.auth == original.auth
        assert request_spec(copy).auth == request_spec(original).auth, original.name


def test_newman_sends_the_authorization_our_runner_and_send_send(alice: Any, acme: Any, shop: Any, tmp_path: Any) -> None:
    by_newman = newman_received(exported(alice, shop), tmp_path)
    # newman runs in the collection's one order, as our runner does
    ordered = tree_order(shop)
    assert len(by_newman) == len(ordered)
    plan = plan_items(ordered, shop)
    expected = {
        "in admin": ("Bearer admin-folder-token", None),
        "in reports": ("Bearer admin-folder-token", None),
        "own basic": ("Basic bWU6cHc=", None),
        "in public": (None, None),
        "in keyed": (None, "k-folder"),
        "root": ("Bearer collection-token", None),
    }
    for saved, item, theirs in zip(ordered, plan, by_newman, strict=True):
        sent = authorization(json.loads(history_exchange(
            request_execute(user=alice, workspace=acme, saved_request=saved))["response"]["body_text"]))
        assert authorization(theirs) == sent == expected[saved.name], saved.name
        assert item.spec.auth == request_spec(saved).auth  # the runner's plan resolves the same way
        header, key = expected[saved.name]
        checks = [{"type": "jsonpath", "op": "contains", "target": "$.headers[*][1]", "expected": value}
                  for value in (header, key) if value]
        SavedRequest.objects.filter(pk=saved.pk).update(assertions=checks)
    # and the stored runner, sending all of them, meets each expectation at the target
    run = runs.run_execute(runs.run_create(workspace=acme, created_by=alice, collection=shop).pk, worker="test:host:1")
    assert run.state == Run.State.PASSED and run.totals["assertions_failed"] == 0


def test_the_http_export_writes_the_auth_each_request_inherits(alice: Any, shop: Any) -> None:
    """.http cannot say "inherit": each request carries what it sends, placeholders unless asked."""
    _, _, text = collection_export(user=alice, collection_id=shop.pk, format="http", include_secrets=True)
    assert isinstance(text, str)
    blocks = {block.splitlines()[0]: block for block in text.split("### ")[1:]}
    assert "Authorization: Bearer admin-folder-token" in blocks["Admin / Reports / in reports"]
    assert "Authorization" not in blocks["Public / in public"]
    assert "X-Api-Key: k-folder" in blocks["Keyed / in keyed"]
    assert "Authorization: Bearer collection-token" in blocks["root"]
    _, _, masked = collection_export(user=alice, collection_id=shop.pk, format="http")
    assert "admin-folder-token" not in str(masked) and "k-folder" not in str(masked)
